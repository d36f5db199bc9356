#include "dubhost/host/doctor_report.hpp"

#include "dubhost/host/pack_owners.hpp"
#include "dubhost/host/stage_table.hpp"
#include "dubhost/host/version.hpp"
#include "dubhost/host/workspace.hpp"

#include <dubhost/support/disk_usage.hpp>
#include <dubhost/support/python_interpreters.hpp>

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

// Every pack a loaded plugin provides, as its owning plugin reports it: the same answer as
// `dubhost pack list`, from the same call.
nlohmann::json packs_section(const PluginRegistry &registry, HostServices &services) {
    nlohmann::json packs = nlohmann::json::array();
    for (const auto &[id, owner] : pack_owners(registry)) packs.push_back(pack_state(services, id, owner));
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
    report["packs"] = packs_section(registry, *inputs.services);
    const auto interpreters = discover_python_interpreters();
    report["python"] = interpreters;

    nlohmann::json checks = nlohmann::json::array();
    for (const auto &backend : registry.rejected_backends())
        checks.push_back(check("backend:" + backend.info->capability + "/" + backend.info->id, false,
                               "plugin " + backend.plugin->manifest.id + "'s " + backend.info->capability + " backend " +
                                   backend.info->id + " is not used: " + backend.reason,
                               "update the " + backend.plugin->manifest.id + " plugin, or report it to its author"));
    checks.push_back(check("plugins", registry.rejected().empty(),
                           std::to_string(registry.plugins().size()) + " plugin(s) loaded, " +
                               std::to_string(registry.rejected().size()) + " file(s) rejected",
                           registry.rejected().empty() ? "" : "see why with `dubhost plugins`"));
    for (const auto &choice : *inputs.choices) {
        if (!find_stage(choice.capability)) continue;
        const bool ok = choice.selected.has_value();
        checks.push_back(check("backend:" + choice.capability, ok,
                               ok ? choice.capability + " uses '" + choice.candidates[*choice.selected].backend.info->id + "'"
                                  : "no installed " + choice.capability + " backend: " + choice.reason,
                               ok ? "" : "install a plugin that provides '" + choice.capability + "' (see `dubhost backends`)"));
    }
    for (const auto &pack : report["packs"]) {
        const std::string state = pack["state"];
        if (state == "installed" || state == "not-installed") continue;  // packs are optional; a damaged one is not
        const std::string id = pack["id"];
        checks.push_back(check("pack:" + id, false, "pack " + id + " is " + state + ": " + pack.value("problem", std::string()),
                               state == "unknown" ? "reinstall the " + pack["plugin"].get<std::string>() + " plugin"
                                                  : "run `dubhost pack install " + id + " --force`"));
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
