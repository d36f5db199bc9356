// The plugins this process may use and the files it refused, with backends ranked per capability.
// Used by the CLI (plugins, backends, doctor) and by backend selection.
#pragma once

#include "dubhost/host/plugin_scan.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dubhost {

class PluginLoader;  // loads a listed plugin's library on first use (plugin_registry.cpp)

struct RegisteredBackend {
    const LoadedPlugin *plugin = nullptr;
    const BackendInfo *info = nullptr;
    PluginLoader *loader = nullptr;

    // The backend's entry points, loading its plugin's library the first time (init included).
    // Throws Failure(backend, "plugin-load-failed") naming the library when it cannot be loaded now.
    const dubhost_backend &entry_points() const;
};

// A backend of a loaded plugin that the host will not use: its declarations do not fit its stage.
struct RejectedBackend {
    const LoadedPlugin *plugin = nullptr;
    const BackendInfo *info = nullptr;
    std::string reason;
};

struct DiscoveryOptions {
    // When set, a library without a cached verdict is first loaded in a child process (this binary,
    // re-executed in scanner mode: isolated_scan.hpp). Libraries that passed there are listed from
    // their plugin.json and loaded here only when one of their backends is called; without a
    // scanner every library is loaded (and its init run) during discovery.
    std::optional<std::filesystem::path> scanner;
    std::filesystem::path cache_file;  // the verdicts (scan_cache.hpp); empty: scan every time
    std::chrono::milliseconds scan_timeout = std::chrono::seconds(10);
    std::set<std::string> disabled;  // plugin ids not to load (`dubhost plugins disable ID`)
};

class PluginRegistry {
public:
    // Scans the search path in order; the first plugin with a given id wins. Never throws for a bad
    // plugin file: it lands in rejected() with its state and reason. `services` is lent to every
    // plugin's init, now or at its first call, and must outlive the registry.
    static PluginRegistry discover(const std::vector<PluginSearchDir> &search_path, const HostServices &services,
                                   const DiscoveryOptions &options = {});

    const std::vector<std::unique_ptr<LoadedPlugin>> &plugins() const { return plugins_; }
    const std::vector<ScanReport> &rejected() const { return rejected_; }
    const std::vector<RejectedBackend> &rejected_backends() const { return rejected_backends_; }

    // Backends of one capability, best first: priority (high first), then plugin id, then backend id.
    std::vector<RegisteredBackend> backends(const std::string &capability) const;
    const RegisteredBackend *find(const std::string &capability, const std::string &backend_id) const;
    // Every capability some backend declares, the stages first (in pipeline order).
    std::vector<std::string> capabilities() const;

private:
    std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
    std::vector<ScanReport> rejected_;
    std::vector<RejectedBackend> rejected_backends_;
    std::vector<RegisteredBackend> ranked_;
    std::shared_ptr<PluginLoader> loader_;  // stays put when the registry moves
};

}  // namespace dubhost
