// A first look at a file's bytes: is it media at all, and which container does it claim to be?
// Used by import to refuse obvious non-media before copying; the FFmpeg plugin probes properly.
#pragma once

#include <filesystem>
#include <string>

namespace dubhost {

struct MediaSniff {
    std::string container;  // "mp4", "matroska", "wav", "ogg", ... or "unknown" (left to the probe)
    std::string kind;       // "video", "audio" or "unknown" until probed
};

// Throws Failure(user) naming the file when it is missing, a directory, empty, unreadable, or
// plainly text (a subtitle or a script renamed to .mp4 is a common slip).
MediaSniff sniff_media(const std::filesystem::path &path);

}  // namespace dubhost
