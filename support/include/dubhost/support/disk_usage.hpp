// How many bytes a file or folder occupies, for the doctor, `pack list` and install receipts.
// Links are not followed, so a pack's `current` link is not counted twice.
#pragma once

#include <cstdint>
#include <filesystem>

namespace dubhost {

// 0 for a path that does not exist; unreadable parts are skipped, never an error.
std::uint64_t disk_usage(const std::filesystem::path &path);

}  // namespace dubhost
