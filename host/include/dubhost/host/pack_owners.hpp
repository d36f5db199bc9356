// Which plugin answers for each Python pack: the plugins whose plugin.json names a pack, the first
// backend of each speaking for it (status, install). Used by `dubhost pack` and the Python module.
#pragma once

#include "dubhost/host/host_services.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace dubhost {

struct PackOwner {
    const LoadedPlugin *plugin = nullptr;
    RegisteredBackend backend;  // the plugin's first usable backend answers for the pack
};

std::map<std::string, PackOwner> pack_owners(const PluginRegistry &registry);
// The owner of pack `id`; throws a user Failure listing the packs there are.
const PackOwner &require_pack_owner(const std::map<std::string, PackOwner> &owners, const std::string &id);
// Pack ids name folders in the workspace: never a path. Throws a user Failure otherwise.
void require_pack_id(const std::string &id);
// The pack's state as its backend reports it, with the plugin and backends that use it.
nlohmann::json pack_state(HostServices &services, const std::string &id, const PackOwner &owner);
// Installs the pack through its owner's `install` entry and returns the receipt; a failure throws a
// Failure (user error when the request or the machine is at fault, backend error otherwise).
nlohmann::json install_pack(HostServices &services, const PackOwner &owner, const nlohmann::json &request);
// Asks the owner to delete the pack (install entry with {"remove": true}): {removed, folder}.
nlohmann::json remove_pack(HostServices &services, const PackOwner &owner);
// A pack no plugin speaks for: deletes <packs_dir>/<id>/, the folder the host lent it; false when
// there was none.
bool remove_orphaned_pack(const std::filesystem::path &packs_dir, const std::string &id);

}  // namespace dubhost
