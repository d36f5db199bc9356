// Discovery benchmark: how long `dubhost plugins --json` takes with 50 plugins when they are listed
// from their plugin.json and cached scan verdicts, next to `dubhost items` (no plugin at all) and
// `dubhost backends` (every plugin loaded and asked its status), all warm, in one run.
#include <dubhost/support/process.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int runs = 20;
constexpr double listing_goal_ms = 50;

struct Timing {
    double median_ms = 0, best_ms = 0;
};

Timing time_command(const std::vector<std::string> &arguments, const fs::path &scratch) {
    dubhost::ProcessRequest request;
    request.argv = {DUBHOST_BINARY, "--workspace", (scratch / "ws").string(), "--plugin-path", DISCOVERY_PLUGIN_DIR};
    request.argv.insert(request.argv.end(), arguments.begin(), arguments.end());
    request.environment = {{"XDG_CACHE_HOME", (scratch / "cache").string()}, {"XDG_CONFIG_HOME", (scratch / "config").string()}};
    request.timeout = std::chrono::minutes(2);
    std::vector<double> times;
    for (int run = 0; run <= runs; ++run) {  // run 0 warms the scan cache and the page cache
        const auto started = std::chrono::steady_clock::now();
        const dubhost::ProcessResult result = dubhost::run_process(request);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (!result.succeeded()) {
            std::fprintf(stderr, "dubhost %s failed: %s\n", arguments.front().c_str(), result.last_lines(5).c_str());
            std::exit(1);
        }
        if (run > 0) times.push_back(ms);
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], times.front()};
}

}  // namespace

int main() {
    std::size_t plugins = 0;
    for (const auto &entry : fs::directory_iterator(DISCOVERY_PLUGIN_DIR)) plugins += entry.is_directory();
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-discovery-bench-" + std::to_string(::getpid()));
    fs::create_directories(scratch);
    std::printf("discovery with %zu plugins on the search path (plus the built-in ones), %d warm runs each\n\n", plugins, runs);
    std::printf("%-28s %12s %10s\n", "command", "median ms", "best ms");
    double listing = 0;
    for (const auto &[label, arguments] :
         std::vector<std::pair<std::string, std::vector<std::string>>>{{"items (no plugin)", {"items", "--json"}},
                                                                       {"plugins --json (listing)", {"plugins", "--json"}},
                                                                       {"backends --json (loads all)", {"backends", "--json"}}}) {
        const Timing timing = time_command(arguments, scratch);
        if (arguments.front() == "plugins") listing = timing.median_ms;
        std::printf("%-28s %12.1f %10.1f\n", label.c_str(), timing.median_ms, timing.best_ms);
    }
    std::printf("\nlisting goal: under %.0f ms warm: %s (%.1f ms)\n", listing_goal_ms,
                listing < listing_goal_ms ? "met" : "NOT met", listing);
    fs::remove_all(scratch);
    return 0;
}
