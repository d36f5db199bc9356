// The stage table: every stage of the dub pipeline, in order, and beside each entry the hooks for
// what the generic planner and `dubhost dub` cannot say as data. Adding a stage is one entry here
// and a plugin that provides its capability.
#include "dubhost/host/stage_table.hpp"

#include "dubhost/host/dub.hpp"
#include "stage_plan.hpp"

#include <dubhost/support/error.hpp>

#include <algorithm>
#include <cctype>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

// The mix's background in a dub: as the user said, else the separated stem when a separator is
// there, else the original audio (ducked under the dub).
std::string dub_background(const DubContext &dub) {
    if (!dub.request.background.empty()) return dub.request.background;
    return dub.available("separate") ? "stem" : "original";
}

// tts: the voices users chose (`dubhost speakers set`) go in beside the track.
void plan_tts(PlanContext &context) {
    nlohmann::json voice_map = nlohmann::json::object();
    for (const auto &speaker : context.workspace.speakers(context.item.id))
        if (!speaker.voice.empty()) voice_map[speaker.label] = speaker.voice;
    context.add_document("voice_map", voice_map);
}

// mix: the background is the separated stem, or with background=original the extracted mix.
void plan_mix(PlanContext &context) {
    if (context.parameter("background") == "original") {
        context.add_file("background", context.require_output("extract", "mix_48k", "extracted audio (mix_48k)"));
        return;
    }
    const auto stem = context.earlier_output("separate", "background");
    if (!stem)
        throw user_error("missing-prerequisite", "no background stem for item " + context.item.id,
                         "run `dubhost run separate " + context.item.id + "` (or pass --background original)");
    context.add_file("background", *stem);
}

// mux: an audio-only item has no video to put the dub into; the spoken track goes in as subtitles.
void plan_mux(PlanContext &context) {
    const Item &item = context.item;
    if (item.media_kind == "audio") {
        const auto dubbed = context.earlier_output("mix", "mix");
        throw user_error("audio-only-item", "item " + item.id + " is audio-only: there is no video to put the dub into",
                         dubbed ? "use the dubbed audio itself: " + dubbed->string()
                                : "the dubbed audio is the result: `dubhost run mix " + item.id +
                                      "` writes it (or `dubhost dub` does every stage)");
    }
    context.plan.inputs["subtitles"] = nlohmann::json::array();
    const auto spoken = context.workspace.last_succeeded_job(item.id, "tts");
    if (!spoken) return;
    const auto params = nlohmann::json::parse(spoken->params_json, nullptr, false);
    const auto track_id = params.is_object() ? params.value("track", std::int64_t{0}) : 0;
    if (track_id <= 0) return;
    const SubtitleTrack track = context.workspace.require_track(track_id);
    context.add_document(
        "subtitles", nlohmann::json::array({{{"language", track.language}, {"segments", nlohmann::json(track)["segments"]}}}));
}

std::vector<StageSpec> make_table() {
    std::vector<StageSpec> stages(7);
    StageSpec &extract = stages[0];
    extract.name = "extract";
    extract.summary = "the item's audio as a 48 kHz mix and 16 kHz mono speech";
    extract.inputs = {{"media", "media", "", "", "media"}};
    extract.outputs = {{"mix_48k", "audio/mix_48k.wav"}, {"speech_16k", "audio/speech_16k.wav"}};
    extract.must_produce = {"mix_48k", "speech_16k"};

    StageSpec &separate = stages[1];
    separate.name = "separate";
    separate.summary = "vocals and background stems from the mix";
    separate.inputs = {{"mix", "mix_48k", "extract", "mix_48k", "extracted audio (mix_48k)"}};
    separate.outputs = {{"vocals", "separation/{backend}{params}/vocals.wav"},
                        {"background", "separation/{backend}{params}/background.wav"}};
    separate.must_produce = {"background"};
    separate.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        if (dub_background(dub) == "stem") return std::nullopt;
        return std::string("mixing over the original audio, ducked under the dub") +
               (dub.available("separate") ? " (--background original)" : ": no separation backend is installed");
    };

    StageSpec &asr = stages[2];
    asr.name = "asr";
    asr.summary = "a subtitle track of what is said (kind source)";
    asr.inputs = {{"speech", "speech_16k", "extract", "speech_16k", "extracted audio (speech_16k)"}};
    asr.yields_track = "source";
    asr.outputs = {{"dir", "asr/{backend}"}};
    asr.must_produce = {"subtitle_track"};
    asr.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        if (dub.request.subtitles) return "the text to speak comes from " + dub.request.subtitles->filename().string();
        if (!dub.available("asr"))
            throw user_error(
                "no-asr", "there is no speech recognition backend here and no --subtitles were given",
                "pass the text to speak with --subtitles FILE.srt, or install an ASR plugin (see `dubhost backends`)");
        return std::nullopt;
    };

    StageSpec &diarize = stages[3];
    diarize.name = "diarize";
    diarize.summary = "speaker labels on the track's segments";
    diarize.inputs = {{"speech", "speech_16k", "extract", "speech_16k", "extracted audio (speech_16k)"}};
    diarize.reads_track = true;
    diarize.yields_track = "";
    diarize.outputs = {{"diarization", "diarize/diarization.json"}};
    diarize.must_produce = {"subtitle_track"};
    diarize.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        if (dub.available("diarize")) return std::nullopt;
        return "no diarization backend is installed: every segment is spoken by one voice";
    };

    StageSpec &tts = stages[4];
    tts.name = "tts";
    tts.summary = "speech for every segment of the track, in the voices chosen";
    tts.reads_track = true;
    tts.outputs = {{"dir", "tts_preview/{backend}_v1"}};
    tts.hook_artifacts = {"voice_map"};
    tts.must_produce = {"tts_manifest"};
    tts.plan = plan_tts;

    StageSpec &mix = stages[5];
    mix.name = "mix";
    mix.summary = "the dubbed speech over the background, loudness-normalised";
    mix.inputs = {{"tts_manifest", "tts_manifest", "tts", "manifest", "dubbed speech (TTS manifest)"}};
    mix.outputs = {{"mix", "dub_preview/mix_dub_preview_v1.wav"}, {"mix_manifest", "dub_preview/mix_dub_preview_v1.json"}};
    mix.hook_artifacts = {"background"};
    mix.must_produce = {"mix"};
    mix.parameters = {{"background",
                       "string",
                       "stem",
                       {"stem", "original"},
                       "stem (the separated background) or original (the original audio, ducked)"}};
    mix.result_output = "mix";
    mix.plan = plan_mix;
    mix.dub_params = [](const DubContext &dub) { return nlohmann::json{{"background", dub_background(dub)}}; };

    StageSpec &mux = stages[6];
    mux.name = "mux";
    mux.summary = "the dub (and the spoken track as subtitles) into a copy of the video";
    mux.inputs = {{"video", "video", "", "", "video"}, {"dub_audio", "dub_audio", "mix", "mix", "dub mix"}};
    mux.outputs = {{"video", "dub_preview/mux_dub_preview_v1.{param:container}"}};
    mux.hook_artifacts = {"subtitles"};
    mux.must_produce = {"video"};
    mux.parameters = {{"container", "string", "mp4", {"mp4", "mkv"}, "mp4 or mkv"},
                      {"dub_language", "string", "", {}, "language of the dub (e.g. es)"}};
    mux.result_output = "video";
    mux.plan = plan_mux;
    mux.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        if (dub.item.media_kind != "audio") return std::nullopt;
        return "the input has no video: the result is the dubbed audio";
    };
    mux.dub_params = [](const DubContext &dub) {
        const bool mkv = dub.request.output && dub.request.output->extension() == ".mkv";
        return nlohmann::json{{"container", mkv ? "mkv" : "mp4"}, {"dub_language", dub.request.language}};
    };
    return stages;
}

bool fits(const StageParameter &parameter, const nlohmann::json &value) {
    if (parameter.type == "integer") return value.is_number_integer();
    if (parameter.type == "number") return value.is_number();
    if (parameter.type == "boolean") return value.is_boolean();
    if (!value.is_string()) return false;
    return parameter.choices.empty() ||
           std::find(parameter.choices.begin(), parameter.choices.end(), value.get<std::string>()) != parameter.choices.end();
}

std::vector<std::string> declared(const std::string &json_array) {
    std::vector<std::string> names;
    const auto document = nlohmann::json::parse(json_array, nullptr, false);
    if (document.is_array())
        for (const auto &name : document)
            if (name.is_string()) names.push_back(name.get<std::string>());
    return names;
}

std::string joined(const std::vector<std::string> &names) {
    std::string text;
    for (const auto &name : names) text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "nothing" : text;
}

}  // namespace

std::vector<std::string> StageSpec::offered_artifacts() const {
    std::vector<std::string> artifacts;
    for (const auto &input : inputs) artifacts.push_back(input.artifact);
    if (reads_track) artifacts.push_back("subtitle_track");
    artifacts.insert(artifacts.end(), hook_artifacts.begin(), hook_artifacts.end());
    return artifacts;
}

const StageParameter *StageSpec::parameter(std::string_view wanted) const {
    for (const auto &candidate : parameters)
        if (candidate.name == wanted) return &candidate;
    return nullptr;
}

const std::vector<StageSpec> &stage_table() {
    static const std::vector<StageSpec> table = make_table();
    return table;
}

const StageSpec *find_stage(std::string_view name) {
    for (const auto &stage : stage_table())
        if (stage.name == name) return &stage;
    return nullptr;
}

const StageSpec &require_stage(std::string_view name) {
    if (const StageSpec *stage = find_stage(name)) return *stage;
    throw user_error("no-such-stage", "there is no stage '" + std::string(name) + "'", "stages: " + stage_list());
}

std::vector<std::string> stage_names() {
    std::vector<std::string> names;
    for (const auto &stage : stage_table()) names.push_back(stage.name);
    return names;
}

std::string stage_list() {
    std::string list;
    for (const auto &stage : stage_table()) list += (list.empty() ? "" : ", ") + stage.name;
    return list;
}

std::optional<std::string> stage_mismatch(const BackendInfo &backend) {
    const StageSpec *stage = find_stage(backend.capability);
    if (!stage) return std::nullopt;
    const auto offered = stage->offered_artifacts();
    for (const auto &artifact : declared(backend.consumes_json))
        if (std::find(offered.begin(), offered.end(), artifact) == offered.end())
            return "it consumes '" + artifact + "', which the " + stage->name + " stage does not hand over (it offers " +
                   joined(offered) + ")";
    const auto produced = declared(backend.produces_json);
    for (const auto &artifact : stage->must_produce)
        if (std::find(produced.begin(), produced.end(), artifact) == produced.end())
            return "it does not produce '" + artifact + "', which the " + stage->name + " stage must make (it declares " +
                   joined(produced) + ")";
    return std::nullopt;
}

std::string path_component(const std::string &value) {
    std::string safe = value;
    for (char &c : safe)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-') c = '_';
    return safe == "." || safe == ".." ? "_" : safe;
}

void check_host_parameters(const StageSpec &stage, const nlohmann::json &params) {
    for (const auto &parameter : stage.parameters) {
        if (!params.contains(parameter.name) || fits(parameter, params[parameter.name])) continue;
        const std::string allowed =
            parameter.choices.empty() ? (parameter.type == "integer" ? "an " : "a ") + parameter.type : joined(parameter.choices);
        throw user_error("bad-parameter",
                         "parameter '" + parameter.name + "' of the " + stage.name + " stage must be " + allowed + ", not " +
                             params[parameter.name].dump(),
                         "pass --param " + parameter.name + "=" +
                             (parameter.choices.empty() ? "VALUE" : parameter.choices.front()) + " (" + parameter.help + ")");
    }
}

}  // namespace dubhost
