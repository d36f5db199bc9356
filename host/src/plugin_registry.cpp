#include "dubhost/host/plugin_registry.hpp"

#include "dubhost/host/isolated_scan.hpp"
#include "dubhost/host/plugin_permissions.hpp"
#include "dubhost/host/scan_cache.hpp"
#include "dubhost/host/stage_table.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <dubhost/support/error.hpp>

#include <algorithm>
#include <fstream>
#include <mutex>

namespace dubhost {

// Loads a plugin that discovery only listed, the first time one of its backends is called.
class PluginLoader {
public:
    explicit PluginLoader(const HostServices &services) : services_(services) {}

    const dubhost_backend &entry_points(const LoadedPlugin &listed, const BackendInfo &backend) {
        const std::lock_guard lock(mutex_);
        auto &plugin = const_cast<LoadedPlugin &>(listed);  // the registry owns it; only this fills it in
        if (!plugin.descriptor) {
            spdlog::debug("loading plugin {} for its first call", plugin.manifest.id);
            LoadResult loaded = load_plugin(plugin.report.candidate, {}, services_);
            if (!loaded.plugin)
                throw Failure(ErrorKind::backend, "plugin-load-failed",
                              "plugin " + plugin.manifest.id + " (" + plugin.report.candidate.library.string() +
                                  ") passed its scan but cannot be loaded now: " + loaded.report.reason,
                              "see `dubhost plugin check " + plugin.report.candidate.library.string() + "`");
            std::vector<const dubhost_backend *> ordered;  // parallel to the listed manifest's backends
            for (const auto &declared : plugin.manifest.backends)
                for (std::size_t i = 0; i < loaded.plugin->manifest.backends.size(); ++i)
                    if (loaded.plugin->manifest.backends[i].capability == declared.capability &&
                        loaded.plugin->manifest.backends[i].id == declared.id)
                        ordered.push_back(loaded.plugin->backends[i]);
            plugin.backends = std::move(ordered);
            plugin.descriptor = loaded.plugin->descriptor;
        }
        for (std::size_t i = 0; i < plugin.manifest.backends.size() && i < plugin.backends.size(); ++i)
            if (&plugin.manifest.backends[i] == &backend) return *plugin.backends[i];
        throw Failure(ErrorKind::internal, "no-such-backend",
                      "plugin " + plugin.manifest.id + " has no backend " + backend.capability + "/" + backend.id);
    }

private:
    const HostServices &services_;
    std::mutex mutex_;
};

const dubhost_backend &RegisteredBackend::entry_points() const { return loader->entry_points(*plugin, *info); }

namespace {

// A plugin may not take over a (capability, backend id) pair another plugin already provides.
std::optional<std::string> backend_clash(const LoadedPlugin &candidate,
                                         const std::vector<std::unique_ptr<LoadedPlugin>> &accepted) {
    for (const auto &backend : candidate.manifest.backends)
        for (const auto &plugin : accepted)
            for (const auto &existing : plugin->manifest.backends)
                if (existing.capability == backend.capability && existing.id == backend.id)
                    return "backend " + backend.capability + "/" + backend.id + " is already provided by plugin '" +
                           plugin->manifest.id + "'; remove one of the two plugins";
    return std::nullopt;
}

// The id plugin.json gives, read without loading anything; nullopt when there is none to read.
std::optional<std::string> manifest_id(const PluginCandidate &candidate) {
    if (candidate.manifest_path.empty()) return std::nullopt;
    std::ifstream in(candidate.manifest_path);
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (!document.is_object() || !document.contains("id") || !document["id"].is_string()) return std::nullopt;
    return document["id"].get<std::string>();
}

}  // namespace

PluginRegistry PluginRegistry::discover(const std::vector<PluginSearchDir> &search_path, const HostServices &services,
                                        const DiscoveryOptions &options) {
    PluginRegistry registry;
    registry.loader_ = std::make_shared<PluginLoader>(services);
    std::vector<std::string> taken_ids;
    std::optional<ScanCache> cache;
    if (options.scanner && !options.cache_file.empty()) cache.emplace(options.cache_file);
    for (const auto &candidate : find_plugin_candidates(search_path)) {
        if (auto unsafe = unsafe_plugin_permissions(candidate)) {
            spdlog::warn("refusing plugin {}: {}", candidate.library.string(), *unsafe);
            registry.rejected_.push_back({candidate, ScanState::unsafe_permissions, "not loaded: " + *unsafe, std::nullopt});
            continue;
        }
        if (auto id = manifest_id(candidate); id && options.disabled.count(*id)) {
            registry.rejected_.push_back({candidate, ScanState::disabled,
                                          "disabled on this machine; `dubhost plugins enable " + *id + "` turns it back on",
                                          std::nullopt});
            continue;
        }
        if (options.scanner) {
            std::optional<ScanReport> verdict = cache ? cache->lookup(candidate) : std::nullopt;
            if (!verdict) {
                spdlog::debug("scanning {} in a child process", candidate.library.string());
                verdict = scan_in_child(candidate, *options.scanner, options.scan_timeout);
                if (cache) cache->store(candidate, *verdict);
            }
            if (verdict->state != ScanState::ok) {
                registry.rejected_.push_back(std::move(*verdict));
                continue;
            }
        }
        // With a verdict from the scanner the library is only described now and loaded at its first
        // call: listing, backend checks and planning cost no dlopen and run no plugin code.
        LoadResult result = options.scanner ? describe_plugin(candidate, taken_ids) : load_plugin(candidate, taken_ids, services);
        if (result.plugin) {
            if (auto clash = backend_clash(*result.plugin, registry.plugins_)) {
                result.report.state = ScanState::duplicate_id;
                result.report.reason = *clash;
                result.plugin.reset();
            }
        }
        if (!result.plugin) {
            spdlog::debug("plugin {} rejected: {} ({})", candidate.library.string(), scan_state_name(result.report.state),
                          result.report.reason);
            registry.rejected_.push_back(std::move(result.report));
            continue;
        }
        spdlog::debug("plugin {} {} {} from {}", result.plugin->manifest.id, result.plugin->manifest.version,
                      result.plugin->descriptor ? "loaded" : "listed", candidate.library.string());
        taken_ids.push_back(result.plugin->manifest.id);
        registry.plugins_.push_back(std::move(result.plugin));
    }
    if (cache) cache->save();
    for (const auto &plugin : registry.plugins_)
        for (const BackendInfo &info : plugin->manifest.backends) {
            if (auto mismatch = stage_mismatch(info)) {
                spdlog::debug("not using backend {}/{} of plugin {}: {}", info.capability, info.id, plugin->manifest.id,
                              *mismatch);
                registry.rejected_backends_.push_back({plugin.get(), &info, *mismatch});
                continue;
            }
            registry.ranked_.push_back({plugin.get(), &info, registry.loader_.get()});
        }
    std::stable_sort(registry.ranked_.begin(), registry.ranked_.end(),
                     [](const RegisteredBackend &a, const RegisteredBackend &b) {
                         if (a.info->priority != b.info->priority) return a.info->priority > b.info->priority;
                         if (a.plugin->manifest.id != b.plugin->manifest.id) return a.plugin->manifest.id < b.plugin->manifest.id;
                         return a.info->id < b.info->id;
                     });
    return registry;
}

std::vector<RegisteredBackend> PluginRegistry::backends(const std::string &capability) const {
    std::vector<RegisteredBackend> matching;
    for (const auto &backend : ranked_)
        if (backend.info->capability == capability) matching.push_back(backend);
    return matching;
}

const RegisteredBackend *PluginRegistry::find(const std::string &capability, const std::string &backend_id) const {
    for (const auto &backend : ranked_)
        if (backend.info->capability == capability && backend.info->id == backend_id) return &backend;
    return nullptr;
}

std::vector<std::string> PluginRegistry::capabilities() const {
    std::vector<std::string> capabilities = stage_names();
    for (const auto &backend : ranked_)
        if (std::find(capabilities.begin(), capabilities.end(), backend.info->capability) == capabilities.end())
            capabilities.push_back(backend.info->capability);
    return capabilities;
}

}  // namespace dubhost
