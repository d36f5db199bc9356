// Running a backend's `run` in a worker child process: the dubhost binary re-executed as
// `dubhost __run-job`, which loads the plugin, makes the call and reports back, so a backend that
// segfaults or aborts fails its job (with the signal and its last log lines) instead of ending the
// dubhost process and every later stage with it.
//
// The worker reads {library, manifest, origin, capability, backend, paths, log_source, request}
// on stdin and writes channel lines (support/channel.hpp) of protocol worker_channel_protocol:
// {"type": "log", level, message}, {"type": "progress", fraction, message}, then
// {"type": "result", status, document}. Its stdout
// and stderr go to the job's log. Cancelling sends it SIGTERM, which it turns into the SDK's
// cancel flag; a backend that ignores that is killed 3 s later.
#pragma once

#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include <filesystem>

namespace dubhost {

inline constexpr const char *worker_mode_argument = "__run-job";
inline constexpr int worker_channel_protocol = 1;

// `run` of `backend` in a child `worker`; progress, logs and cancellation go through `services`.
// Never throws for what the backend does: a crash is an error outcome ("backend-crashed").
CallOutcome run_in_worker(const RegisteredBackend &backend, HostServices &services, const nlohmann::json &request,
                          const std::filesystem::path &worker);

// The worker's side (argv as given to main, argv[1] == worker_mode_argument): returns the exit code.
int run_worker_mode(int argc, char **argv);

}  // namespace dubhost
