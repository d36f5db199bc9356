#include "cli_context.hpp"

#include "dubhost/host/paths.hpp"
#include "dubhost/host/plugin_settings.hpp"

#include <iostream>

namespace dubhost::cli {
namespace fs = std::filesystem;

fs::path CliContext::workspace_path() const {
    return options.workspace.empty() ? default_workspace_path() : fs::path(options.workspace);
}

Workspace &CliContext::workspace() {
    if (!workspace_) workspace_.emplace(Workspace::open(workspace_path()));
    return *workspace_;
}

HostServices &CliContext::services() {
    if (!services_) {
        const fs::path root = fs::absolute(workspace_path());
        services_ = std::make_unique<HostServices>(std::map<std::string, std::string>{{"workspace", root.string()},
                                                                                      {"derived", (root / "derived").string()},
                                                                                      {"packs", packs_folder(root).string()},
                                                                                      {"logs", (root / "logs").string()},
                                                                                      {"cache", (root / "cache").string()}},
                                                   "plugin");
    }
    return *services_;
}

const PluginRegistry &CliContext::registry() {
    if (!registry_) {
        std::vector<fs::path> dirs(options.plugin_paths.begin(), options.plugin_paths.end());
        DiscoveryOptions discovery;
        if (const auto self = executable_path(); !self.empty()) discovery.scanner = self;  // crash-isolated scans
        discovery.cache_file = scan_cache_path();
        discovery.disabled = load_disabled_plugins(plugin_settings_path());
        registry_.emplace(PluginRegistry::discover(plugin_search_path(dirs, options.safe_mode), services(), discovery));
    }
    return *registry_;
}

void CliContext::print_json(const nlohmann::json &document) { std::cout << document.dump(2) << '\n'; }

}  // namespace dubhost::cli
