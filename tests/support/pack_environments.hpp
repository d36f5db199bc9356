// How many env-<stamp>/ folders a pack's folder holds: an install leaves exactly one (current), a failed
// or cancelled one none of its own.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace dubhost::test {

inline std::size_t pack_environments(const std::filesystem::path &root) {
    std::size_t count = 0;
    std::error_code error;
    for (std::filesystem::directory_iterator it(root, error), end; !error && it != end; it.increment(error))
        count += it->path().filename().string().rfind("env-", 0) == 0;
    return count;
}

}  // namespace dubhost::test
