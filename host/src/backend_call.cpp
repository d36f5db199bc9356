// Calling one backend entry point across the C ABI; the answer is read by backend_answer.cpp.
#include "dubhost/host/backend_call.hpp"

#include "dubhost/host/plugin_registry.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/error.hpp>

namespace dubhost {
namespace {

using sdk::error_document;

dubhost_backend_call_fn entry_function(const dubhost_backend &backend, BackendEntry entry) {
    switch (entry) {
    case BackendEntry::status:
        return backend.status;
    case BackendEntry::install:
        return backend.install;
    case BackendEntry::run:
        return backend.run;
    }
    return nullptr;
}

const char *entry_name(BackendEntry entry) {
    switch (entry) {
    case BackendEntry::status:
        return "status";
    case BackendEntry::install:
        return "install";
    case BackendEntry::run:
        return "run";
    }
    return "?";
}

}  // namespace

CallOutcome call_backend(const dubhost_backend &backend, BackendEntry entry, const HostServices &services,
                         const nlohmann::json &request) {
    const std::string who = std::string("backend '") + (backend.id ? backend.id : "?") + "' " + entry_name(entry);
    const dubhost_backend_call_fn function = entry_function(backend, entry);
    if (function == nullptr) return {DUBHOST_STATUS_ERROR, error_document("not-supported", who + " is not provided")};
    dubhost_response response{};
    response.struct_size = sizeof(response);
    const std::string request_text = request.dump();
    const int32_t status = function(&backend, services.table(), request_text.c_str(), &response);
    const std::string answer = response.json ? std::string(response.json) : std::string();
    if (response.release) response.release(&response);

    return read_backend_answer(status, answer, who);
}

CallOutcome call_backend(const RegisteredBackend &backend, BackendEntry entry, const HostServices &services,
                         const nlohmann::json &request) {
    const dubhost_backend *entry_points = nullptr;
    try {
        entry_points = &backend.entry_points();
    } catch (const Failure &failure) {
        return {DUBHOST_STATUS_ERROR, error_document(failure.code(), failure.what(), failure.hint())};
    }
    return call_backend(*entry_points, entry, services, request);
}

}  // namespace dubhost
