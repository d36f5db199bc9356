// Muxing: the source's video packets copied untouched, the dub encoded to AAC as the default audio
// track, the original audio kept as a second track, subtitle tracks added. Each is a packet source
// (mux_tracks.hpp) and one interleave writes them all in time order, so memory stays flat.
#include "backends.hpp"
#include "mux_tracks.hpp"

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
    std::string container;  // "mp4" or "matroska"
    bool keep_original = true;
    bool keep_overrun = false;
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
    s.container = container_for(params.value("container", std::string()), output);
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

    PartialFile partial{output_path + ".part"};
    fs::create_directories(fs::path(output_path).parent_path());
    AVFormatContext *raw_output = nullptr;
    check(avformat_alloc_output_context2(&raw_output, nullptr, settings.container.c_str(), partial.path.c_str()),
          "creating " + output_path);
    OutputFormat output(raw_output);

    // Video: copied packet for packet.
    CopiedStreams copied(*input, video_path);
    AVStream &out_video = copied.copy(*output, video_index, "video");
    av_dict_copy(&out_video.metadata, in_video.metadata, 0);
    const double video_seconds = in_video.duration > 0 ? static_cast<double>(in_video.duration) * av_q2d(in_video.time_base)
                                                       : static_cast<double>(input->duration) / AV_TIME_BASE;

    // The dub: the default audio track, exactly as long as the video.
    const std::optional<std::int64_t> dub_frames =
        video_seconds > 0 ? std::optional<std::int64_t>(std::llround(video_seconds * rate)) : std::nullopt;
    AacTrack dub(*output, dub_path, -1, dub_frames, settings.audio_bitrate, "dub audio");
    set_track_metadata(dub.stream(), titled("Dub", settings.dub_language), settings.dub_language);
    dub.stream().disposition = AV_DISPOSITION_DEFAULT;
    std::vector<PacketSource *> sources = {&copied, &dub};

    // The original audio: copied when the container takes its codec, else re-encoded to AAC.
    std::unique_ptr<AacTrack> original_encoded;
    std::string original_track = "none";
    if (original_index >= 0) {
        const AVStream &in_audio = *input->streams[original_index];
        const std::string language = original_language(settings, in_audio);
        if (avformat_query_codec(output->oformat, in_audio.codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1) {
            set_track_metadata(copied.copy(*output, original_index, "original audio"), titled("Original", language), language);
            original_track = "copied";
        } else {
            original_encoded = std::make_unique<AacTrack>(*output, video_path, audio_number(*input, original_index), std::nullopt,
                                                          settings.audio_bitrate, "original audio");
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
    for (const auto &track : job.value("inputs", json::object()).value("subtitles", json::array())) {
        subtitles.push_back(std::make_unique<SubtitleCues>(*output, track, settings.container == "mp4", end_ms));
        sources.push_back(subtitles.back().get());
    }

    if (!(output->oformat->flags & AVFMT_NOFILE))
        check(avio_open(&output->pb, partial.path.c_str(), AVIO_FLAG_WRITE), "creating " + partial.path.string());
    AVDictionary *options = nullptr;
    if (settings.container == "mp4") av_dict_set(&options, "movflags", "+faststart", 0);
    const int header = avformat_write_header(output.get(), &options);
    av_dict_free(&options);
    check(header, "writing the header of " + output_path);

    std::size_t written = 0;
    interleave(sources, [&](TimedPacket &timed) {
        check(av_interleaved_write_frame(output.get(), timed.packet.get()), "writing " + output_path);
        if (++written % 256 == 0) {
            host.throw_if_cancelled();
            if (video_seconds > 0) host.progress(std::clamp(timed.seconds / video_seconds, 0.0, 1.0), "muxing");
        }
    });
    check(av_write_trailer(output.get()), "finishing " + output_path);
    if (output->pb) check(avio_closep(&output->pb), "closing " + output_path);
    std::error_code error;
    fs::rename(partial.path, output_path, error);
    if (error)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed",
                             "cannot rename " + partial.path.string() + ": " + error.message());
    partial.keep = true;
    // What the video's end cut (the spoken track's cues: its speech is cut with them).
    json cut = json::array();
    for (const auto &track : subtitles)
        for (const auto &cue : track->cut()) cut.push_back(cue);
    json notes = json::array();
    const std::size_t spoken_cut = subtitles.empty() ? 0 : subtitles.front()->cut().size();
    if (spoken_cut > 0) {
        char note[200];
        std::snprintf(note, sizeof note, "%zu cue(s) past the video's end (%.1f s) cut%s; `dubhost qc` lists them", spoken_cut,
                      video_seconds, dub.faded() ? ", the speech faded out" : "");
        notes.push_back(note);
    }
    return {{"outputs", {{"video", output_path}}},
            {"cut_cues", cut},
            {"notes", notes},
            {"container", settings.container},
            {"tracks",
             {{"video", "copied"},
              {"dub", titled("Dub", settings.dub_language)},
              {"original", original_track},
              {"subtitles", subtitles.size()}}}};
}

}  // namespace dubhost::ffmpeg
