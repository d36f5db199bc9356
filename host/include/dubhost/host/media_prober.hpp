// Asking the best installed "probe" backend what a media file holds, for import.
// Used by the CLI and the Python module when they import a file.
#pragma once

#include "dubhost/host/host_services.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace dubhost {

struct ProbeResult {
    std::string probe_json;  // the backend's document (docs/reference/jobs.md, probe)
    std::string media_kind;  // "video" or "audio"
    std::string format;      // container name as FFmpeg calls it
};

// Throws Failure(user) for a file the backend cannot read as media, naming file and reason.
using MediaProber = std::function<ProbeResult(const std::filesystem::path &)>;

// The highest-priority installed probe backend as a MediaProber; nullopt when there is none (import
// then records the container from the file's signature only).
std::optional<MediaProber> prober_from_registry(const PluginRegistry &registry, const HostServices &services);

}  // namespace dubhost
