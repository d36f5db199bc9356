// The mux's packet sources (mux_tracks.hpp): copied streams, audio encoding and subtitle cues.
#include "mux_tracks.hpp"

#include <dubhost/support/language_codes.hpp>

extern "C" {
#include <libavutil/channel_layout.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace dubhost::ffmpeg {
namespace {

constexpr int rate = 48000;

// The ASS header text subtitle encoders (mov_text, subrip) parse their styles from.
constexpr const char *ass_header =
    "[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 384\r\nPlayResY: 288\r\n\r\n[V4+ Styles]\r\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, "
    "StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
    "Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\r\n\r\n[Events]\r\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n";

// A cue's payload as the container stores it. The text is written as is, never through FFmpeg's
// ASS parser (which reads `{\`, `\N` and `\h` as markup), so every character the user typed comes
// out verbatim. mov_text (3GPP timed text) is a 16-bit big-endian byte count and UTF-8 text;
// Matroska's S_TEXT/UTF8 is the bare text.
std::vector<uint8_t> cue_payload(const std::string &text, bool mov_text) {
    std::vector<uint8_t> payload;
    if (!mov_text) return {text.begin(), text.end()};
    std::size_t size = std::min<std::size_t>(text.size(), 0xffff);
    while (size < text.size() && size > 0 && (static_cast<unsigned char>(text[size]) & 0xc0) == 0x80)
        --size;  // never cut a UTF-8 sequence in half
    payload.push_back(static_cast<uint8_t>(size >> 8));
    payload.push_back(static_cast<uint8_t>(size & 0xff));
    payload.insert(payload.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(size));
    return payload;
}

// The sample format the dub is handed to `encoder` in: float where it takes float (every lossy
// codec here), else 16-bit (the mix is 16-bit, so FLAC and WAV lose nothing), else 32-bit.
AVSampleFormat sample_format_for(const AVCodec &encoder) {
    const AVSampleFormat *accepted = encoder.sample_fmts;
    if (!accepted) return AV_SAMPLE_FMT_FLTP;
    for (const AVSampleFormat preferred :
         {AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P})
        for (const AVSampleFormat *format = accepted; *format != AV_SAMPLE_FMT_NONE; ++format)
            if (*format == preferred) return preferred;
    throw sdk::CallError(DUBHOST_STATUS_ERROR, "no-encoder",
                         std::string("the ") + encoder.name + " encoder takes no float, 16-bit or 32-bit samples");
}

// Interleaved stereo float samples written into `frame` in its (packed or planar) format.
void store_samples(const float *interleaved, std::size_t frames, AVFrame &frame) {
    const auto format = static_cast<AVSampleFormat>(frame.format);
    const bool planar = av_sample_fmt_is_planar(format) != 0;
    const AVSampleFormat packed = av_get_packed_sample_fmt(format);
    for (std::size_t i = 0; i < frames; ++i)
        for (std::size_t channel = 0; channel < 2; ++channel) {
            const float value = interleaved[2 * i + channel];
            const std::size_t at = planar ? i : 2 * i + channel;
            uint8_t *plane = frame.data[planar ? channel : 0];
            const double clamped = std::clamp(static_cast<double>(value), -1.0, 1.0);
            if (packed == AV_SAMPLE_FMT_FLT)
                reinterpret_cast<float *>(plane)[at] = value;
            else if (packed == AV_SAMPLE_FMT_S16)
                reinterpret_cast<std::int16_t *>(plane)[at] = static_cast<std::int16_t>(std::lrint(clamped * 32767.0));
            else
                reinterpret_cast<std::int32_t *>(plane)[at] = static_cast<std::int32_t>(std::llrint(clamped * 2147483647.0));
        }
}

}  // namespace

void set_track_metadata(AVStream &stream, const std::string &title, const std::string &language) {
    av_dict_set(&stream.metadata, "title", title.c_str(), 0);
    av_dict_set(&stream.metadata, "handler_name", title.c_str(), 0);
    av_dict_set(&stream.metadata, "language", stream_language_tag(language).c_str(), 0);
}

AVStream &CopiedStreams::copy(AVFormatContext &output, int index, const std::string &what) {
    const AVStream &in = *input_.streams[index];
    AVStream &out = add_stream(output, what);
    check(avcodec_parameters_copy(out.codecpar, in.codecpar), "copying the " + what + " parameters");
    out.codecpar->codec_tag = 0;
    out.time_base = in.time_base;
    targets_[index] = &out;
    return out;
}

std::optional<TimedPacket> CopiedStreams::next() {
    while (true) {
        Packet packet = make_packet();
        const int read = av_read_frame(&input_, packet.get());
        if (read == AVERROR_EOF) return std::nullopt;
        check(read, "reading " + path_, "the file may be truncated or damaged");
        const auto target = targets_.find(packet->stream_index);
        if (target == targets_.end()) continue;
        av_packet_rescale_ts(packet.get(), input_.streams[packet->stream_index]->time_base, target->second->time_base);
        packet->stream_index = target->second->index;
        packet->pos = -1;
        const std::int64_t stamp = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
        return TimedPacket{std::move(packet), static_cast<double>(stamp) * av_q2d(target->second->time_base)};
    }
}

EncodedAudio::EncodedAudio(AVFormatContext &output, const AVCodec &encoder, const std::string &source, int audio_stream,
                           std::optional<std::int64_t> total_frames, std::int64_t bitrate, const std::string &what)
    : reader_(source, rate, 2, audio_stream), total_frames_(total_frames) {
    codec_.reset(avcodec_alloc_context3(&encoder));
    if (!codec_) throw std::bad_alloc();
    codec_->sample_fmt = sample_format_for(encoder);
    codec_->sample_rate = rate;
    av_channel_layout_default(&codec_->ch_layout, 2);
    if (bitrate > 0) codec_->bit_rate = bitrate;
    codec_->time_base = AVRational{1, rate};
    if (output.oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    check(avcodec_open2(codec_.get(), &encoder, nullptr), std::string("opening the ") + encoder.name + " encoder");
    stream_ = &add_stream(output, what);
    stream_->time_base = codec_->time_base;
    check(avcodec_parameters_from_context(stream_->codecpar, codec_.get()), "setting up the " + what + " track");
    constexpr std::int64_t fade_frames = rate / 4;
    const double source_frames = reader_.decoder().declared_duration_seconds() * rate;
    if (total_frames_ && source_frames > static_cast<double>(*total_frames_ + rate / 100))
        fade_from_ = std::max<std::int64_t>(0, *total_frames_ - fade_frames);
}

std::optional<TimedPacket> EncodedAudio::next() {
    while (true) {
        Packet packet = make_packet();
        const int got = avcodec_receive_packet(codec_.get(), packet.get());
        if (got == 0) {
            av_packet_rescale_ts(packet.get(), codec_->time_base, stream_->time_base);
            packet->stream_index = stream_->index;
            const double seconds = static_cast<double>(packet->dts) * av_q2d(stream_->time_base);
            return TimedPacket{std::move(packet), seconds};
        }
        if (got == AVERROR_EOF) return std::nullopt;
        if (got != AVERROR(EAGAIN)) check(got, "encoding audio");
        feed();
    }
}

void EncodedAudio::feed() {
    if (flushed_) return;
    const int frame_size = codec_->frame_size > 0 ? codec_->frame_size : 1024;
    std::int64_t wanted = frame_size;
    if (total_frames_) wanted = std::min<std::int64_t>(wanted, *total_frames_ - produced_);
    if (wanted <= 0) {
        check(avcodec_send_frame(codec_.get(), nullptr), "finishing the audio encoder");
        flushed_ = true;
        return;
    }
    std::vector<float> interleaved(static_cast<std::size_t>(frame_size) * 2, 0.0f);
    std::size_t got = source_done_ ? 0 : reader_.read(interleaved.data(), static_cast<std::size_t>(wanted));
    if (got < static_cast<std::size_t>(wanted)) source_done_ = true;
    if (total_frames_) got = static_cast<std::size_t>(wanted);  // pad with the zeros already there
    if (got == 0) {
        check(avcodec_send_frame(codec_.get(), nullptr), "finishing the audio encoder");
        flushed_ = true;
        return;
    }
    // An encoder that takes only whole frames gets the last one padded with silence.
    const auto *encoder = codec_->codec;
    if (codec_->frame_size > 0 && !(encoder->capabilities & (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE)))
        got = static_cast<std::size_t>(frame_size);
    for (std::size_t i = 0; i < got; ++i)
        if (const std::int64_t at = produced_ + static_cast<std::int64_t>(i); fade_from_ && at >= *fade_from_) {
            const float gain = static_cast<float>(*total_frames_ - at) / static_cast<float>(*total_frames_ - *fade_from_);
            interleaved[2 * i] *= gain;
            interleaved[2 * i + 1] *= gain;
        }
    Frame frame = make_frame();
    frame->format = codec_->sample_fmt;
    frame->sample_rate = rate;
    av_channel_layout_default(&frame->ch_layout, 2);
    frame->nb_samples = static_cast<int>(got);
    check(av_frame_get_buffer(frame.get(), 0), "allocating an audio frame");
    store_samples(interleaved.data(), got, *frame);
    frame->pts = produced_;
    produced_ += static_cast<std::int64_t>(got);
    check(avcodec_send_frame(codec_.get(), frame.get()), "encoding audio");
}

SubtitleCues::SubtitleCues(AVFormatContext &output, const sdk::json &track, bool mp4, std::optional<std::int64_t> end_ms)
    : mov_text_(mp4), end_ms_(end_ms), language_(track.value("language", std::string())) {
    const AVCodecID id = mp4 ? AV_CODEC_ID_MOV_TEXT : AV_CODEC_ID_SUBRIP;
    const AVCodec *encoder = avcodec_find_encoder(id);
    if (!encoder)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "no-encoder",
                             std::string("this FFmpeg has no ") + avcodec_get_name(id) + " encoder");
    codec_.reset(avcodec_alloc_context3(encoder));
    if (!codec_) throw std::bad_alloc();
    codec_->time_base = AVRational{1, 1000};
    codec_->subtitle_header = reinterpret_cast<uint8_t *>(av_strdup(ass_header));
    if (!codec_->subtitle_header) throw std::bad_alloc();
    codec_->subtitle_header_size = static_cast<int>(std::strlen(ass_header));
    check(avcodec_open2(codec_.get(), encoder, nullptr), "opening the subtitle encoder");
    const std::string language = track.value("language", std::string());
    const std::string title = track.value("title", language.empty() ? std::string("Subtitles") : "Subtitles (" + language + ")");
    stream_ = &add_stream(output, "subtitle");
    stream_->time_base = AVRational{1, 1000};
    check(avcodec_parameters_from_context(stream_->codecpar, codec_.get()), "setting up the subtitle track");
    set_track_metadata(*stream_, title, language);
    // The track players show first (the dub's language); the others stay selectable.
    stream_->disposition = track.value("default", false) ? AV_DISPOSITION_DEFAULT : 0;
    for (const auto &segment : track.at("segments")) cues_.push_back(segment);
}

std::optional<TimedPacket> SubtitleCues::next() {
    while (!cues_.empty()) {
        const sdk::json cue = std::move(cues_.front());
        cues_.pop_front();
        const std::string text = cue.value("text", std::string());
        if (text.empty()) continue;
        const std::int64_t start = cue.at("start").get<std::int64_t>();
        std::int64_t end = cue.at("end").get<std::int64_t>();
        if (end_ms_ && end > *end_ms_) {
            const bool dropped = start >= *end_ms_;
            cut_.push_back({{"language", language_},
                            {"segment_id", cue.value("id", sdk::json())},
                            {"start", start},
                            {"end", end},
                            {"text", text},
                            {"action", dropped ? "dropped" : "clipped"},
                            {"cut_ms", dropped ? end - start : end - *end_ms_}});
            if (dropped) continue;
            end = *end_ms_;
        }
        const std::vector<uint8_t> payload = cue_payload(text, mov_text_);
        Packet packet = make_packet();
        check(av_new_packet(packet.get(), static_cast<int>(payload.size())), "allocating a subtitle packet");
        std::memcpy(packet->data, payload.data(), payload.size());
        packet->pts = packet->dts = av_rescale_q(start, AVRational{1, 1000}, stream_->time_base);
        packet->duration = av_rescale_q(end - start, AVRational{1, 1000}, stream_->time_base);
        packet->stream_index = stream_->index;
        return TimedPacket{std::move(packet), static_cast<double>(start) / 1000.0};
    }
    return std::nullopt;
}

}  // namespace dubhost::ffmpeg
