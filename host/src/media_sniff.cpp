#include "dubhost/host/media_sniff.hpp"

#include <dubhost/support/error.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

bool looks_like_text(std::string_view head) {
    for (unsigned char c : head) {
        const bool control = c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f';
        if (control || c == 0x7F) return false;
    }
    return true;  // only printable ASCII or UTF-8 lead/continuation bytes
}

MediaSniff classify(std::string_view head) {
    auto at = [&](std::size_t offset, std::string_view magic) {
        return offset <= head.size() && head.substr(offset, magic.size()) == magic;
    };
    auto byte = [&](std::size_t offset) { return offset < head.size() ? static_cast<unsigned char>(head[offset]) : 0u; };
    if (at(4, "ftyp")) return {"mp4", at(8, "M4A ") || at(8, "M4B ") ? "audio" : "unknown"};
    if (at(0, "\x1A\x45\xDF\xA3")) return {"matroska", "unknown"};
    if (at(0, "RIFF") && at(8, "WAVE")) return {"wav", "audio"};
    if (at(0, "RIFF") && at(8, "AVI ")) return {"avi", "video"};
    if (at(0, "FORM") && (at(8, "AIFF") || at(8, "AIFC"))) return {"aiff", "audio"};
    if (at(0, "OggS")) return {"ogg", "unknown"};
    if (at(0, "fLaC")) return {"flac", "audio"};
    if (at(0, "ID3")) return {"mp3", "audio"};
    if (at(0, "FLV")) return {"flv", "video"};
    if (at(0, "\x30\x26\xB2\x75")) return {"asf", "unknown"};
    if (at(0, std::string_view("\x00\x00\x01\xBA", 4))) return {"mpeg-ps", "video"};
    if (byte(0) == 0x47 && byte(188) == 0x47) return {"mpeg-ts", "unknown"};
    if (byte(0) == 0xFF && (byte(1) & 0xF6) == 0xF0) return {"aac-adts", "audio"};
    if (byte(0) == 0xFF && (byte(1) & 0xE0) == 0xE0) return {"mp3", "audio"};
    return {"unknown", "unknown"};
}

}  // namespace

MediaSniff sniff_media(const fs::path &path) {
    std::error_code error;
    const auto status = fs::status(path, error);
    if (error || !fs::exists(status))
        throw user_error("no-such-file", "no such file: " + path.string(), "check the path (and quote it if it has spaces)");
    if (fs::is_directory(status))
        throw user_error("not-a-file", path.string() + " is a directory, not a media file", "pass a video or audio file");
    if (!fs::is_regular_file(status))
        throw user_error("not-a-file", path.string() + " is not a regular file", "pass a video or audio file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw user_error("unreadable-file", "cannot read " + path.string() + ": " + std::strerror(errno));
    std::array<char, 4096> buffer{};
    in.read(buffer.data(), buffer.size());
    const std::string_view head(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (head.empty()) throw user_error("empty-file", path.string() + " is empty (0 bytes)", "pass a video or audio file");
    const MediaSniff sniff = classify(head);
    if (sniff.container == "unknown" && looks_like_text(head))
        throw user_error("not-media", path.string() + " is a text file, not audio or video",
                         "pass a video or audio file; subtitles go in with `dubhost track import ITEM FILE`");
    return sniff;
}

}  // namespace dubhost
