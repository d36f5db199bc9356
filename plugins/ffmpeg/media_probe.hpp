// What a media file holds (format, duration, streams, codecs, rates, layouts), as a JSON document.
// Used by the probe backend (called by the host at import) and by extract's duration checks.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace dubhost::ffmpeg {

// {format, format_long, duration_ms, bit_rate, media_kind: "video"|"audio", streams: [{index, type,
// codec, duration_ms, language, title, (audio) sample_rate, channels, channel_layout,
// (video) width, height, frame_rate, pixel_format}]}. Throws CallError for unreadable input and
// for files with neither audio nor video.
nlohmann::json probe_media(const std::string &path);

}  // namespace dubhost::ffmpeg
