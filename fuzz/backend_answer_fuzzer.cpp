// Fuzzes the host's reading of a backend's answer (a plugin's response, or a job worker's result):
// any text under any status becomes an outcome whose error fields read as text, never an exception.
#include "dubhost/host/backend_answer.hpp"
#include "fuzz_input.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) return 0;
    const int32_t status = static_cast<int32_t>(data[0] % 8) - 1;  // the first byte picks the status, some unknown
    const dubhost::CallOutcome outcome = dubhost::read_backend_answer(status, dubhost::fuzz::as_text(data + 1, size - 1), "fuzz");
    if (!outcome.document.is_object()) std::abort();
    if (outcome.ok() && status != DUBHOST_STATUS_OK) std::abort();
    (void)outcome.error_code("fallback");
    (void)outcome.error_message();
    (void)outcome.error_hint();
    return 0;
}
