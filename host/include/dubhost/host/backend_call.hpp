// Calling one backend entry point (status, install or run) across the C ABI, and reading the answer.
// Used by the CLI's backends/doctor commands and by the pipeline.
#pragma once

#include "dubhost/host/backend_answer.hpp"
#include "dubhost/host/host_services.hpp"

#include <dubhost/plugin.h>
#include <nlohmann/json.hpp>

#include <string>

namespace dubhost {

enum class BackendEntry { status, install, run };

// Copies the plugin's answer and hands its memory back through the plugin's release callback.
// A malformed answer becomes an error outcome that names the backend; nothing here throws.
CallOutcome call_backend(const dubhost_backend &backend, BackendEntry entry, const HostServices &services,
                         const nlohmann::json &request);

struct RegisteredBackend;  // plugin_registry.hpp
// The same for a backend of the registry, loading its plugin first if discovery only listed it; a
// plugin that cannot be loaded now is an error outcome ("plugin-load-failed") too.
CallOutcome call_backend(const RegisteredBackend &backend, BackendEntry entry, const HostServices &services,
                         const nlohmann::json &request);

}  // namespace dubhost
