// Small media files made in code for tests that need bytes of a known kind (not for quality checks:
// those use the real recordings listed in docs/reference/test-media.md).
#pragma once

#include "support/temp_dir.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

namespace dubhost::test {

// A 16-bit mono PCM WAV with a sine tone.
inline void write_wav_tone(const std::filesystem::path &path, int sample_rate, double seconds, double frequency) {
    const auto samples = static_cast<std::uint32_t>(sample_rate * seconds);
    std::string bytes;
    auto put32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    auto put16 = [&](std::uint16_t v) {
        for (int i = 0; i < 2; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    bytes += "RIFF";
    put32(36 + samples * 2);
    bytes += "WAVEfmt ";
    put32(16);
    put16(1);
    put16(1);
    put32(static_cast<std::uint32_t>(sample_rate));
    put32(static_cast<std::uint32_t>(sample_rate * 2));
    put16(2);
    put16(16);
    bytes += "data";
    put32(samples * 2);
    for (std::uint32_t i = 0; i < samples; ++i)
        put16(static_cast<std::uint16_t>(static_cast<std::int16_t>(8000 * std::sin(2 * M_PI * frequency * i / sample_rate))));
    write_file(path, bytes);
}

}  // namespace dubhost::test
