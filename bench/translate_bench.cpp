// Benchmark (not a test): the apertium translate plugin against the `apertium` program run by hand
// (`apertium eng-spa < lines.txt`, its default text format) on the same hand-translated dialogue
// lines (bench/data/dialogue.en-es.tsv): chrF of each against the references, the lines each kept
// aligned, and wall time. Exits 1 when the backend scores below the program.
//   dubhost_translate_bench
#include "bench_plugins.hpp"
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "character_f_score.hpp"

#include <dubhost/support/process.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct ParallelSet {
    std::vector<std::string> sources, references;
};

ParallelSet read_set(const fs::path &path) {
    ParallelSet set;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
        set.sources.push_back(line.substr(0, tab));
        set.references.push_back(line.substr(tab + 1));
    }
    return set;
}

std::string trimmed(const std::string &text) {
    const auto first = text.find_first_not_of(" \t");
    return first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

void report(const char *who, const std::vector<std::string> &output, const ParallelSet &set, double seconds) {
    std::printf("%-28s chrF %5.1f   lines %zu of %zu   %.2f s\n", who,
                dubhost::scoring::character_f_score(output, set.references), output.size(), set.references.size(), seconds);
}

}  // namespace

int main() {
    spdlog::set_level(spdlog::level::warn);
    const ParallelSet set = read_set(DUBHOST_TRANSLATION_SET);
    const dubhost::bench::BenchPlugins plugins;
    const auto &services = plugins.services();
    const auto *backend = &plugins.require("translate", "apertium");
    std::printf("%zu lines of dialogue, English to Spanish (%s)\n\n", set.sources.size(), DUBHOST_TRANSLATION_SET);

    // The backend: one segment per line, through the plugin as the translate stage calls it.
    const fs::path out = fs::temp_directory_path() / ("dubhost-translate-bench-" + std::to_string(::getpid()));
    json segments = json::array();
    for (std::size_t i = 0; i < set.sources.size(); ++i)
        segments.push_back({{"id", i + 1}, {"start", i * 2000}, {"end", i * 2000 + 1500}, {"text", set.sources[i]}});
    const json job = {
        {"inputs",
         {{"track", {{"language", "en"}, {"segments", segments}}}, {"source_language", "en"}, {"target_language", "es"}}},
        {"params", json::object()},
        {"outputs", {{"track", (out / "track.json").string()}}}};
    auto started = std::chrono::steady_clock::now();
    const auto outcome = dubhost::call_backend(backend->entry_points(), dubhost::BackendEntry::run, services, job);
    const double backend_seconds = since(started);
    if (!outcome.ok()) {
        std::fprintf(stderr, "the backend failed: %s\n", outcome.document.dump().c_str());
        return 2;
    }
    std::vector<std::string> from_backend;
    {
        std::ifstream in(out / "track.json");
        const json track = json::parse(in);
        for (const auto &segment : track["segments"]) from_backend.push_back(segment["text"]);
    }
    fs::remove_all(out);

    // The program, as a user runs it by hand on a text file of the lines.
    std::string lines;
    for (const auto &source : set.sources) lines += source + "\n";
    dubhost::ProcessRequest request;
    request.argv = {"apertium", "eng-spa"};
    request.stdin_data = lines;
    started = std::chrono::steady_clock::now();
    const auto program = dubhost::run_process(request);
    const double program_seconds = since(started);
    if (!program.succeeded()) {
        std::fprintf(stderr, "apertium eng-spa: %s %s\n", program.outcome().c_str(), program.last_lines(3).c_str());
        return 2;
    }
    std::vector<std::string> from_program;
    std::istringstream printed(program.out);
    for (std::string line; std::getline(printed, line);) from_program.push_back(trimmed(line));

    report("dubhost translate apertium", from_backend, set, backend_seconds);
    report("apertium eng-spa (by hand)", from_program, set, program_seconds);
    const double ours = dubhost::scoring::character_f_score(from_backend, set.references);
    const double theirs = dubhost::scoring::character_f_score(from_program, set.references);
    std::printf("\nbackend %s the program (%+.1f chrF)\n", ours >= theirs ? "matches or beats" : "is BELOW", ours - theirs);
    auto spaced = [](std::string text) {  // runs of spaces do not count: chrF ignores them too
        std::string single;
        for (char c : text)
            if (c != ' ' || (!single.empty() && single.back() != ' ')) single.push_back(c);
        return single;
    };
    for (std::size_t i = 0; i < set.sources.size() && i < from_program.size(); ++i)
        if (spaced(from_backend[i]) != spaced(from_program[i]))
            std::printf("  differs: %s\n    backend: %s\n    program: %s\n", set.sources[i].c_str(), from_backend[i].c_str(),
                        from_program[i].c_str());
    return ours >= theirs ? 0 : 1;
}
