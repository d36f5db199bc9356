// The files a mux writes: video containers (the video copied, the dub and the original as audio
// tracks, subtitles) and audio containers (the dub alone, encoded as the extension says). One
// table for the mux backend, its status (what this FFmpeg can write) and its parameter checks.
#pragma once

#include "av_handles.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dubhost::ffmpeg {

struct OutputContainer {
    std::string name;    // the `container` parameter and the file extension: mp4, mkv, m4a, wav, ...
    std::string muxer;   // FFmpeg's output format
    bool video = false;  // carries the video; an audio container holds the dub alone
    AVCodecID dub_codec = AV_CODEC_ID_AAC;
    bool lossy = true;  // takes audio_bitrate
};

const std::vector<OutputContainer> &output_containers();
// The container named `name` (an extension without its dot, or "matroska"), or nullptr.
const OutputContainer *find_output_container(std::string_view name);
// The encoder this FFmpeg has for the container's dub (never an experimental one), or nullptr.
const AVCodec *dub_encoder(const OutputContainer &container);
// The names of the containers this FFmpeg can write (muxer and encoder both present).
std::vector<std::string> writable_containers();
// The container to write: the parameter when given, else the output file's extension. A name it
// cannot write is a BAD_REQUEST naming the ones it can.
const OutputContainer &require_output_container(const std::string &requested, const std::string &output_path);

}  // namespace dubhost::ffmpeg
