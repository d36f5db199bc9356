// Where dubhost looks for things: its own binary, XDG folders, the workspace and plugin search path.
// Used by the CLI and the Python module to build their defaults; nothing here touches the disk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dubhost {

std::filesystem::path executable_path();
std::filesystem::path xdg_data_home();
std::filesystem::path xdg_config_home();
std::filesystem::path xdg_cache_home();

// --workspace > $DUBHOST_WORKSPACE > $XDG_DATA_HOME/dubhost/workspace
std::filesystem::path default_workspace_path();
// Where packs are installed and run from: $DUBHOST_PACKS, else <workspace>/packs. Batch tasks point
// it at packs installed once on shared storage, which they only read (docs/batch.md).
std::filesystem::path packs_folder(const std::filesystem::path &workspace_root);

// The machine profile: $XDG_CONFIG_HOME/dubhost/profile.json
std::filesystem::path profile_path();

// Plugins turned off on this machine: $XDG_CONFIG_HOME/dubhost/plugins.json
std::filesystem::path plugin_settings_path();

// Verdicts of isolated plugin scans: $XDG_CACHE_HOME/dubhost/registry.json
std::filesystem::path scan_cache_path();

struct PluginSearchDir {
    std::filesystem::path path;
    std::string origin;  // "--plugin-path", "DUBHOST_PLUGIN_PATH", "user", "install"
};

// In order: --plugin-path entries, $DUBHOST_PLUGIN_PATH (colon-separated), the user plugin dir,
// and <binary>/../lib/dubhost/plugins (the install prefix, which is also the build tree layout).
// `safe_mode` keeps only the last (in-tree plugins).
std::vector<PluginSearchDir> plugin_search_path(const std::vector<std::filesystem::path> &command_line_dirs,
                                                bool safe_mode = false);

}  // namespace dubhost
