#include "dubhost/host/media_prober.hpp"

#include "dubhost/host/backend_call.hpp"

#include <dubhost/support/error.hpp>

namespace dubhost {

std::optional<MediaProber> prober_from_registry(const PluginRegistry &registry, const HostServices &services) {
    for (const RegisteredBackend &backend : registry.backends("probe")) {
        const CallOutcome status = call_backend(backend, BackendEntry::status, services, nlohmann::json::object());
        if (!status.ok() || !status.document.value("installed", false)) continue;
        return MediaProber([backend, &services](const std::filesystem::path &file) {
            const nlohmann::json job = {{"stage", "probe"}, {"inputs", {{"media", std::filesystem::absolute(file).string()}}}};
            const CallOutcome outcome = call_backend(backend, BackendEntry::run, services, job);
            if (!outcome.ok()) {
                const ErrorKind kind = outcome.status == DUBHOST_STATUS_BAD_REQUEST ? ErrorKind::user : ErrorKind::backend;
                throw Failure(kind, outcome.error_code("probe-failed"), outcome.error_message(), outcome.error_hint());
            }
            const nlohmann::json probe = outcome.document.value("probe", nlohmann::json::object());
            return ProbeResult{probe.dump(), probe.value("media_kind", std::string("unknown")),
                               probe.value("format", std::string())};
        });
    }
    return std::nullopt;
}

}  // namespace dubhost
