// Summing file sizes under a folder (disk_usage.hpp), without following links.
#include <dubhost/support/disk_usage.hpp>

namespace dubhost {
namespace fs = std::filesystem;

std::uint64_t disk_usage(const fs::path &path) {
    std::error_code error;
    if (!fs::exists(fs::symlink_status(path, error))) return 0;
    if (fs::is_regular_file(fs::symlink_status(path, error))) return fs::file_size(path, error);
    std::uint64_t total = 0;
    for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error), end;
         !error && it != end; it.increment(error))
        if (it->is_regular_file(error) && !it->is_symlink(error)) total += it->file_size(error);
    return total;
}

}  // namespace dubhost
