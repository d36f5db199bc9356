#include "dubhost/host/dub.hpp"

#include "dubhost/host/atomic_file.hpp"
#include "dubhost/host/error.hpp"
#include "dubhost/host/subtitle_formats.hpp"

#include <chrono>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

bool installed(const std::vector<BackendChoice> &choices, const std::string &capability) {
    for (const auto &choice : choices)
        if (choice.capability == capability) return choice.selected && choice.candidates[*choice.selected].installed;
    return false;
}

// The script track for these subtitles: an identical one imported before, or a new one. Reusing
// it keeps segment ids, and so every later stage, up to date on a re-run.
std::int64_t script_track(Workspace &workspace, const Item &item, const fs::path &file, const std::string &language) {
    ParsedSubtitles parsed = read_subtitle_file(file);
    if (parsed.segments.empty())
        throw user_error("empty-subtitles", file.string() + " has no cues with text", "check that it is the right file");
    const std::string wanted_language = language.empty() ? parsed.language : language;
    for (const auto &track : workspace.tracks(item.id)) {
        if (track.kind != "script" || track.language != wanted_language || track.segments.size() != parsed.segments.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; same && i < track.segments.size(); ++i) {
            const auto &a = track.segments[i], &b = parsed.segments[i];
            same = a.start_ms == b.start_ms && a.end_ms == b.end_ms && a.text == b.text && a.speaker == b.speaker;
        }
        if (same) return track.id;
    }
    SubtitleTrack track;
    track.item_id = item.id;
    track.kind = "script";
    track.language = wanted_language;
    track.created_by = "import:" + file.filename().string();
    track.segments = std::move(parsed.segments);
    return workspace.add_track(std::move(track));
}

fs::path default_output(const fs::path &video) { return fs::current_path() / (video.stem().string() + ".dub.mp4"); }

}  // namespace

DubResult run_dub(Workspace &workspace, Pipeline &pipeline, const std::vector<BackendChoice> &choices, const DubRequest &request,
                  const MediaProber *prober, const std::function<void(const std::string &)> &on_stage) {
    DubResult result;
    const Item item = workspace.import_media(request.video, Workspace::ImportMode::copy, prober).item;
    result.item_id = item.id;
    for (const auto &[speaker, voice] : request.voices) workspace.set_speaker_voice(item.id, speaker, voice);
    const fs::path output = request.output ? fs::absolute(*request.output) : default_output(request.video);
    const std::string container = output.extension() == ".mkv" ? "mkv" : "mp4";

    std::optional<std::int64_t> track;
    if (request.subtitles) track = script_track(workspace, item, *request.subtitles, request.language);
    const bool have_separator = installed(choices, "separate") || request.backends.count("separate");
    const std::string background = !request.background.empty() ? request.background : have_separator ? "stem" : "original";

    auto run = [&](const std::string &stage, nlohmann::json params = nlohmann::json::object()) -> StageOutcome {
        if (on_stage) on_stage(stage);
        StageRequest stage_request;
        stage_request.stage = stage;
        stage_request.item = item.id;
        if (const auto chosen = request.backends.find(stage); chosen != request.backends.end())
            stage_request.backend = chosen->second;
        stage_request.params = std::move(params);
        if (stage == "diarize" || stage == "tts") stage_request.track = track;
        const auto started = std::chrono::steady_clock::now();
        StageOutcome outcome = pipeline.run(stage_request);
        DubStage report{stage,
                        outcome.job.backend,
                        outcome.skipped,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                        {},
                        {}};
        for (const auto &artifact : outcome.job.artifacts)
            if (artifact.role == "output") report.outputs.push_back(artifact.path);
        result.stages.push_back(std::move(report));
        return outcome;
    };
    auto skip = [&](const std::string &stage, const std::string &note) {
        result.stages.push_back({stage, "", false, 0, note, {}});
    };

    run("extract");
    if (background == "stem")
        run("separate");
    else
        skip("separate", "mixing over the original audio, ducked under the dub" +
                             std::string(have_separator ? " (--background original)" : ": no separation backend is installed"));
    if (!request.subtitles) {
        if (!installed(choices, "asr") && !request.backends.count("asr"))
            throw user_error(
                "no-asr", "there is no speech recognition backend here and no --subtitles were given",
                "pass the text to speak with --subtitles FILE.srt, or install an ASR plugin (see `dubhost backends`)");
        const StageOutcome asr = run("asr");
        const auto recognised = nlohmann::json::parse(asr.job.result_json, nullptr, false);
        if (recognised.is_object() && recognised.contains("track_id")) track = recognised["track_id"].get<std::int64_t>();
    }
    if (installed(choices, "diarize") || request.backends.count("diarize")) {
        const StageOutcome diarized = run("diarize");
        const auto labelled = nlohmann::json::parse(diarized.job.result_json, nullptr, false);
        if (labelled.is_object() && labelled.contains("track_id")) track = labelled["track_id"].get<std::int64_t>();
    } else {
        skip("diarize", "no diarization backend is installed: every segment is spoken by one voice");
    }
    run("tts");
    const StageOutcome mixed = run("mix", {{"background", background}});
    fs::path produced;
    if (item.media_kind == "audio") {
        skip("mux", "the input has no video: the result is the dubbed audio");
        for (const auto &artifact : mixed.job.artifacts)
            if (artifact.role == "output" && artifact.name == "mix") produced = artifact.path;
    } else {
        const StageOutcome muxed = run("mux", {{"container", container}, {"dub_language", request.language}});
        for (const auto &artifact : muxed.job.artifacts)
            if (artifact.role == "output" && artifact.name == "video") produced = artifact.path;
    }
    if (produced.empty()) throw Failure(ErrorKind::internal, "no-output", "the last stage recorded no output file");
    fs::path final_output = output;
    if (item.media_kind == "audio" && final_output.extension() != ".wav") final_output.replace_extension(".wav");
    fs::create_directories(final_output.parent_path());
    copy_file_atomically(produced, final_output);
    result.output = final_output;
    return result;
}

}  // namespace dubhost
