// A backend's answer (to status, install or run) as the host reads it: the status and the JSON
// document, with its error fields read safely. What a plugin or a job worker sends is checked
// here, so a malformed answer is an error outcome, never an exception. Fuzzed (fuzz/).
#pragma once

#include <dubhost/plugin.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace dubhost {

struct CallOutcome {
    int32_t status = DUBHOST_STATUS_ERROR;
    nlohmann::json document;  // the result on success, else {code, message, hint}

    bool ok() const { return status == DUBHOST_STATUS_OK; }
    std::string error_code(const std::string &fallback) const;
    std::string error_message() const;
    std::string error_hint() const;
};

// Reads a plugin's answer text. `who` names the call in messages ("backend 'x' run"). Anything but
// a JSON object is a `malformed-response` error; a failure without a message gets one.
CallOutcome read_backend_answer(int32_t status, const std::string &answer, const std::string &who);

}  // namespace dubhost
