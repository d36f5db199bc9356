// The in-tree plugins a benchmark calls: discovered beside its binary (<build>/lib/dubhost/plugins,
// the install layout), and the backend it needs, or an exit naming the plugin that is missing.
// Header-only; used by the ASR, TTS and translation benchmarks.
#pragma once

#include "dubhost/host/plugin_registry.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace dubhost::bench {

class BenchPlugins {
public:
    BenchPlugins()
        : folder_(std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "lib" / "dubhost" / "plugins"),
          services_({{"workspace", "/tmp"}}, "bench"),
          registry_(PluginRegistry::discover({{folder_, "bench"}}, services_)) {}

    const HostServices &services() const { return services_; }
    const PluginRegistry &registry() const { return registry_; }

    // The backend, or exit status 1 after saying which plugin is missing and where it was looked for.
    const RegisteredBackend &require(const std::string &capability, const std::string &id) const {
        if (const RegisteredBackend *found = registry_.find(capability, id)) return *found;
        std::fprintf(stderr, "no %s/%s plugin under %s (build it: cmake --build --preset dev)\n", capability.c_str(), id.c_str(),
                     folder_.c_str());
        std::exit(1);
    }

private:
    std::filesystem::path folder_;
    HostServices services_;
    PluginRegistry registry_;
};

}  // namespace dubhost::bench
