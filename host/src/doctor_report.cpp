#include "dubhost/host/doctor_report.hpp"

#include "dubhost/host/python_discovery.hpp"
#include "dubhost/host/version.hpp"
#include "dubhost/host/workspace.hpp"

#include <dubhost/packs/pack_installer.hpp>
#include <dubhost/plugin.hpp>

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

// Every pack a loaded plugin provides (plugin.json's `pack`), its state read by the pack runtime from
// the pack.json beside the plugin and the workspace's packs/<id>/.
nlohmann::json packs_section(const PluginRegistry &registry, const fs::path &workspace) {
    nlohmann::json packs = nlohmann::json::array();
    for (const auto &plugin : registry.plugins()) {
        if (plugin->manifest.pack.empty()) continue;
        const fs::path manifest_path = plugin->report.candidate.library.parent_path() / "pack.json";
        nlohmann::json entry = {{"id", plugin->manifest.pack},
                                {"plugin", plugin->manifest.id},
                                {"manifest", manifest_path.string()},
                                {"install", "dubhost pack install " + plugin->manifest.pack}};
        try {
            const packs::PackManifest manifest = packs::read_pack_manifest(manifest_path);
            const nlohmann::json status = packs::pack_status(manifest, workspace / "packs");
            for (const char *field : {"state", "problem", "python_range", "size", "system_missing", "provide"})
                entry[field] = status[field];
            entry["disk_used_bytes"] = disk_usage(workspace / "packs" / manifest.id);
            if (status.contains("installed")) {
                entry["installed"] = status["installed"];
                entry["installed"]["installed_at"] = status["receipt"].value("installed_at", std::string());
            }
        } catch (const sdk::CallError &error) {
            entry["state"] = "bad-manifest";
            entry["problem"] = error.what();
        }
        packs.push_back(std::move(entry));
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
    report["packs"] = packs_section(registry, inputs.workspace);
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
    for (const auto &pack : report["packs"]) {
        const std::string state = pack["state"];
        if (state == "installed" || state == "not-installed") continue;  // packs are optional; a damaged one is not
        checks.push_back(
            check("pack:" + pack["id"].get<std::string>(), false,
                  "pack " + pack["id"].get<std::string>() + " is " + state + ": " + pack.value("problem", std::string()),
                  state == "bad-manifest" ? "reinstall the " + pack["plugin"].get<std::string>() + " plugin"
                                          : "run `" + pack["install"].get<std::string>() + "`"));
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
