#include "wav_stream.hpp"

#include <dubhost/plugin.hpp>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace dubhost::separate {

namespace {

constexpr std::uint16_t format_pcm = 1, format_float = 3, format_extensible = 0xfffe;
const char *const reextract_hint = "re-run the extract stage: `dubhost run extract ITEM --force`";

std::uint32_t little32(const unsigned char *bytes) {
    return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
           static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}
std::uint16_t little16(const unsigned char *bytes) { return static_cast<std::uint16_t>(bytes[0] | bytes[1] << 8); }

[[noreturn]] void bad_input(const std::filesystem::path &path, const std::string &problem) {
    throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-input", path.string() + ": " + problem, reextract_hint);
}

}  // namespace

WavReader::WavReader(const std::filesystem::path &path) : path_(path), file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "missing-input", "cannot read " + path.string(), reextract_hint);
    unsigned char header[12];
    if (std::fread(header, 1, 12, file_.get()) != 12 || std::memcmp(header, "RIFF", 4) != 0 ||
        std::memcmp(header + 8, "WAVE", 4) != 0)
        bad_input(path, "not a WAV file");
    std::uint16_t format = 0, bits = 0;
    for (;;) {
        unsigned char chunk[8];
        if (std::fread(chunk, 1, 8, file_.get()) != 8) bad_input(path, "no audio data");
        const std::uint32_t size = little32(chunk + 4);
        if (std::memcmp(chunk, "fmt ", 4) == 0 && size >= 16 && size <= 64) {
            unsigned char fmt[64];
            if (std::fread(fmt, 1, size, file_.get()) != size) bad_input(path, "truncated format chunk");
            format = little16(fmt);
            channels_ = little16(fmt + 2);
            sample_rate_ = static_cast<int>(little32(fmt + 4));
            bits = little16(fmt + 14);
            if (format == format_extensible && size >= 26) format = little16(fmt + 24);  // the sub-format GUID's first bytes
            if (size & 1) std::fseek(file_.get(), 1, SEEK_CUR);
        } else if (std::memcmp(chunk, "data", 4) == 0) {
            if (!((format == format_pcm && bits == 16) || (format == format_float && bits == 32)))
                bad_input(path, "not 16-bit PCM or 32-bit float audio");
            if (channels_ < 1 || channels_ > 2 || sample_rate_ < 8000) bad_input(path, "needs 1 or 2 channels at 8 kHz or more");
            is_float_ = format == format_float;
            const std::uint64_t frame_bytes = static_cast<std::uint64_t>(channels_) * (is_float_ ? 4 : 2);
            // Streaming writers leave 0 or 0xffffffff in the size: read to the end of the file then.
            std::uint64_t bytes = size;
            if (size == 0 || size == std::numeric_limits<std::uint32_t>::max()) {
                const long here = std::ftell(file_.get());
                std::fseek(file_.get(), 0, SEEK_END);
                bytes = static_cast<std::uint64_t>(std::ftell(file_.get()) - here);
                std::fseek(file_.get(), here, SEEK_SET);
            }
            frames_ = remaining_ = bytes / frame_bytes;
            return;
        } else {
            if (std::fseek(file_.get(), static_cast<long>(size + (size & 1)), SEEK_CUR) != 0) bad_input(path, "damaged chunk");
        }
    }
}

std::size_t WavReader::read(float *destination, std::size_t frames) {
    const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(frames, remaining_));
    const auto samples = wanted * static_cast<std::size_t>(channels_);
    std::size_t got = 0;
    if (is_float_) {
        got = std::fread(destination, sizeof(float), samples, file_.get());
    } else {
        std::vector<std::int16_t> pcm(samples);
        got = std::fread(pcm.data(), sizeof(std::int16_t), samples, file_.get());
        for (std::size_t i = 0; i < got; ++i) destination[i] = static_cast<float>(pcm[i]) / 32768.0f;
    }
    if (got < samples) bad_input(path_, "ends early (truncated)");
    remaining_ -= wanted;
    return wanted;
}

FloatWavWriter::FloatWavWriter(std::filesystem::path path, int sample_rate, int channels)
    : path_(std::move(path)), temp_(path_.string() + ".part"), sample_rate_(sample_rate), channels_(channels) {
    std::filesystem::create_directories(path_.parent_path());
    file_.reset(std::fopen(temp_.c_str(), "wb"));
    if (!file_)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot create " + temp_.string(),
                             "check free disk space and permissions of the workspace");
    write_header();
}

FloatWavWriter::~FloatWavWriter() {
    if (committed_) return;
    file_.reset();
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
}

void FloatWavWriter::write(const float *samples, std::size_t frames) {
    if (frames == 0) return;
    const std::size_t count = frames * static_cast<std::size_t>(channels_);
    if (std::fwrite(samples, sizeof(float), count, file_.get()) != count)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot write " + temp_.string(),
                             "check free disk space of the workspace");
    frames_ += frames;
}

void FloatWavWriter::write_header() {
    const std::uint64_t data = frames_ * static_cast<std::uint64_t>(channels_) * 4;
    const auto data32 = static_cast<std::uint32_t>(std::min<std::uint64_t>(data, 0xffffffffu - 36));
    unsigned char header[44];
    auto put = [&header](int at, std::uint32_t value, int size) {
        for (int i = 0; i < size; ++i) header[at + i] = static_cast<unsigned char>((value >> (8 * i)) & 0xff);
    };
    std::memcpy(header, "RIFF", 4);
    put(4, 36 + data32, 4);
    std::memcpy(header + 8, "WAVEfmt ", 8);
    put(16, 16, 4);
    put(20, format_float, 2);
    put(22, static_cast<std::uint32_t>(channels_), 2);
    put(24, static_cast<std::uint32_t>(sample_rate_), 4);
    put(28, static_cast<std::uint32_t>(sample_rate_ * channels_ * 4), 4);
    put(32, static_cast<std::uint32_t>(channels_ * 4), 2);
    put(34, 32, 2);
    std::memcpy(header + 36, "data", 4);
    put(40, data32, 4);
    if (std::fseek(file_.get(), 0, SEEK_SET) != 0 || std::fwrite(header, 1, sizeof header, file_.get()) != sizeof header)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot write " + temp_.string(),
                             "check free disk space of the workspace");
}

void FloatWavWriter::commit() {
    write_header();
    if (std::fflush(file_.get()) != 0)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot write " + temp_.string(),
                             "check free disk space of the workspace");
    file_.reset();
    std::filesystem::rename(temp_, path_);
    committed_ = true;
}

}  // namespace dubhost::separate
