// The few lines `dubhost pack list` and `dubhost doctor` print per pack (see pack_summary.hpp).
#include "pack_summary.hpp"

#include <cmath>

namespace dubhost::cli {

void print_pack_summary(std::ostream &out, const nlohmann::json &state, const std::string &indent) {
    out << indent << state.value("id", std::string("?")) << ": " << state.value("state", std::string("unknown"));
    if (!state.value("problem", std::string()).empty()) out << " (" << state["problem"].get<std::string>() << ")";
    out << "\n";
    if (state.contains("installed") && state["installed"].is_object()) {
        const auto &installed = state["installed"];
        const auto python = installed.value("python", nlohmann::json::object());
        out << indent << "  Python " << python.value("version", std::string("?")) << " (" << python.value("path", std::string())
            << "), " << installed.value("candidate", std::string()) << ", "
            << std::llround(state.value("disk_used_bytes", installed.value("disk_bytes", 0.0)) / (1024.0 * 1024.0))
            << " MiB on disk";
        if (installed.value("download_mb", 0.0) > 0)
            out << ", about " << std::llround(installed["download_mb"].get<double>()) << " MB downloaded";
        out << "\n";
        std::string resolved;
        const nlohmann::json versions = installed.value("resolved", nlohmann::json::object());
        for (const auto &[name, version] : versions.items())
            resolved += (resolved.empty() ? "" : ", ") + name + " " + version.get<std::string>();
        if (!resolved.empty()) out << indent << "  resolved " << resolved << "\n";
    } else if (state.contains("size") && state["size"].is_object()) {
        out << indent << "  installing downloads about " << std::llround(state["size"].value("download_mb", 0.0))
            << " MB and takes about " << std::llround(state["size"].value("disk_mb", 0.0)) << " MB on disk\n";
    }
    const nlohmann::json missing = state.value("system_missing", nlohmann::json::array());
    for (const auto &requirement : missing)
        out << indent << "  needs " << requirement.value("name", std::string()) << ": "
            << requirement.value("install", std::string()) << "\n";
    const nlohmann::json provide = state.value("provide", nlohmann::json::array());
    for (const auto &item : provide)
        out << indent << "  to do: " << item.value("what", std::string()) << ": `" << item.value("command", std::string())
            << "`\n";
}

}  // namespace dubhost::cli
