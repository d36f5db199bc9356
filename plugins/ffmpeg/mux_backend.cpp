// Muxing: the source's video packets copied untouched, the dub encoded to AAC as the default audio
// track, the original audio kept as a second track, subtitle tracks added. Packets from every
// source are written in time order, so memory stays flat for any length.
#include "audio_reader.hpp"
#include "backends.hpp"
#include "language_codes.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>
#include <vector>

namespace dubhost::ffmpeg {
namespace {

namespace fs = std::filesystem;
constexpr int rate = 48000;

// The ASS header text subtitle encoders (mov_text, subrip) parse their styles from.
constexpr const char *ass_header =
    "[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 384\r\nPlayResY: 288\r\n\r\n[V4+ Styles]\r\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, "
    "StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
    "Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\r\n\r\n[Events]\r\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n";

struct MuxSettings {
    std::string container;  // "mp4" or "matroska"
    bool keep_original = true;
    std::string dub_language;
    std::string original_language;
    std::int64_t audio_bitrate = 192000;
};

std::string container_for(const std::string &requested, const std::string &output) {
    std::string name = requested;
    if (name.empty()) name = fs::path(output).extension() == ".mkv" ? "mkv" : "mp4";
    if (name == "mp4") return "mp4";
    if (name == "mkv" || name == "matroska") return "matroska";
    throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "container must be mp4 or mkv, not '" + requested + "'",
                         "pass --param container=mp4 or --param container=mkv");
}

void set_metadata(AVStream &stream, const std::string &title, const std::string &language) {
    av_dict_set(&stream.metadata, "title", title.c_str(), 0);
    av_dict_set(&stream.metadata, "handler_name", title.c_str(), 0);  // where MP4 keeps a track's name
    av_dict_set(&stream.metadata, "language", iso639_2(language).c_str(), 0);
}

std::string titled(const std::string &name, const std::string &language) {
    return language.empty() ? name : name + " (" + language + ")";
}

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

// One output packet waiting to be written, with its time for ordering.
struct Pending {
    Packet packet;
    double seconds;
};

// Encodes interleaved float audio from a reader to AAC packets for one output stream, padding with
// silence or stopping so the track lasts exactly `total_frames` when that is set.
class AacTrack {
public:
    AacTrack(AVFormatContext &output, const std::string &source, int audio_stream, std::optional<std::int64_t> total_frames,
             std::int64_t bitrate)
        : reader_(source, rate, 2, audio_stream), total_frames_(total_frames) {
        const AVCodec *encoder = avcodec_find_encoder(AV_CODEC_ID_AAC);
        if (!encoder) throw sdk::CallError(DUBHOST_STATUS_ERROR, "no-encoder", "this FFmpeg has no AAC encoder");
        codec_.reset(avcodec_alloc_context3(encoder));
        codec_->sample_fmt = AV_SAMPLE_FMT_FLTP;
        codec_->sample_rate = rate;
        av_channel_layout_default(&codec_->ch_layout, 2);
        codec_->bit_rate = bitrate;
        codec_->time_base = AVRational{1, rate};
        if (output.oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        check(avcodec_open2(codec_.get(), encoder, nullptr), "opening the AAC encoder");
        stream_ = avformat_new_stream(&output, nullptr);
        if (!stream_) throw std::bad_alloc();
        stream_->time_base = codec_->time_base;
        check(avcodec_parameters_from_context(stream_->codecpar, codec_.get()), "setting up the audio track");
    }

    AVStream &stream() { return *stream_; }

    // The next encoded packet, or nullopt when the track is complete.
    std::optional<Pending> next() {
        while (true) {
            Packet packet = make_packet();
            const int got = avcodec_receive_packet(codec_.get(), packet.get());
            if (got == 0) {
                av_packet_rescale_ts(packet.get(), codec_->time_base, stream_->time_base);
                packet->stream_index = stream_->index;
                const double seconds = static_cast<double>(packet->dts) * av_q2d(stream_->time_base);
                return Pending{std::move(packet), seconds};
            }
            if (got == AVERROR_EOF) return std::nullopt;
            if (got != AVERROR(EAGAIN)) check(got, "encoding audio");
            feed();
        }
    }

private:
    void feed() {
        if (flushed_) return;
        const int frame_size = codec_->frame_size > 0 ? codec_->frame_size : 1024;
        std::int64_t wanted = frame_size;
        if (total_frames_) wanted = std::min<std::int64_t>(wanted, *total_frames_ - produced_);
        if (wanted <= 0) {
            check(avcodec_send_frame(codec_.get(), nullptr), "finishing the audio encoder");
            flushed_ = true;
            return;
        }
        std::vector<float> interleaved(static_cast<std::size_t>(wanted) * 2, 0.0f);
        std::size_t got = source_done_ ? 0 : reader_.read(interleaved.data(), static_cast<std::size_t>(wanted));
        if (got < static_cast<std::size_t>(wanted)) source_done_ = true;
        if (total_frames_) got = static_cast<std::size_t>(wanted);  // pad with the zeros already there
        if (got == 0) {
            check(avcodec_send_frame(codec_.get(), nullptr), "finishing the audio encoder");
            flushed_ = true;
            return;
        }
        Frame frame = make_frame();
        frame->format = AV_SAMPLE_FMT_FLTP;
        frame->sample_rate = rate;
        av_channel_layout_default(&frame->ch_layout, 2);
        frame->nb_samples = static_cast<int>(got);
        check(av_frame_get_buffer(frame.get(), 0), "allocating an audio frame");
        auto *left = reinterpret_cast<float *>(frame->data[0]);
        auto *right = reinterpret_cast<float *>(frame->data[1]);
        for (std::size_t i = 0; i < got; ++i) {
            left[i] = interleaved[2 * i];
            right[i] = interleaved[2 * i + 1];
        }
        frame->pts = produced_;
        produced_ += static_cast<std::int64_t>(got);
        check(avcodec_send_frame(codec_.get(), frame.get()), "encoding audio");
    }

    AudioReader reader_;
    std::optional<std::int64_t> total_frames_;
    CodecContext codec_;
    AVStream *stream_ = nullptr;
    std::int64_t produced_ = 0;
    bool source_done_ = false;
    bool flushed_ = false;
};

// A text subtitle track, one packet per cue (mov_text in MP4, SubRip in Matroska). The encoder is
// opened only for the stream's codec parameters (mov_text's sample description); cue packets are
// written directly (cue_payload).
class SubtitleTrack {
public:
    SubtitleTrack(AVFormatContext &output, const json &track, bool mp4) : mov_text_(mp4) {
        const AVCodecID id = mp4 ? AV_CODEC_ID_MOV_TEXT : AV_CODEC_ID_SUBRIP;
        const AVCodec *encoder = avcodec_find_encoder(id);
        if (!encoder)
            throw sdk::CallError(DUBHOST_STATUS_ERROR, "no-encoder",
                                 std::string("this FFmpeg has no ") + avcodec_get_name(id) + " encoder");
        codec_.reset(avcodec_alloc_context3(encoder));
        codec_->time_base = AVRational{1, 1000};
        codec_->subtitle_header = reinterpret_cast<uint8_t *>(av_strdup(ass_header));
        codec_->subtitle_header_size = static_cast<int>(std::strlen(ass_header));
        check(avcodec_open2(codec_.get(), encoder, nullptr), "opening the subtitle encoder");
        stream_ = avformat_new_stream(&output, nullptr);
        if (!stream_) throw std::bad_alloc();
        stream_->time_base = AVRational{1, 1000};
        check(avcodec_parameters_from_context(stream_->codecpar, codec_.get()), "setting up the subtitle track");
        const std::string language = track.value("language", std::string());
        set_metadata(*stream_, track.value("title", titled("Subtitles", language)), language);
        for (const auto &segment : track.at("segments")) cues_.push_back(segment);
    }

    std::optional<Pending> next() {
        while (!cues_.empty()) {
            const json cue = cues_.front();
            cues_.pop_front();
            const std::string text = cue.value("text", std::string());
            if (text.empty()) continue;
            const std::int64_t start = cue.at("start").get<std::int64_t>();
            const std::int64_t end = cue.at("end").get<std::int64_t>();
            const std::vector<uint8_t> payload = cue_payload(text, mov_text_);
            Packet packet = make_packet();
            check(av_new_packet(packet.get(), static_cast<int>(payload.size())), "allocating a subtitle packet");
            std::memcpy(packet->data, payload.data(), payload.size());
            packet->pts = packet->dts = av_rescale_q(start, AVRational{1, 1000}, stream_->time_base);
            packet->duration = av_rescale_q(end - start, AVRational{1, 1000}, stream_->time_base);
            packet->stream_index = stream_->index;
            return Pending{std::move(packet), static_cast<double>(start) / 1000.0};
        }
        return std::nullopt;
    }

private:
    bool mov_text_;
    CodecContext codec_;
    AVStream *stream_ = nullptr;
    std::deque<json> cues_;
};

int first_video_stream(const AVFormatContext &input) {
    for (unsigned i = 0; i < input.nb_streams; ++i) {
        const AVStream &stream = *input.streams[i];
        if (stream.codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(stream.disposition & AV_DISPOSITION_ATTACHED_PIC))
            return static_cast<int>(i);
    }
    return -1;
}

MuxSettings read_settings(const json &params, const std::string &output) {
    MuxSettings s;
    s.container = container_for(params.value("container", std::string()), output);
    s.keep_original = params.value("keep_original", true);
    s.dub_language = params.value("dub_language", std::string());
    s.original_language = params.value("original_language", std::string());
    s.audio_bitrate = params.value("audio_bitrate", s.audio_bitrate);
    if (s.audio_bitrate < 32000 || s.audio_bitrate > 512000)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "audio_bitrate must be between 32000 and 512000",
                             "pass --param audio_bitrate=192000");
    return s;
}

}  // namespace

json MuxBackend::status(const sdk::Host &, const json &) { return ffmpeg_status(); }

json MuxBackend::run(const sdk::Host &host, const json &job) {
    const std::string video_path = job_path(job, "inputs", "video");
    const std::string dub_path = job_path(job, "inputs", "dub_audio");
    const std::string output_path = job_path(job, "outputs", "video");
    const MuxSettings settings = read_settings(job.value("params", json::object()), output_path);
    if (!fs::exists(dub_path))
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "missing-input", "there is no dub mix at " + dub_path,
                             "run the mix stage first: `dubhost run mix ITEM`");

    InputFormat input = open_media(video_path);
    const int video_index = first_video_stream(*input);
    if (video_index < 0)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "no-video-stream",
                             video_path + " has no video stream, so there is nothing to mux the dub into",
                             "use the dubbed audio directly: " + dub_path);
    const AVStream &in_video = *input->streams[video_index];
    const int original_index =
        settings.keep_original ? av_find_best_stream(input.get(), AVMEDIA_TYPE_AUDIO, -1, video_index, nullptr, 0) : -1;

    const fs::path temp = output_path + ".part";
    fs::create_directories(fs::path(output_path).parent_path());
    AVFormatContext *raw_output = nullptr;
    check(avformat_alloc_output_context2(&raw_output, nullptr, settings.container.c_str(), temp.c_str()),
          "creating " + output_path);
    OutputFormat output(raw_output);
    struct RemoveOnFailure {
        fs::path path;
        bool keep = false;
        ~RemoveOnFailure() {
            std::error_code ignored;
            if (!keep) fs::remove(path, ignored);
        }
    } cleanup{temp};

    // Video: copied packet for packet.
    AVStream *out_video = avformat_new_stream(output.get(), nullptr);
    check(avcodec_parameters_copy(out_video->codecpar, in_video.codecpar), "copying the video parameters");
    out_video->codecpar->codec_tag = 0;
    out_video->time_base = in_video.time_base;
    av_dict_copy(&out_video->metadata, in_video.metadata, 0);
    const double video_seconds = in_video.duration > 0 ? static_cast<double>(in_video.duration) * av_q2d(in_video.time_base)
                                                       : static_cast<double>(input->duration) / AV_TIME_BASE;

    // The dub: the default audio track, exactly as long as the video.
    const std::optional<std::int64_t> dub_frames =
        video_seconds > 0 ? std::optional<std::int64_t>(std::llround(video_seconds * rate)) : std::nullopt;
    AacTrack dub(*output, dub_path, -1, dub_frames, settings.audio_bitrate);
    set_metadata(dub.stream(), titled("Dub", settings.dub_language), settings.dub_language);
    dub.stream().disposition = AV_DISPOSITION_DEFAULT;

    // The original audio: copied when the container takes its codec, else re-encoded to AAC.
    AVStream *original_copy = nullptr;
    std::unique_ptr<AacTrack> original_encoded;
    std::string original_language = settings.original_language;
    if (original_index >= 0) {
        const AVStream &in_audio = *input->streams[original_index];
        if (original_language.empty()) {
            const AVDictionaryEntry *tag = av_dict_get(in_audio.metadata, "language", nullptr, 0);
            if (tag && std::string(tag->value) != "und") original_language = tag->value;
        }
        if (avformat_query_codec(output->oformat, in_audio.codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1) {
            original_copy = avformat_new_stream(output.get(), nullptr);
            check(avcodec_parameters_copy(original_copy->codecpar, in_audio.codecpar), "copying the original audio parameters");
            original_copy->codecpar->codec_tag = 0;
            original_copy->time_base = in_audio.time_base;
            set_metadata(*original_copy, titled("Original", original_language), original_language);
        } else {
            int audio_number = 0;
            for (int i = 0; i < original_index; ++i)
                audio_number += input->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
            original_encoded =
                std::make_unique<AacTrack>(*output, video_path, audio_number, std::nullopt, settings.audio_bitrate);
            set_metadata(original_encoded->stream(), titled("Original", original_language), original_language);
        }
    }

    std::vector<std::unique_ptr<SubtitleTrack>> subtitles;
    for (const auto &track : job.value("inputs", json::object()).value("subtitles", json::array()))
        subtitles.push_back(std::make_unique<SubtitleTrack>(*output, track, settings.container == "mp4"));

    if (!(output->oformat->flags & AVFMT_NOFILE))
        check(avio_open(&output->pb, temp.c_str(), AVIO_FLAG_WRITE), "creating " + temp.string());
    AVDictionary *options = nullptr;
    if (settings.container == "mp4") av_dict_set(&options, "movflags", "+faststart", 0);
    const int header = avformat_write_header(output.get(), &options);
    av_dict_free(&options);
    check(header, "writing the header of " + output_path);

    // Sources of packets, each with its next packet ready; always write the earliest.
    std::optional<Pending> demuxed, dubbed = dub.next(), reencoded, subtitle;
    std::size_t subtitle_source = 0;
    auto next_demuxed = [&]() -> std::optional<Pending> {
        while (true) {
            Packet packet = make_packet();
            const int read = av_read_frame(input.get(), packet.get());
            if (read == AVERROR_EOF) return std::nullopt;
            check(read, "reading " + video_path, "the file may be truncated or damaged");
            AVStream *target = packet->stream_index == video_index                       ? out_video
                               : packet->stream_index == original_index && original_copy ? original_copy
                                                                                         : nullptr;
            if (!target) continue;
            const AVRational from = input->streams[packet->stream_index]->time_base;
            av_packet_rescale_ts(packet.get(), from, target->time_base);
            packet->stream_index = target->index;
            packet->pos = -1;
            const std::int64_t stamp = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
            return Pending{std::move(packet), static_cast<double>(stamp) * av_q2d(target->time_base)};
        }
    };
    auto next_subtitle = [&]() -> std::optional<Pending> {
        for (; subtitle_source < subtitles.size(); ++subtitle_source)
            if (auto pending = subtitles[subtitle_source]->next()) return pending;
        return std::nullopt;
    };
    demuxed = next_demuxed();
    if (original_encoded) reencoded = original_encoded->next();
    subtitle = next_subtitle();
    std::size_t written = 0;
    while (demuxed || dubbed || reencoded || subtitle) {
        std::optional<Pending> *earliest = nullptr;
        for (auto *candidate : {&demuxed, &dubbed, &reencoded, &subtitle})
            if (*candidate && (!earliest || (*candidate)->seconds < (*earliest)->seconds)) earliest = candidate;
        Packet packet = std::move((*earliest)->packet);
        if (earliest == &demuxed)
            demuxed = next_demuxed();
        else if (earliest == &dubbed)
            dubbed = dub.next();
        else if (earliest == &reencoded)
            reencoded = original_encoded->next();
        else
            subtitle = next_subtitle();
        check(av_interleaved_write_frame(output.get(), packet.get()), "writing " + output_path);
        if (++written % 256 == 0) {
            host.throw_if_cancelled();
            if (video_seconds > 0 && demuxed) host.progress(std::min(1.0, demuxed->seconds / video_seconds), "muxing");
        }
    }
    check(av_write_trailer(output.get()), "finishing " + output_path);
    if (output->pb) check(avio_closep(&output->pb), "closing " + output_path);
    std::error_code error;
    fs::rename(temp, output_path, error);
    if (error)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot rename " + temp.string() + ": " + error.message());
    cleanup.keep = true;
    return {{"outputs", {{"video", output_path}}},
            {"container", settings.container},
            {"tracks",
             {{"video", "copied"},
              {"dub", titled("Dub", settings.dub_language)},
              {"original", original_index < 0 ? "none"
                           : original_copy    ? "copied"
                                              : "re-encoded"},
              {"subtitles", subtitles.size()}}}};
}

}  // namespace dubhost::ffmpeg
