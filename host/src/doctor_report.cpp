#include "dubhost/host/doctor_report.hpp"

#include "dubhost/host/python_discovery.hpp"
#include "dubhost/host/version.hpp"
#include "dubhost/host/workspace.hpp"

#include <fstream>
#include <sstream>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

nlohmann::json check(const std::string &name, bool ok, const std::string &message, const std::string &hint = {}) {
    return {{"name", name}, {"ok", ok}, {"message", message}, {"hint", hint}};
}

nlohmann::json workspace_section(const fs::path &root) {
    std::error_code error;
    const bool exists = fs::exists(root / "library.db", error);
    nlohmann::json disk = nlohmann::json::object();
    for (const char *part : {"items", "derived", "packs", "logs", "cache"}) disk[part] = disk_usage(root / part);
    disk["library_db"] = disk_usage(root / "library.db");
    disk["total"] = disk_usage(root);
    return {{"path", root.string()}, {"exists", exists}, {"disk_bytes", disk}};
}

// Packs are described by pack.json files; installed ones have a receipt in the workspace.
nlohmann::json packs_section(const fs::path &manifests, const fs::path &workspace) {
    nlohmann::json packs = nlohmann::json::array();
    std::error_code error;
    for (fs::directory_iterator it(manifests, error), end; !error && it != end; it.increment(error)) {
        const fs::path manifest_path = it->path() / "pack.json";
        std::ifstream in(manifest_path);
        if (!in) continue;
        std::stringstream text;
        text << in.rdbuf();
        const auto manifest = nlohmann::json::parse(text.str(), nullptr, false);
        const std::string id = it->path().filename().string();
        if (manifest.is_discarded()) {
            packs.push_back({{"id", id}, {"state", "bad-manifest"}, {"manifest", manifest_path.string()}});
            continue;
        }
        const bool installed = fs::exists(workspace / "packs" / id / "receipt.json", error);
        packs.push_back({{"id", id},
                         {"state", installed ? "installed" : "not-installed"},
                         {"manifest", manifest_path.string()},
                         {"download_bytes", manifest.value("download_bytes", nlohmann::json(nullptr))},
                         {"disk_bytes", manifest.value("disk_bytes", nlohmann::json(nullptr))},
                         {"disk_used_bytes", disk_usage(workspace / "packs" / id)},
                         {"install", "dubhost pack install " + id}});
    }
    return packs;
}

}  // namespace

nlohmann::json build_doctor_report(const DoctorInputs &inputs) {
    nlohmann::json report;
    report["version"] = {{"dubhost", dubhost_version()}, {"plugin_abi", plugin_abi_version()}};
    report["workspace"] = workspace_section(inputs.workspace);

    const PluginRegistry &registry = *inputs.registry;
    nlohmann::json plugins = nlohmann::json::array();
    for (const auto &plugin : registry.plugins())
        plugins.push_back({{"id", plugin->manifest.id},
                           {"version", plugin->manifest.version},
                           {"path", plugin->report.candidate.library.string()}});
    report["plugins"] = {{"loaded", plugins}, {"rejected", registry.rejected()}};
    report["backends"] = *inputs.choices;
    report["packs"] = packs_section(inputs.packs_dir, inputs.workspace);
    report["packs_dir"] = inputs.packs_dir.string();
    const auto interpreters = discover_python_interpreters();
    report["python"] = interpreters;

    nlohmann::json checks = nlohmann::json::array();
    checks.push_back(check("plugins", registry.rejected().empty(),
                           std::to_string(registry.plugins().size()) + " plugin(s) loaded, " +
                               std::to_string(registry.rejected().size()) + " file(s) rejected",
                           registry.rejected().empty() ? "" : "see why with `dubhost plugins`"));
    for (const auto &choice : *inputs.choices) {
        if (std::find(pipeline_capabilities().begin(), pipeline_capabilities().end(), choice.capability) ==
            pipeline_capabilities().end())
            continue;
        const bool ok = choice.selected.has_value();
        checks.push_back(check("backend:" + choice.capability, ok,
                               ok ? choice.capability + " uses '" + choice.candidates[*choice.selected].backend.info->id + "'"
                                  : "no installed " + choice.capability + " backend: " + choice.reason,
                               ok ? "" : "install a plugin that provides '" + choice.capability + "' (see `dubhost backends`)"));
    }
    const bool python_ok =
        std::any_of(interpreters.begin(), interpreters.end(), [](const auto &p) { return p.runs && p.has_venv; });
    checks.push_back(check(
        "python", python_ok,
        python_ok ? "a Python interpreter with venv support is available for packs"
                  : "no Python interpreter with venv support: Python packs cannot be installed (the native backends still work)",
        python_ok ? "" : "apt-get install python3 python3-venv"));
    report["checks"] = checks;
    return report;
}

}  // namespace dubhost
