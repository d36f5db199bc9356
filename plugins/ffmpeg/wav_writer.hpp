// Streaming a WAV file to disk through a temporary name: readers never see a half-written file.
// Used by extract and mix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>

namespace dubhost::ffmpeg {

class WavWriter {
public:
    enum class Encoding { pcm16, float32 };

    // Writes to `<path>.part`; commit() completes the header and renames it to `path`. Without a
    // commit (an error, a cancel) the destructor removes the temporary file.
    WavWriter(std::filesystem::path path, int sample_rate, int channels, Encoding encoding);
    WavWriter(const WavWriter &) = delete;
    WavWriter &operator=(const WavWriter &) = delete;
    ~WavWriter();

    // Interleaved samples in [-1, 1]; 16-bit output is clipped and rounded.
    void write(const float *samples, std::size_t frames);
    void commit();
    std::uint64_t frames_written() const { return frames_; }

private:
    void write_header(std::uint64_t data_bytes);

    std::filesystem::path path_;
    std::filesystem::path temp_;
    std::FILE *file_ = nullptr;
    int sample_rate_;
    int channels_;
    Encoding encoding_;
    std::uint64_t frames_ = 0;
    bool committed_ = false;
};

}  // namespace dubhost::ffmpeg
