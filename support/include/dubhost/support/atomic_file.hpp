// Writing files so that readers see either the old content or the complete new one, never half.
// Used by the workspace (imports, exports) and by anything that writes an artifact.
#pragma once

#include <filesystem>
#include <string_view>

namespace dubhost {

// A temporary file beside `target` that is removed unless commit() renames it into place.
class PendingFile {
public:
    explicit PendingFile(std::filesystem::path target);
    PendingFile(const PendingFile &) = delete;
    PendingFile &operator=(const PendingFile &) = delete;
    ~PendingFile();

    const std::filesystem::path &temp_path() const noexcept { return temp_; }
    // Flushes the temporary file to disk and renames it over the target.
    void commit();

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    bool committed_ = false;
};

// Throws Failure(user) with the path and the system's reason on any error; leaves no temp file.
void write_file_atomically(const std::filesystem::path &target, std::string_view content);
void copy_file_atomically(const std::filesystem::path &source, const std::filesystem::path &target);

}  // namespace dubhost
