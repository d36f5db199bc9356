#include "dubhost/host/isolated_scan.hpp"

#include "dubhost/host/host_services.hpp"

#include <dubhost/packs/process.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string_view>

namespace dubhost {
namespace {

// The report is the child's last line with this prefix: whatever a plugin prints while it loads
// goes to the same stdout.
constexpr std::string_view report_marker = "dubhost-scan-report: ";

constexpr const char *retry_hint = "; it is not loaded again until the file changes (`dubhost plugin check PATH` tries it now)";

ScanReport failed(const PluginCandidate &candidate, ScanState state, std::string reason) {
    return ScanReport{candidate, state, std::move(reason), std::nullopt};
}

}  // namespace

ScanReport scan_in_child(const PluginCandidate &candidate, const std::filesystem::path &scanner,
                         std::chrono::milliseconds timeout) {
    packs::ProcessRequest request;
    request.argv = {scanner.string(), scanner_mode_argument, candidate.library.string(), candidate.manifest_path.string(),
                    candidate.origin};
    request.timeout = timeout;
    request.kept_output_bytes = 1 << 20;
    const packs::ProcessResult result = packs::run_process(request);
    if (!result.started)
        return failed(candidate, ScanState::crashed, "the plugin scanner could not start (" + result.start_error + ")");
    const std::string last = result.last_lines(3);
    const std::string said = last.empty() ? "" : "; its last words: " + last;
    if (result.timed_out)
        return failed(candidate, ScanState::hung,
                      "loading it did not finish within " +
                          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                          " s (an endless loop in a static initialiser or init?)" + said + retry_hint);
    if (result.exit_code == 0)
        if (const auto at = result.out.rfind(report_marker); at != std::string::npos) {
            const std::string line = result.out.substr(at + report_marker.size());
            if (auto report = scan_report_from_json(nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false)))
                return *report;
        }
    return failed(candidate, ScanState::crashed, "loading it ended the scanner process: " + result.outcome() + said + retry_hint);
}

int run_scanner_mode(int argc, char **argv) {
    if (argc < 5) {
        std::cerr << "usage: dubhost " << scanner_mode_argument << " LIBRARY MANIFEST ORIGIN (used by dubhost itself)\n";
        return 64;
    }
    spdlog::set_level(spdlog::level::off);  // stdout carries the report
    const PluginCandidate candidate{argv[2], argv[3], argv[4], {}};
    // The same services a real load gets, minus a workspace: init must not depend on one.
    const HostServices services({}, "plugin-scan");
    const LoadResult result = load_plugin(candidate, {}, services);
    std::cout << '\n' << report_marker << nlohmann::json(result.report).dump() << std::endl;
    return 0;
}

}  // namespace dubhost
