#include "media_probe.hpp"

#include "av_handles.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
}

#include <algorithm>
#include <cstdio>
#include <utility>

namespace dubhost::ffmpeg {
namespace {

std::int64_t to_ms(std::int64_t value, AVRational time_base) {
    return value == AV_NOPTS_VALUE || value <= 0 ? 0 : av_rescale_q(value, time_base, AVRational{1, 1000});
}

std::string tag(const AVDictionary *metadata, const char *key) {
    const AVDictionaryEntry *entry = av_dict_get(metadata, key, nullptr, 0);
    return entry ? entry->value : "";
}

nlohmann::json describe_stream(const AVStream &stream) {
    const AVCodecParameters &parameters = *stream.codecpar;
    const char *type = av_get_media_type_string(parameters.codec_type);
    nlohmann::json info = {{"index", stream.index},
                           {"type", type ? type : "data"},
                           {"codec", avcodec_get_name(parameters.codec_id)},
                           {"duration_ms", to_ms(stream.duration, stream.time_base)},
                           {"language", tag(stream.metadata, "language")},
                           {"title", tag(stream.metadata, "title")}};
    if (parameters.codec_type == AVMEDIA_TYPE_AUDIO) {
        char layout[128] = {};
        av_channel_layout_describe(&parameters.ch_layout, layout, sizeof layout);
        info["sample_rate"] = parameters.sample_rate;
        info["channels"] = parameters.ch_layout.nb_channels;
        info["channel_layout"] = layout;
    } else if (parameters.codec_type == AVMEDIA_TYPE_VIDEO) {
        const AVRational rate = stream.avg_frame_rate.num > 0 ? stream.avg_frame_rate : stream.r_frame_rate;
        const char *pixel_format = av_get_pix_fmt_name(static_cast<AVPixelFormat>(parameters.format));
        info["width"] = parameters.width;
        info["height"] = parameters.height;
        info["frame_rate"] = rate.den > 0 ? av_q2d(rate) : 0.0;
        info["frame_rate_fraction"] = std::to_string(rate.num) + "/" + std::to_string(rate.den);
        info["pixel_format"] = pixel_format ? pixel_format : "";
        info["attached_picture"] = (stream.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
        // The containers the mux can copy this video into unchanged (Theora, for one, fits no MP4):
        // the host refuses a dub into any other before its first stage runs.
        nlohmann::json copies_into = nlohmann::json::array();
        for (const auto &[name, muxer] : {std::pair{"mp4", "mp4"}, std::pair{"mkv", "matroska"}}) {
            const AVOutputFormat *format = av_guess_format(muxer, nullptr, nullptr);
            if (format && avformat_query_codec(format, parameters.codec_id, FF_COMPLIANCE_NORMAL) == 1)
                copies_into.push_back(name);
        }
        info["copies_into"] = copies_into;
    }
    return info;
}

// A file cut short (an interrupted download or copy) often keeps its header: FFmpeg opens it and
// reports the full duration, and only decoding would find the hole. Where the container carries a
// sample index (mp4, mov, and others with a seek table), every sample must lie inside the file.
void refuse_truncated(const AVFormatContext &input, const std::string &path) {
    if (!input.pb) return;
    const std::int64_t file_size = avio_size(input.pb);
    if (file_size <= 0) return;
    std::int64_t needed = 0;
    double readable_seconds = -1;
    for (unsigned i = 0; i < input.nb_streams; ++i) {
        AVStream *stream = input.streams[i];
        const int count = avformat_index_get_entries_count(stream);
        for (int n = 0; n < count; ++n) {
            const AVIndexEntry *entry = avformat_index_get_entry(stream, n);
            if (!entry || entry->pos < 0) continue;
            const std::int64_t end = entry->pos + entry->size;
            needed = std::max(needed, end);
            if (end > file_size && entry->timestamp != AV_NOPTS_VALUE) {
                const double at = static_cast<double>(entry->timestamp) * av_q2d(stream->time_base);
                readable_seconds = readable_seconds < 0 ? at : std::min(readable_seconds, at);
            }
        }
    }
    if (needed <= file_size) return;
    const double total = input.duration > 0 ? static_cast<double>(input.duration) / AV_TIME_BASE : 0;
    char detail[160];
    std::snprintf(detail, sizeof detail, ": the data stops at about %.1f s of %.1f s (%lld of %lld bytes present)",
                  std::max(readable_seconds, 0.0), total, static_cast<long long>(file_size), static_cast<long long>(needed));
    throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "truncated-input", path + " is truncated" + detail,
                         "re-export or re-download the complete file, then import it again");
}

}  // namespace

nlohmann::json probe_media(const std::string &path) {
    InputFormat input = open_media(path);
    refuse_truncated(*input, path);
    nlohmann::json streams = nlohmann::json::array();
    bool has_audio = false, has_video = false;
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        const AVStream &stream = *input->streams[i];
        streams.push_back(describe_stream(stream));
        has_audio = has_audio || stream.codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
        has_video = has_video ||
                    (stream.codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(stream.disposition & AV_DISPOSITION_ATTACHED_PIC));
    }
    if (!has_audio && !has_video)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "not-media", path + " has no audio or video stream",
                             "import a video or audio file");
    return {{"format", input->iformat->name},
            {"format_long", input->iformat->long_name ? input->iformat->long_name : ""},
            {"duration_ms", input->duration > 0 ? input->duration / (AV_TIME_BASE / 1000) : 0},
            {"bit_rate", input->bit_rate},
            {"media_kind", has_video ? "video" : "audio"},
            {"has_audio", has_audio},
            {"streams", streams}};
}

}  // namespace dubhost::ffmpeg
