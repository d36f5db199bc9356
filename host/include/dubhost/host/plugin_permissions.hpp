// Refusing plugin files that another user could have replaced. Like ssh's StrictModes: code loaded
// into dubhost runs as the user, so a library or folder that someone else may write is not trusted.
#pragma once

#include "dubhost/host/plugin_scan.hpp"

#include <optional>
#include <string>

namespace dubhost {

// Why `candidate` is unsafe to load, naming the path and the chmod/chown that fixes it; nullopt when
// its library, manifest, plugin folder and search folder are writable only by their owner (the
// user or root). Group write is accepted only for a user-private group (named after the owner).
// World-writable ancestors with the sticky bit (/tmp) are fine: others cannot replace our entries.
std::optional<std::string> unsafe_plugin_permissions(const PluginCandidate &candidate);

}  // namespace dubhost
