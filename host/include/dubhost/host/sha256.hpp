// SHA-256 of byte streams and files: content ids for imported items and artifact hashes for jobs.
// Used by the workspace (item ids, artifact records) and later by the pipeline's up-to-date checks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace dubhost {

class Sha256 {
public:
    Sha256();
    void update(const void *data, std::size_t size);
    void update(std::string_view text) { update(text.data(), text.size()); }
    std::array<std::uint8_t, 32> finish();
    std::string finish_hex();

private:
    void compress(const std::uint8_t *block);

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view text);

// Hashes a file in fixed-size chunks (memory stays flat for any file size). Throws Failure(user)
// naming the file when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path &path);

}  // namespace dubhost
