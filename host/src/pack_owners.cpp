#include "dubhost/host/pack_owners.hpp"

#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/workspace.hpp"

#include <dubhost/support/disk_usage.hpp>
#include <dubhost/support/error.hpp>

#include <regex>

namespace dubhost {
namespace {

std::string known_packs(const std::map<std::string, PackOwner> &owners) {
    std::string list;
    for (const auto &[id, owner] : owners) list += (list.empty() ? "" : ", ") + id;
    return list.empty() ? "none (no pack-backed plugin is installed)" : list;
}

}  // namespace

std::map<std::string, PackOwner> pack_owners(const PluginRegistry &registry) {
    std::map<std::string, PackOwner> owners;
    for (const auto &plugin : registry.plugins()) {
        if (plugin->manifest.pack.empty()) continue;
        for (const auto &declared : plugin->manifest.backends)
            if (const RegisteredBackend *backend = registry.find(declared.capability, declared.id);
                backend && backend->plugin == plugin.get()) {
                owners.try_emplace(plugin->manifest.pack, PackOwner{plugin.get(), *backend});
                break;
            }
    }
    return owners;
}

const PackOwner &require_pack_owner(const std::map<std::string, PackOwner> &owners, const std::string &id) {
    const auto found = owners.find(id);
    if (found == owners.end())
        throw user_error("unknown-pack", "no plugin here provides a pack named '" + id + "'",
                         "packs here: " + known_packs(owners) + " (see `dubhost pack list`)");
    return found->second;
}

void require_pack_id(const std::string &id) {
    if (!std::regex_match(id, std::regex("^[a-z0-9][a-z0-9._-]*$")))
        throw user_error("bad-pack-id", "'" + id + "' is not a pack id", "see `dubhost pack list`");
}

nlohmann::json pack_state(HostServices &services, const std::string &id, const PackOwner &owner) {
    const CallOutcome outcome = call_backend(owner.backend, BackendEntry::status, services, nlohmann::json::object());
    nlohmann::json state = outcome.ok() && outcome.document.contains("pack")
                               ? outcome.document["pack"]
                               : nlohmann::json{{"id", id}, {"state", "unknown"}, {"problem", outcome.error_message()}};
    // Measured now, here rather than in the plugin's status, which backend selection asks on every command.
    if (const auto packs = services.paths().find("packs"); packs != services.paths().end())
        state["disk_used_bytes"] = disk_usage(std::filesystem::path(packs->second) / id);
    state["plugin"] = owner.plugin->manifest.id;
    state["backends"] = nlohmann::json::array();
    for (const auto &backend : owner.plugin->manifest.backends)
        state["backends"].push_back(backend.capability + "/" + backend.id);
    return state;
}

nlohmann::json install_pack(HostServices &services, const PackOwner &owner, const nlohmann::json &request) {
    const CallOutcome outcome = call_backend(owner.backend, BackendEntry::install, services, request);
    if (!outcome.ok()) {
        const ErrorKind kind = outcome.status == DUBHOST_STATUS_BAD_REQUEST || outcome.status == DUBHOST_STATUS_NOT_INSTALLED
                                   ? ErrorKind::user
                                   : ErrorKind::backend;
        throw Failure(kind, outcome.error_code("install-failed"), outcome.error_message(), outcome.error_hint());
    }
    return outcome.document;
}

nlohmann::json remove_pack(HostServices &services, const PackOwner &owner) {
    return install_pack(services, owner, {{"remove", true}});
}

bool remove_orphaned_pack(const std::filesystem::path &packs_dir, const std::string &id) {
    const std::filesystem::path folder = packs_dir / id;
    std::error_code error;
    if (!std::filesystem::exists(folder, error)) return false;
    std::filesystem::remove_all(folder, error);
    if (error)
        throw user_error("remove-failed", "cannot remove " + folder.string() + ": " + error.message(),
                         "check the folder's permissions");
    return true;
}

}  // namespace dubhost
