#include "dubhost/host/isolated_scan.hpp"

#include "dubhost/host/host_services.hpp"

#include <dubhost/support/channel.hpp>
#include <dubhost/support/process.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>

namespace dubhost {
namespace {

constexpr const char *retry_hint = "; it is not loaded again until the file changes (`dubhost plugin check PATH` tries it now)";

ScanReport failed(const PluginCandidate &candidate, ScanState state, std::string reason) {
    return ScanReport{candidate, state, std::move(reason), std::nullopt};
}

}  // namespace

ScanReport scan_in_child(const PluginCandidate &candidate, const std::filesystem::path &scanner,
                         std::chrono::milliseconds timeout) {
    ProcessRequest request;
    request.argv = {scanner.string(), scanner_mode_argument, candidate.library.string(), candidate.manifest_path.string(),
                    candidate.origin};
    request.timeout = timeout;
    request.kept_output_bytes = 64 * 1024;
    std::optional<ScanReport> report;
    std::string channel_problem;
    request.on_channel_line = [&](const std::string &line) {
        const ChannelRead read = read_channel_line(line, scanner_channel_protocol);
        if (!read.message)
            channel_problem = read.problem;
        else if (read.message->value("type", std::string()) == "report")
            report = scan_report_from_json(read.message->value("report", nlohmann::json()));
    };
    const ProcessResult result = run_process(request);
    if (!result.started)
        return failed(candidate, ScanState::crashed, "the plugin scanner could not start (" + result.start_error + ")");
    const std::string last = result.last_lines(3);
    const std::string said = last.empty() ? "" : "; its last words: " + last;
    if (result.timed_out)
        return failed(candidate, ScanState::hung,
                      "loading it did not finish within " +
                          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                          " s (an endless loop in a static initialiser or init?)" + said + retry_hint);
    if (result.exit_code == 0 && report) return *report;
    if (!channel_problem.empty())
        return failed(candidate, ScanState::crashed,
                      "the plugin scanner " + channel_problem + " (" + scanner.string() +
                          " is another build of dubhost: reinstall dubhost so both are the same)");
    return failed(candidate, ScanState::crashed, "loading it ended the scanner process: " + result.outcome() + said + retry_hint);
}

int run_scanner_mode(int argc, char **argv) {
    if (argc < 5) {
        std::cerr << "usage: dubhost " << scanner_mode_argument << " LIBRARY MANIFEST ORIGIN (used by dubhost itself)\n";
        return 64;
    }
    spdlog::set_level(spdlog::level::off);
    ChannelWriter channel(scanner_channel_protocol);
    if (!channel.open()) {
        std::cerr << "dubhost " << scanner_mode_argument << " is started by dubhost itself, with a pipe on fd 3\n";
        return 64;
    }
    const PluginCandidate candidate{argv[2], argv[3], argv[4], {}};
    // The same services a real load gets, minus a workspace: init must not depend on one.
    const HostServices services({}, "plugin-scan");
    const LoadResult result = load_plugin(candidate, {}, services);
    channel.send("report", {{"report", result.report}});
    return 0;
}

}  // namespace dubhost
