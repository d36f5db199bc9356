// Fuzzes the check of a backend's declared parameters (run when a plugin is scanned): any text gives
// a list of problems, empty only for a sound schema, and never throws.
#include "fuzz_input.hpp"
#include "parameter_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    (void)dubhost::parameter_schema_problems(dubhost::fuzz::as_text(data, size));
    return 0;
}
