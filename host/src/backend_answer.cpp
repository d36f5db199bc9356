// A backend's answer as the host reads it (backend_answer.hpp).
#include "dubhost/host/backend_answer.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/json_fields.hpp>

namespace dubhost {

std::string CallOutcome::error_code(const std::string &fallback) const { return text_field(document, "code", fallback); }

std::string CallOutcome::error_message() const { return text_field(document, "message", "unknown error"); }

std::string CallOutcome::error_hint() const { return text_field(document, "hint"); }

CallOutcome read_backend_answer(int32_t status, const std::string &answer, const std::string &who) {
    CallOutcome outcome{status, nlohmann::json::parse(answer, nullptr, false)};
    if (answer.empty() || outcome.document.is_discarded() || !outcome.document.is_object()) {
        outcome.document = sdk::error_document("malformed-response", who + " returned a malformed answer (not a JSON object)",
                                               "report this to the plugin's author; run with -v for details");
        if (outcome.status == DUBHOST_STATUS_OK) outcome.status = DUBHOST_STATUS_ERROR;
        return outcome;
    }
    if (!outcome.ok() && !outcome.document.contains("message"))
        outcome.document = sdk::error_document(outcome.error_code("plugin-error"),
                                               who + " failed with status " + std::to_string(outcome.status));
    return outcome;
}

}  // namespace dubhost
