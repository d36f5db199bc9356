#include "dubhost/host/paths.hpp"

#include <cstdlib>
#include <system_error>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

std::string environment(const char *name) {
    const char *value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

fs::path home_directory() {
    const std::string home = environment("HOME");
    return home.empty() ? fs::path("/tmp") : fs::path(home);
}

void append_colon_separated(const std::string &list, const std::string &origin, std::vector<PluginSearchDir> &out) {
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t end = std::min(list.find(':', start), list.size());
        if (end > start) out.push_back({fs::path(list.substr(start, end - start)), origin});
        start = end + 1;
    }
}

}  // namespace

fs::path executable_path() {
    std::error_code error;
    fs::path path = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::path() : path;
}

fs::path xdg_cache_home() {
    const std::string value = environment("XDG_CACHE_HOME");
    return value.empty() ? home_directory() / ".cache" : fs::path(value);
}

fs::path plugin_settings_path() { return xdg_config_home() / "dubhost" / "plugins.json"; }

fs::path scan_cache_path() { return xdg_cache_home() / "dubhost" / "registry.json"; }

fs::path xdg_data_home() {
    const std::string value = environment("XDG_DATA_HOME");
    return value.empty() ? home_directory() / ".local" / "share" : fs::path(value);
}

fs::path xdg_config_home() {
    const std::string value = environment("XDG_CONFIG_HOME");
    return value.empty() ? home_directory() / ".config" : fs::path(value);
}

fs::path packs_folder(const fs::path &workspace_root) {
    const std::string value = environment("DUBHOST_PACKS");
    return value.empty() ? workspace_root / "packs" : fs::absolute(value);
}

fs::path default_workspace_path() {
    const std::string value = environment("DUBHOST_WORKSPACE");
    return value.empty() ? xdg_data_home() / "dubhost" / "workspace" : fs::path(value);
}

fs::path profile_path() { return xdg_config_home() / "dubhost" / "profile.json"; }

std::vector<PluginSearchDir> plugin_search_path(const std::vector<fs::path> &command_line_dirs, bool safe_mode) {
    std::vector<PluginSearchDir> dirs;
    if (!safe_mode) {
        for (const auto &dir : command_line_dirs) dirs.push_back({dir, "--plugin-path"});
        append_colon_separated(environment("DUBHOST_PLUGIN_PATH"), "DUBHOST_PLUGIN_PATH", dirs);
        dirs.push_back({xdg_data_home() / "dubhost" / "plugins", "user"});
    }
    const fs::path binary = executable_path();
    if (!binary.empty())
        dirs.push_back({(binary.parent_path().parent_path() / "lib" / "dubhost" / "plugins").lexically_normal(), "install"});
    return dirs;
}

}  // namespace dubhost
