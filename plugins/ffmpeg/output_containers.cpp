// The containers a mux writes and what this FFmpeg needs to write each (output_containers.hpp).
#include "output_containers.hpp"

#include <filesystem>

namespace dubhost::ffmpeg {

const std::vector<OutputContainer> &output_containers() {
    static const std::vector<OutputContainer> containers = {
        {"mp4", "mp4", true, AV_CODEC_ID_AAC, true},      {"mkv", "matroska", true, AV_CODEC_ID_AAC, true},
        {"m4a", "ipod", false, AV_CODEC_ID_AAC, true},    {"wav", "wav", false, AV_CODEC_ID_PCM_S16LE, false},
        {"flac", "flac", false, AV_CODEC_ID_FLAC, false}, {"ogg", "ogg", false, AV_CODEC_ID_VORBIS, true},
        {"opus", "ogg", false, AV_CODEC_ID_OPUS, true},   {"mp3", "mp3", false, AV_CODEC_ID_MP3, true},
    };
    return containers;
}

const OutputContainer *find_output_container(std::string_view name) {
    if (name == "matroska") name = "mkv";
    for (const auto &container : output_containers())
        if (container.name == name) return &container;
    return nullptr;
}

const AVCodec *dub_encoder(const OutputContainer &container) {
    // avcodec_find_encoder prefers a stable encoder; FFmpeg's own Vorbis and Opus encoders are
    // experimental and only come back when there is no other (libvorbis, libopus): not used.
    const AVCodec *encoder = avcodec_find_encoder(container.dub_codec);
    if (!encoder || (encoder->capabilities & AV_CODEC_CAP_EXPERIMENTAL)) return nullptr;
    return encoder;
}

std::vector<std::string> writable_containers() {
    std::vector<std::string> names;
    for (const auto &container : output_containers())
        if (av_guess_format(container.muxer.c_str(), nullptr, nullptr) && dub_encoder(container)) names.push_back(container.name);
    return names;
}

const OutputContainer &require_output_container(const std::string &requested, const std::string &output_path) {
    std::string name = requested;
    if (name.empty()) {
        name = std::filesystem::path(output_path).extension().string();
        if (!name.empty()) name.erase(0, 1);
    }
    std::string writable;
    for (const auto &candidate : writable_containers()) writable += (writable.empty() ? "" : ", ") + candidate;
    const OutputContainer *container = find_output_container(name);
    if (!container)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter",
                             "container must be one of " + writable + ", not '" + name + "'", "pass --param container=mp4");
    if (!dub_encoder(*container) || !av_guess_format(container->muxer.c_str(), nullptr, nullptr))
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "container-not-writable",
                             "this FFmpeg cannot write " + name + " files (it has no " + avcodec_get_name(container->dub_codec) +
                                 " encoder or no " + container->muxer + " muxer)",
                             "write one it can: " + writable);
    return *container;
}

}  // namespace dubhost::ffmpeg
