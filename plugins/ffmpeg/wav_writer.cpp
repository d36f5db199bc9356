#include "wav_writer.hpp"

#include <dubhost/plugin.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

namespace dubhost::ffmpeg {
namespace {

void put(std::vector<unsigned char> &out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<unsigned char>((value >> (8 * i)) & 0xff));
}

sdk::CallError write_error(const std::filesystem::path &path) {
    if (errno == ENOSPC || errno == EDQUOT)
        return sdk::CallError(DUBHOST_STATUS_ERROR, "disk-full", "cannot write " + path.string() + ": " + std::strerror(errno),
                              "free some space on the disk holding the workspace (`df -h " + path.parent_path().string() +
                                  "`), then run the stage again");
    return sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot write " + path.string() + ": " + std::strerror(errno),
                          "check free disk space and that the workspace is writable");
}

}  // namespace

WavWriter::WavWriter(std::filesystem::path path, int sample_rate, int channels, Encoding encoding)
    : path_(std::move(path)), sample_rate_(sample_rate), channels_(channels), encoding_(encoding) {
    std::filesystem::create_directories(path_.parent_path());
    temp_ = path_;
    temp_ += ".part";
    file_ = std::fopen(temp_.c_str(), "wb");
    if (!file_) throw write_error(temp_);
    write_header(0);
}

WavWriter::~WavWriter() {
    if (file_) std::fclose(file_);
    if (!committed_) {
        std::error_code ignored;
        std::filesystem::remove(temp_, ignored);
    }
}

void WavWriter::write_header(std::uint64_t data_bytes) {
    const bool is_float = encoding_ == Encoding::float32;
    const std::uint32_t bytes_per_sample = is_float ? 4 : 2;
    std::vector<unsigned char> header;
    const auto data = static_cast<std::uint32_t>(std::min<std::uint64_t>(data_bytes, 0xFFFFFFFFu - 64));
    header.insert(header.end(), {'R', 'I', 'F', 'F'});
    put(header, 36 + data, 4);
    header.insert(header.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
    put(header, 16, 4);
    put(header, is_float ? 3 : 1, 2);
    put(header, static_cast<std::uint32_t>(channels_), 2);
    put(header, static_cast<std::uint32_t>(sample_rate_), 4);
    put(header, static_cast<std::uint32_t>(sample_rate_) * channels_ * bytes_per_sample, 4);
    put(header, static_cast<std::uint32_t>(channels_) * bytes_per_sample, 2);
    put(header, bytes_per_sample * 8, 2);
    header.insert(header.end(), {'d', 'a', 't', 'a'});
    put(header, data, 4);
    if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) throw write_error(temp_);
}

void WavWriter::write(const float *samples, std::size_t frames) {
    if (frames == 0) return;
    const std::size_t count = frames * static_cast<std::size_t>(channels_);
    if (encoding_ == Encoding::float32) {
        if (std::fwrite(samples, sizeof(float), count, file_) != count) throw write_error(temp_);
    } else {
        std::vector<std::int16_t> converted(count);
        for (std::size_t i = 0; i < count; ++i)
            converted[i] = static_cast<std::int16_t>(std::lrint(std::clamp(samples[i], -1.0f, 1.0f) * 32767.0f));
        if (std::fwrite(converted.data(), sizeof(std::int16_t), count, file_) != count) throw write_error(temp_);
    }
    frames_ += frames;
}

void WavWriter::commit() {
    const std::uint64_t bytes = frames_ * channels_ * (encoding_ == Encoding::float32 ? 4u : 2u);
    if (std::fseek(file_, 0, SEEK_SET) != 0) throw write_error(temp_);
    write_header(bytes);
    if (std::fflush(file_) != 0) throw write_error(temp_);
    const int closed = std::fclose(file_);
    file_ = nullptr;
    if (closed != 0) throw write_error(temp_);
    std::error_code error;
    std::filesystem::rename(temp_, path_, error);
    if (error)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed",
                             "cannot rename " + temp_.string() + " to " + path_.string() + ": " + error.message());
    committed_ = true;
}

}  // namespace dubhost::ffmpeg
