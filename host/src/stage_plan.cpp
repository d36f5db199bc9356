#include "stage_plan.hpp"

#include "dubhost/host/error.hpp"

namespace dubhost {
namespace fs = std::filesystem;
namespace {

Failure missing(const std::string &what, const std::string &command) {
    return user_error("missing-prerequisite", what, "run `" + command + "`");
}

// The named output of the newest succeeded job of `stage`, if that file still exists.
std::optional<fs::path> earlier_output(const Workspace &workspace, const std::string &item_id, const std::string &stage,
                                       const std::string &name) {
    const auto job = workspace.last_succeeded_job(item_id, stage);
    if (!job) return std::nullopt;
    for (const auto &artifact : job->artifacts) {
        std::error_code error;
        if (artifact.role == "output" && artifact.name == name && fs::exists(artifact.path, error))
            return fs::path(artifact.path);
    }
    return std::nullopt;
}

fs::path require_output(const Workspace &workspace, const Item &item, const std::string &stage, const std::string &name,
                        const std::string &what) {
    if (auto path = earlier_output(workspace, item.id, stage, name)) return *path;
    throw missing(what + " for item " + item.id, "dubhost run " + stage + " " + item.id);
}

SubtitleTrack choose_track(const Workspace &workspace, const Item &item, const StageRequest &request, const std::string &stage) {
    if (request.track) {
        SubtitleTrack track = workspace.require_track(*request.track);
        if (track.item_id != item.id)
            throw user_error("wrong-track",
                             "track " + std::to_string(*request.track) + " belongs to item " + track.item_id + ", not " + item.id,
                             "list this item's tracks with `dubhost tracks " + item.id + "`");
        return track;
    }
    const auto tracks = workspace.tracks(item.id);
    if (tracks.empty())
        throw user_error("missing-prerequisite", "item " + item.id + " has no subtitle track for " + stage,
                         "run `dubhost run asr " + item.id + "` or add one with `dubhost track import " + item.id + " FILE.srt`");
    // The newest track that says what to speak, else the newest track.
    for (auto it = tracks.rbegin(); it != tracks.rend(); ++it)
        if (it->kind == "script" || it->kind == "translation") return *it;
    return tracks.back();
}

nlohmann::json track_document(const SubtitleTrack &track) { return nlohmann::json(track); }

}  // namespace

StagePlan plan_stage(const Workspace &workspace, const Item &item, const StageRequest &request, const std::string &backend_id) {
    StagePlan plan;
    const fs::path derived = workspace.derived_item_dir(item.id);
    const fs::path source = workspace.root() / item.stored_path;
    const std::string &stage = request.stage;
    plan.work_dir = derived / "work" / stage;
    auto extracted = [&](const std::string &name) {
        return require_output(workspace, item, "extract", name, "no extracted audio (" + name + ")");
    };

    if (stage == "extract") {
        std::error_code error;
        if (!fs::exists(source, error))
            throw user_error("missing-source", "the media of item " + item.id + " is gone (" + source.string() + ")",
                             "import it again: `dubhost import '" + item.original_path + "'`");
        plan.inputs["media"] = source.string();
        plan.input_files.push_back({"media", source});
        plan.outputs = {{"mix_48k", (derived / "audio" / "mix_48k.wav").string()},
                        {"speech_16k", (derived / "audio" / "speech_16k.wav").string()}};
    } else if (stage == "separate") {
        const fs::path mix = extracted("mix_48k");
        plan.inputs["mix"] = mix.string();
        plan.input_files.push_back({"mix", mix});
        // spleeter --param stems=4 writes drums, bass and other beside vocals and background.
        const auto stems = request.params.contains("stems") && request.params["stems"].is_number_integer()
                               ? request.params["stems"].get<int>()
                               : 2;
        const fs::path dir = derived / "separation" / (backend_id + "_" + std::to_string(stems) + "stems");
        plan.outputs = {{"vocals", (dir / "vocals.wav").string()}, {"background", (dir / "background.wav").string()}};
    } else if (stage == "asr") {
        const fs::path speech = extracted("speech_16k");
        plan.inputs["speech"] = speech.string();
        plan.input_files.push_back({"speech", speech});
        plan.outputs = {{"dir", (derived / "asr" / backend_id).string()}};
    } else if (stage == "diarize") {
        const fs::path speech = extracted("speech_16k");
        const SubtitleTrack track = choose_track(workspace, item, request, stage);
        plan.track_id = track.id;
        plan.inputs = {{"speech", speech.string()}, {"track", track_document(track)}};
        plan.input_files.push_back({"speech", speech});
        plan.input_documents["track"] = plan.inputs["track"];
        plan.outputs = {{"diarization", (derived / "diarize" / "diarization.json").string()}};
    } else if (stage == "tts") {
        const SubtitleTrack track = choose_track(workspace, item, request, stage);
        plan.track_id = track.id;
        nlohmann::json voice_map = nlohmann::json::object();  // the voices users chose (`dubhost speakers set`)
        for (const auto &speaker : workspace.speakers(item.id))
            if (!speaker.voice.empty()) voice_map[speaker.label] = speaker.voice;
        plan.inputs = {{"track", track_document(track)}, {"voice_map", voice_map}};
        plan.input_documents["track"] = plan.inputs["track"];
        plan.input_documents["voice_map"] = voice_map;
        plan.outputs = {{"dir", (derived / "tts_preview" / (backend_id + "_v1")).string()}};
    } else if (stage == "mix") {
        const bool original = request.params.value("background", std::string("stem")) == "original";
        const fs::path background = original ? extracted("mix_48k") : [&] {
            if (auto stem = earlier_output(workspace, item.id, "separate", "background")) return *stem;
            throw user_error("missing-prerequisite", "no background stem for item " + item.id,
                             "run `dubhost run separate " + item.id + "` (or pass --background original)");
        }();
        const fs::path manifest = require_output(workspace, item, "tts", "manifest", "no dubbed speech (TTS manifest)");
        plan.inputs = {{"background", background.string()}, {"tts_manifest", manifest.string()}};
        plan.input_files = {{"background", background}, {"tts_manifest", manifest}};
        plan.outputs = {{"mix", (derived / "dub_preview" / "mix_dub_preview_v1.wav").string()},
                        {"mix_manifest", (derived / "dub_preview" / "mix_dub_preview_v1.json").string()}};
    } else if (stage == "mux") {
        if (item.media_kind == "audio") {
            const fs::path dubbed = derived / "dub_preview" / "mix_dub_preview_v1.wav";
            std::error_code missing;
            throw user_error("audio-only-item", "item " + item.id + " is audio-only: there is no video to put the dub into",
                             fs::exists(dubbed, missing) ? "use the dubbed audio itself: " + dubbed.string()
                                                         : "the dubbed audio is the result: `dubhost run mix " + item.id +
                                                               "` writes it (or `dubhost dub` does every stage)");
        }
        const fs::path mix = require_output(workspace, item, "mix", "mix", "no dub mix");
        plan.inputs = {{"video", source.string()}, {"dub_audio", mix.string()}, {"subtitles", nlohmann::json::array()}};
        plan.input_files = {{"video", source}, {"dub_audio", mix}};
        const auto tts = workspace.last_succeeded_job(item.id, "tts");
        if (tts) {
            const auto params = nlohmann::json::parse(tts->params_json, nullptr, false);
            const auto track_id = params.is_object() ? params.value("track", std::int64_t{0}) : 0;
            if (track_id > 0) {
                const SubtitleTrack track = workspace.require_track(track_id);
                plan.inputs["subtitles"].push_back(
                    {{"language", track.language}, {"segments", track_document(track)["segments"]}});
                plan.input_documents["subtitles"] = plan.inputs["subtitles"];
            }
        }
        const std::string container = request.params.value("container", std::string("mp4")) == "mkv" ? "mkv" : "mp4";
        plan.outputs = {{"video", (derived / "dub_preview" / ("mux_dub_preview_v1." + container)).string()}};
    } else {
        throw user_error("no-such-stage", "there is no stage '" + stage + "'",
                         "stages: extract, separate, asr, diarize, tts, mix, mux");
    }
    return plan;
}

}  // namespace dubhost
