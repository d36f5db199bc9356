// What every dubhost fuzz target shares: the input as text, and the one kind of failure each parser
// may end with. Anything else escaping (another exception, a crash, a sanitizer report) is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dubhost::fuzz {

inline std::string as_text(const std::uint8_t *data, std::size_t size) { return {reinterpret_cast<const char *>(data), size}; }

}  // namespace dubhost::fuzz
