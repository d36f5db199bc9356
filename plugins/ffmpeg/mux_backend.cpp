// Muxing: the source's video packets copied untouched, the dub encoded to AAC as the default audio
// track, the original audio kept as a second track, subtitle tracks added. Each is a packet source
// (mux_tracks.hpp) and one interleave writes them all in time order, so memory stays flat. An audio
// container (m4a, wav, flac, ogg, opus, mp3) gets the dub alone, encoded as its extension says.
#include "backends.hpp"
#include "mux_tracks.hpp"
#include "output_containers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace dubhost::ffmpeg {
namespace {

namespace fs = std::filesystem;
constexpr int rate = 48000;

struct MuxSettings {
    const OutputContainer *container = nullptr;
    bool keep_original = true;
    bool keep_overrun = false;
    std::string dub_language;
    std::string original_language;
    std::int64_t audio_bitrate = 192000;
};

std::string titled(const std::string &name, const std::string &language) {
    return language.empty() ? name : name + " (" + language + ")";
}

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
    s.container = &require_output_container(params.value("container", std::string()), output);
    s.keep_original = params.value("keep_original", true);
    s.keep_overrun = params.value("keep_overrun", false);
    s.dub_language = params.value("dub_language", std::string());
    s.original_language = params.value("original_language", std::string());
    s.audio_bitrate = params.value("audio_bitrate", s.audio_bitrate);
    if (s.audio_bitrate < 32000 || s.audio_bitrate > 512000)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "audio_bitrate must be between 32000 and 512000",
                             "pass --param audio_bitrate=192000");
    return s;
}

// The original audio's language: the parameter, else the stream's tag (unless "und").
std::string original_language(const MuxSettings &settings, const AVStream &audio) {
    if (!settings.original_language.empty()) return settings.original_language;
    const AVDictionaryEntry *tag = av_dict_get(audio.metadata, "language", nullptr, 0);
    return tag && std::string(tag->value) != "und" ? tag->value : "";
}

// Which audio stream `index` is, counting audio streams only (as AudioReader counts them).
int audio_number(const AVFormatContext &input, int index) {
    int number = 0;
    for (int i = 0; i < index; ++i) number += input.streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
    return number;
}

// The written file's temporary name, removed unless the mux completes.
struct PartialFile {
    fs::path path;
    bool keep = false;
    ~PartialFile() {
        std::error_code ignored;
        if (!keep) fs::remove(path, ignored);
    }
};

// How long the input plays: its video stream, else the container (an audio-only input).
double media_seconds(const AVFormatContext &input, int video_index) {
    if (video_index >= 0) {
        const AVStream &video = *input.streams[video_index];
        if (video.duration > 0) return static_cast<double>(video.duration) * av_q2d(video.time_base);
    }
    return input.duration > 0 ? static_cast<double>(input.duration) / AV_TIME_BASE : 0;
}

// The output, written under a temporary name and renamed into place once it is complete.
class OutputFile {
public:
    OutputFile(const std::string &path, const OutputContainer &container) : path_(path), partial_{path + ".part"} {
        fs::create_directories(fs::path(path).parent_path());
        AVFormatContext *raw = nullptr;
        check(avformat_alloc_output_context2(&raw, nullptr, container.muxer.c_str(), partial_.path.c_str()), "creating " + path);
        output_.reset(raw);
    }
    AVFormatContext &format() { return *output_; }

    // Writes the header, every packet of `sources` in time order, the trailer; then renames.
    void write(const sdk::Host &host, std::vector<PacketSource *> &sources, double seconds) {
        if (!(output_->oformat->flags & AVFMT_NOFILE))
            check(avio_open(&output_->pb, partial_.path.c_str(), AVIO_FLAG_WRITE), "creating " + partial_.path.string());
        AVDictionary *options = nullptr;
        if (std::string(output_->oformat->name) == "mp4" || std::string(output_->oformat->name) == "ipod")
            av_dict_set(&options, "movflags", "+faststart", 0);
        const int header = avformat_write_header(output_.get(), &options);
        av_dict_free(&options);
        check(header, "writing the header of " + path_);
        std::size_t written = 0;
        interleave(sources, [&](TimedPacket &timed) {
            check(av_interleaved_write_frame(output_.get(), timed.packet.get()), "writing " + path_);
            if (++written % 256 == 0) {
                host.throw_if_cancelled();
                if (seconds > 0) host.progress(std::clamp(timed.seconds / seconds, 0.0, 1.0), "muxing");
            }
        });
        check(av_write_trailer(output_.get()), "finishing " + path_);
        if (output_->pb) check(avio_closep(&output_->pb), "closing " + path_);
        std::error_code error;
        fs::rename(partial_.path, path_, error);
        if (error)
            throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed",
                                 "cannot rename " + partial_.path.string() + ": " + error.message());
        partial_.keep = true;
    }

private:
    std::string path_;
    PartialFile partial_;
    OutputFormat output_;
};

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    return text;
}

// An audio container: the dub alone, as long as the input plays (cut with a fade unless
// keep_overrun), encoded with the container's codec.
json write_audio_only(const sdk::Host &host, const MuxSettings &settings, const std::string &dub_path,
                      const std::string &output_path, double input_seconds) {
    const OutputContainer &container = *settings.container;
    OutputFile output(output_path, container);
    const std::optional<std::int64_t> dub_frames = input_seconds > 0 && !settings.keep_overrun
                                                       ? std::optional<std::int64_t>(std::llround(input_seconds * rate))
                                                       : std::nullopt;
    EncodedAudio dub(output.format(), *dub_encoder(container), dub_path, -1, dub_frames,
                     container.lossy ? settings.audio_bitrate : 0, "dub audio");
    set_track_metadata(dub.stream(), titled("Dub", settings.dub_language), settings.dub_language);
    std::vector<PacketSource *> sources = {&dub};
    output.write(host, sources, input_seconds);
    json notes = json::array();
    if (dub.faded()) notes.push_back("speech past the input's end (" + seconds_text(input_seconds) + ") faded out there");
    return {{"outputs", {{"video", output_path}}},
            {"cut_cues", json::array()},
            {"notes", notes},
            {"container", container.name},
            {"tracks",
             {{"video", "none"},
              {"dub", titled("Dub", settings.dub_language)},
              {"dub_codec", dub_encoder(container)->name},
              {"original", "none"},
              {"subtitles", 0}}}};
}

}  // namespace

json MuxBackend::status(const sdk::Host &, const json &) {
    json status = ffmpeg_status();
    status["containers"] = writable_containers();
    return status;
}

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
    const double video_seconds = media_seconds(*input, video_index);
    if (!settings.container->video) return write_audio_only(host, settings, dub_path, output_path, video_seconds);
    if (video_index < 0)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "no-video-stream",
                             video_path + " has no video stream, so there is nothing to mux the dub into",
                             "write the dub as audio: --param container=m4a (or wav, flac, ogg, opus, mp3)");
    const AVStream &in_video = *input->streams[video_index];
    const int original_index =
        settings.keep_original ? av_find_best_stream(input.get(), AVMEDIA_TYPE_AUDIO, -1, video_index, nullptr, 0) : -1;

    OutputFile file(output_path, *settings.container);
    AVFormatContext &output = file.format();
    const AVCodec *aac = dub_encoder(*settings.container);

    // Video: copied packet for packet.
    CopiedStreams copied(*input, video_path);
    AVStream &out_video = copied.copy(output, video_index, "video");
    av_dict_copy(&out_video.metadata, in_video.metadata, 0);

    // The dub: the default audio track, exactly as long as the video.
    const std::optional<std::int64_t> dub_frames =
        video_seconds > 0 ? std::optional<std::int64_t>(std::llround(video_seconds * rate)) : std::nullopt;
    EncodedAudio dub(output, *aac, dub_path, -1, dub_frames, settings.audio_bitrate, "dub audio");
    set_track_metadata(dub.stream(), titled("Dub", settings.dub_language), settings.dub_language);
    dub.stream().disposition = AV_DISPOSITION_DEFAULT;
    std::vector<PacketSource *> sources = {&copied, &dub};

    // The original audio: copied when the container takes its codec, else re-encoded to AAC.
    std::unique_ptr<EncodedAudio> original_encoded;
    std::string original_track = "none";
    if (original_index >= 0) {
        const AVStream &in_audio = *input->streams[original_index];
        const std::string language = original_language(settings, in_audio);
        if (avformat_query_codec(output.oformat, in_audio.codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1) {
            set_track_metadata(copied.copy(output, original_index, "original audio"), titled("Original", language), language);
            original_track = "copied";
        } else {
            original_encoded = std::make_unique<EncodedAudio>(output, *aac, video_path, audio_number(*input, original_index),
                                                              std::nullopt, settings.audio_bitrate, "original audio");
            set_track_metadata(original_encoded->stream(), titled("Original", language), language);
            sources.push_back(original_encoded.get());
            original_track = "re-encoded";
        }
    }

    // Subtitle tracks, each its own source: cues of all of them come out in time order.
    std::vector<std::unique_ptr<SubtitleCues>> subtitles;
    // Cut at the video's end (unless keep_overrun), so the file is as long as its video.
    const std::optional<std::int64_t> end_ms = video_seconds > 0 && !settings.keep_overrun
                                                   ? std::optional<std::int64_t>(std::llround(video_seconds * 1000))
                                                   : std::nullopt;
    const bool mp4 = settings.container->name == "mp4";
    for (const auto &track : job.value("inputs", json::object()).value("subtitles", json::array())) {
        subtitles.push_back(std::make_unique<SubtitleCues>(output, track, mp4, end_ms));
        sources.push_back(subtitles.back().get());
    }
    file.write(host, sources, video_seconds);

    // What the video's end cut (the spoken track's cues: its speech is cut with them).
    json cut = json::array();
    for (const auto &track : subtitles)
        for (const auto &cue : track->cut()) cut.push_back(cue);
    json notes = json::array();
    const std::size_t spoken_cut = subtitles.empty() ? 0 : subtitles.front()->cut().size();
    if (spoken_cut > 0)
        notes.push_back(std::to_string(spoken_cut) + " cue(s) past the video's end (" + seconds_text(video_seconds) + ") cut" +
                        (dub.faded() ? ", the speech faded out" : "") + "; `dubhost qc` lists them");
    if (original_index < 0 && settings.keep_original) notes.push_back("the video has no sound track: the dub is its only audio");
    return {{"outputs", {{"video", output_path}}},
            {"cut_cues", cut},
            {"notes", notes},
            {"container", settings.container->name},
            {"tracks",
             {{"video", "copied"},
              {"dub", titled("Dub", settings.dub_language)},
              {"original", original_track},
              {"subtitles", subtitles.size()}}}};
}

}  // namespace dubhost::ffmpeg
