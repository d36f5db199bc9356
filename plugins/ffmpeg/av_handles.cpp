#include "av_handles.hpp"

#include <filesystem>

namespace dubhost::ffmpeg {
namespace fs = std::filesystem;

Frame make_frame() {
    Frame frame(av_frame_alloc());
    if (!frame) throw std::bad_alloc();
    return frame;
}

Packet make_packet() {
    Packet packet(av_packet_alloc());
    if (!packet) throw std::bad_alloc();
    return packet;
}

std::string av_error_text(int code) {
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buffer, sizeof buffer);
    return buffer;
}

int check(int code, const std::string &what, const std::string &hint) {
    if (code < 0) throw sdk::CallError(DUBHOST_STATUS_ERROR, "ffmpeg-error", what + ": " + av_error_text(code), hint);
    return code;
}

InputFormat open_media(const std::string &path) {
    std::error_code error;
    if (!fs::exists(path, error))
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "missing-input",
                             "the media file " + path + " does not exist (moved or deleted?)",
                             "import the file again with `dubhost import FILE`");
    if (fs::is_regular_file(path, error) && fs::file_size(path, error) == 0)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "empty-input", "the media file " + path + " is empty (0 bytes)",
                             "import a complete copy of the file");
    AVFormatContext *raw = nullptr;
    const int opened = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (opened < 0)
        throw sdk::CallError(
            DUBHOST_STATUS_BAD_REQUEST, "not-media",
            "cannot read " + path + " as audio or video: " + av_error_text(opened) + " (not a media file, or truncated/corrupt)",
            "check the file plays (e.g. in ffplay); re-export or re-download it if it does not");
    InputFormat input(raw);
    const int info = avformat_find_stream_info(input.get(), nullptr);
    if (info < 0)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "not-media",
                             "cannot read the streams of " + path + ": " + av_error_text(info) + " (truncated or corrupt?)",
                             "check the file plays; re-export or re-download it if it does not");
    return input;
}

}  // namespace dubhost::ffmpeg
