// `dubhost dub`: the whole pipeline on one input, from import to the result at -o's path, walking
// the stage table (what each stage needs, skips or refuses is said beside its entry there).
#include "dubhost/host/dub.hpp"

#include "dubhost/host/stage_table.hpp"
#include "dubhost/host/subtitle_formats.hpp"

#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/json_fields.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

bool installed(const std::vector<BackendChoice> &choices, const std::string &capability) {
    for (const auto &choice : choices)
        if (choice.capability == capability) return choice.selected && choice.candidates[*choice.selected].installed;
    return false;
}

nlohmann::json chosen_status(const std::vector<BackendChoice> &choices, const std::string &capability) {
    for (const auto &choice : choices)
        if (choice.capability == capability && choice.selected) return choice.candidates[*choice.selected].status;
    return nlohmann::json::object();
}

// The script track for these subtitles: an identical one imported before, or a new one. Reusing
// it keeps segment ids, and so every later stage, up to date on a re-run.
std::int64_t script_track(Workspace &workspace, const Item &item, const DubRequest &request, std::vector<std::string> &repairs) {
    const fs::path &file = *request.subtitles;
    const std::string &language = request.language;
    ParsedSubtitles parsed = read_subtitle_file(file, std::nullopt, request.subtitle_reading);
    repairs = parsed.repairs;
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

// A track of the same kind and language imported after the one a stage made (a corrected
// transcript, an edited translation: `dubhost track import ... --kind translation`) is the user's
// edit of it, and the stages after it read that instead.
std::int64_t newest_edit(const Workspace &workspace, const Item &item, const std::string &kind, std::int64_t made) {
    if (kind.empty()) return made;
    const SubtitleTrack track = workspace.require_track(made);
    std::int64_t newest = made;
    for (const auto &candidate : workspace.tracks(item.id))
        if (candidate.id > newest && candidate.kind == kind && candidate.language == track.language &&
            candidate.created_by.rfind("import:", 0) == 0)
            newest = candidate.id;
    return newest;
}

struct DubOutput {
    fs::path path;
    std::string container;  // what the mux writes there, named as the extension
};

std::string extension_of(const fs::path &path) {
    std::string extension = path.extension().string();
    if (!extension.empty()) extension.erase(0, 1);
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return extension;
}

// What -o's extension says to write. One that names nothing dubhost writes is refused before the
// input is even imported.
std::string requested_container(const fs::path &output) {
    const auto writes = output_containers();
    const std::string container = extension_of(output);
    if (std::find(writes.begin(), writes.end(), container) != writes.end()) return container;
    throw user_error(
        "unknown-output-format",
        (container.empty() ? output.filename().string() + " has no extension to say what to write"
                           : "dubhost does not write ." + container + " files (" + output.filename().string() + ")") +
            ": it writes the video with the dub as .mp4 or .mkv, the dub alone as .m4a, .wav, .flac, .ogg, "
            ".opus or .mp3",
        "name the output with one of those extensions, e.g. -o " + (output.parent_path() / output.stem()).string() +
            ".mp4 (or .m4a for the dub alone)");
}

// Where the result goes and what it is: exactly -o's path, written as its extension says; by
// default ./<name>.dub.mp4, or for an audio input ./<name>.dub.<its extension> (m4a when dubhost
// does not write that kind of file).
DubOutput dub_output(const DubRequest &request, const Item &item) {
    if (request.output) return {fs::absolute(*request.output), requested_container(*request.output)};
    std::string container = "mp4";
    if (item.media_kind == "audio") {
        const auto &audio = audio_containers();
        const std::string own = extension_of(request.video);
        container = std::find(audio.begin(), audio.end(), own) != audio.end() ? own : "m4a";
    }
    return {fs::current_path() / (request.video.stem().string() + ".dub." + container), container};
}

}  // namespace

DubResult run_dub(Workspace &workspace, Pipeline &pipeline, const std::vector<BackendChoice> &choices, const DubRequest &request,
                  const MediaProber *prober, const std::function<void(const std::string &)> &on_stage) {
    DubResult result;
    // What can be refused from the request alone is refused before anything is imported.
    if (request.output) requested_container(*request.output);
    if (!request.background.empty() && request.background != "stem" && request.background != "original" &&
        request.background != "none")
        throw user_error("bad-parameter", "the background must be stem, original or none, not '" + request.background + "'",
                         "pass --background stem (the separated background), original (ducked) or none (the speech alone)");
    const Item item = workspace.import_media(request.video, Workspace::ImportMode::copy, prober).item;
    result.item_id = item.id;
    const DubOutput output = dub_output(request, item);
    for (const auto &[speaker, voice] : request.voices) workspace.set_speaker_voice(item.id, speaker, voice);

    std::optional<std::int64_t> track;
    if (request.subtitles) track = script_track(workspace, item, request, result.subtitle_repairs);
    const DubContext context{
        item,
        request,
        [&](const std::string &stage) { return installed(choices, stage) || request.backends.count(stage) > 0; },
        [&](const std::string &stage) { return chosen_status(choices, stage); },
        track ? workspace.require_track(*track).language : std::string(),
        output.container};
    // What is left out, and the checks of what runs, before anything runs.
    std::map<std::string, std::string> left_out;
    for (const StageSpec &stage : stage_table()) {
        if (auto note = stage.dub_skip ? stage.dub_skip(context) : std::nullopt)
            left_out[stage.name] = *note;
        else if (stage.dub_check)
            stage.dub_check(context);
    }
    fs::path produced;
    for (const StageSpec &stage : stage_table()) {
        if (const auto note = left_out.find(stage.name); note != left_out.end()) {
            result.stages.push_back({stage.name, "", false, 0, note->second, {}});
            continue;
        }
        if (on_stage) on_stage(stage.name);
        StageRequest stage_request;
        stage_request.stage = stage.name;
        stage_request.item = item.id;
        if (const auto chosen = request.backends.find(stage.name); chosen != request.backends.end())
            stage_request.backend = chosen->second;
        if (stage.dub_params) stage_request.params = stage.dub_params(context);
        if (stage.reads_track) stage_request.track = track;
        const auto started = std::chrono::steady_clock::now();
        const StageOutcome outcome = pipeline.run(stage_request);
        DubStage report{stage.name,
                        outcome.job.backend,
                        outcome.skipped,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                        {},
                        {}};
        for (const auto &artifact : outcome.job.artifacts) {
            if (artifact.role != "output") continue;
            report.outputs.push_back(artifact.path);
            if (artifact.name == stage.result_output) produced = artifact.path;
        }
        // A stage that yields a track (ASR, diarization, translation) hands it to the stages after it.
        const auto answered = nlohmann::json::parse(outcome.job.result_json, nullptr, false);
        if (answered.is_object())  // what the backend says the user should know (e.g. cues cut at the end)
            for (const auto &note : answered.value("notes", nlohmann::json::array()))
                if (note.is_string()) report.note += (report.note.empty() ? "" : "; ") + note.get<std::string>();
        result.stages.push_back(std::move(report));
        if (const auto made = integer_field(answered, "track_id", 0); stage.yields_track && made > 0)
            track = newest_edit(workspace, item, *stage.yields_track, made);
    }
    if (produced.empty()) throw Failure(ErrorKind::internal, "no-output", "the last stage recorded no output file");
    fs::create_directories(output.path.parent_path());
    copy_file_atomically(produced, output.path);
    result.output = output.path;
    return result;
}

}  // namespace dubhost
