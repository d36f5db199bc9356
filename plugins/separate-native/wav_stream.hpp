// Streaming WAV input and output for the separator: 16-bit PCM or 32-bit float in, 32-bit float
// out, read and written in blocks so a feature-length file never sits in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace dubhost::separate {

struct FileCloser {
    void operator()(std::FILE *file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

class WavReader {
public:
    // Throws sdk::CallError naming the file when it is missing or not a PCM16/float32 WAV.
    explicit WavReader(const std::filesystem::path &path);
    int sample_rate() const { return sample_rate_; }
    int channels() const { return channels_; }
    std::uint64_t frames() const { return frames_; }
    // Reads up to `frames` interleaved frames as float; returns how many were read (0 at the end).
    std::size_t read(float *destination, std::size_t frames);

private:
    std::filesystem::path path_;
    File file_;
    int sample_rate_ = 0;
    int channels_ = 0;
    bool is_float_ = false;
    std::uint64_t frames_ = 0;
    std::uint64_t remaining_ = 0;
};

// Writes `<path>.part`; commit() finishes the header and renames it over `path`. Without a commit
// (an error, a cancel) the destructor removes the partial file.
class FloatWavWriter {
public:
    FloatWavWriter(std::filesystem::path path, int sample_rate, int channels);
    ~FloatWavWriter();
    FloatWavWriter(const FloatWavWriter &) = delete;
    FloatWavWriter &operator=(const FloatWavWriter &) = delete;

    void write(const float *samples, std::size_t frames);
    void commit();

private:
    void write_header();

    std::filesystem::path path_, temp_;
    File file_;
    int sample_rate_, channels_;
    std::uint64_t frames_ = 0;
    bool committed_ = false;
};

}  // namespace dubhost::separate
