// The stage table: every stage of the dub pipeline, in order, and beside each entry the hooks for
// what the generic planner and `dubhost dub` cannot say as data. Adding a stage is one entry here
// and a plugin that provides its capability.
#include "dubhost/host/stage_table.hpp"

#include "dubhost/host/dub.hpp"
#include "stage_plan.hpp"

#include <dubhost/support/error.hpp>
#include <dubhost/support/json_fields.hpp>
#include <dubhost/support/language_codes.hpp>

#include <algorithm>
#include <cctype>

namespace dubhost {
namespace {

bool has_text(const SubtitleTrack &track) {
    return std::any_of(track.segments.begin(), track.segments.end(), [](const SubtitleSegment &segment) {
        return segment.text.find_first_not_of(" \t\r\n") != std::string::npos;
    });
}

// A translation into the language the text is already in is refused (pairs are between languages,
// whatever the region), naming `text` ("track 3", "the text to dub"), for a stage run and a dub.
void refuse_same_language(const Language &source, const Language &target, const std::string &text) {
    if (primary_language(source.canonical) == primary_language(target.canonical))
        throw user_error("same-language", text + " is already in " + target.name,
                         "pass --to with another language, or leave out --to to dub it as it is");
}

// translate: the two languages, checked and in canonical form, and a track with something to say.
void plan_translate(PlanContext &context) {
    const SubtitleTrack &track = *context.track;
    const std::string track_name = "track " + std::to_string(track.id);
    const nlohmann::json to = context.parameter("to");
    if (!to.is_string() || to.get<std::string>().empty())
        throw user_error("no-target-language", "the translate stage needs the language to translate into",
                         "pass --to LANGUAGE, e.g. `dubhost run translate " + context.item.id + " --to es`");
    const Language target = require_language(to.get<std::string>());
    const nlohmann::json from = context.parameter("from");
    const std::string source_code =
        from.is_string() && !from.get<std::string>().empty() ? from.get<std::string>() : track.language;
    if (source_code.empty())
        throw user_error("no-source-language", track_name + " does not say what language it is in",
                         "pass --from LANGUAGE (e.g. --from en), or import the track with --language");
    const Language source = require_language(source_code);
    refuse_same_language(source, target, track_name);
    if (!has_text(track))
        throw user_error("empty-track", track_name + " has no text to translate",
                         "import subtitles with text: `dubhost track import " + context.item.id + " FILE.srt`");
    context.add_document("source_language", source.canonical);
    context.add_document("target_language", target.canonical);
}

// translate: the backend's track must be the one it read, line for line: same segments in the same
// order. Times and speakers are the original's whatever the backend wrote; only the text is new.
void adopt_translation(const SubtitleTrack &read, SubtitleTrack &made) {
    const std::string where = "the translation of track " + std::to_string(read.id);
    if (made.segments.size() != read.segments.size())
        throw Failure(ErrorKind::backend, "translation-misaligned",
                      where + " has " + std::to_string(made.segments.size()) + " segments, the original " +
                          std::to_string(read.segments.size()),
                      "report this to the backend's author with the job log");
    for (std::size_t i = 0; i < read.segments.size(); ++i) {
        SubtitleSegment &segment = made.segments[i];
        const SubtitleSegment &original = read.segments[i];
        if (segment.id != original.id)
            throw Failure(
                ErrorKind::backend, "translation-misaligned",
                where + " has segment " + std::to_string(segment.id) + " where the original has " + std::to_string(original.id),
                "report this to the backend's author with the job log");
        segment.start_ms = original.start_ms;
        segment.end_ms = original.end_ms;
        segment.speaker = original.speaker;
    }
    made.kind = "translation";
    made.source_track = read.id;
}

// dub --to: an unknown code, the same language twice or a pair the backend does not have stop the
// dub before any stage runs, with the command that installs the pair when the backend names one.
void check_translation(const DubContext &dub) {
    const Language target = require_language(dub.request.to);
    const std::string source_code = !dub.request.from.empty() ? dub.request.from : dub.track_language;
    if (source_code.empty()) return;  // ASR says; the stage checks when it runs
    const Language source = require_language(source_code);
    refuse_same_language(source, target, "the text to dub");
    const nlohmann::json status = dub.status("translate");
    if (!status.contains("pairs") || !status["pairs"].is_array()) return;
    const std::string from = primary_language(source.canonical), to = primary_language(target.canonical);
    std::string installed;
    for (const auto &pair : status["pairs"]) {
        const std::string pair_from = pair.value("from", std::string()), pair_to = pair.value("to", std::string());
        if (pair_from == from && pair_to == to) return;
        installed += (installed.empty() ? "" : ", ") + pair_from + " to " + pair_to;
    }
    std::string hint = "`dubhost backends --json` lists each backend's pairs";
    for (const auto &offer : status.value("installable", nlohmann::json::array())) {
        const auto languages = offer.value("languages", nlohmann::json::array());
        if (std::find(languages.begin(), languages.end(), from) != languages.end() &&
            std::find(languages.begin(), languages.end(), to) != languages.end())
            hint = offer.value("install", hint);
    }
    throw user_error("pair-not-installed",
                     "no translation from " + source.name + " to " + target.name +
                         " is installed here (installed: " + (installed.empty() ? std::string("none") : installed) + ")",
                     hint);
}

// The mix's background in a dub: as the user said, else none for a video with no sound track (the
// speech is its only audio), else the separated stem when a separator is there, else the original
// audio (ducked under the dub).
std::string dub_background(const DubContext &dub) {
    if (!dub.request.background.empty()) return dub.request.background;
    if (!has_sound_track(dub.item)) return "none";
    return dub.available("separate") ? "stem" : "original";
}

std::string joined(const std::vector<std::string> &names) {
    std::string text;
    for (const auto &name : names) text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "nothing" : text;
}

bool is_one_of(const std::vector<std::string> &names, const std::string &name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// tts: the voices users chose (`dubhost speakers set`) go in beside the track.
void plan_tts(PlanContext &context) {
    nlohmann::json voice_map = nlohmann::json::object();
    for (const auto &speaker : context.workspace.speakers(context.item.id))
        if (!speaker.voice.empty()) voice_map[speaker.label] = speaker.voice;
    context.add_document("voice_map", voice_map);
}

// mix: the background is the separated stem, or with background=original the extracted mix, or
// with background=none nothing (the speech alone: a video with no sound track has no background).
void plan_mix(PlanContext &context) {
    std::string background = context.parameter("background").get<std::string>();
    if (background == "none") return;
    if (!has_sound_track(context.item))
        throw user_error("no-sound-track",
                         "item " + context.item.id + " has no sound track, so there is no " +
                             (background == "original" ? "original audio" : "background") + " to mix the dub over",
                         "mix the speech alone: `dubhost run mix " + context.item.id + " --background none`");
    std::optional<std::filesystem::path> stem;
    if (background == "stem") {
        stem = context.earlier_output("separate", "background");
        if (!stem)
            throw user_error("missing-prerequisite", "no background stem for item " + context.item.id,
                             "run `dubhost run separate " + context.item.id + "` (or pass --background original)");
        // The stem by default, unless its separator says it may be less clean than the original
        // audio: then the original, ducked, is never worse than what the user gave us.
        // --background stem insists.
        const auto separated = context.workspace.last_succeeded_job(context.item.id, "separate");
        const auto said = separated ? nlohmann::json::parse(separated->result_json, nullptr, false) : nlohmann::json();
        if (!context.request.params.contains("background") && said.is_object() &&
            said.value("background_confidence", "") == "low") {
            background = "original";
            context.plan.params["background"] = background;
            context.plan.notes.push_back(
                "mixed over the original audio, ducked: " +
                said.value("background_note", std::string("the separator did not trust its background stem")) +
                " (--background stem uses the stem anyway)");
        }
    }
    context.add_file("background", background == "original"
                                       ? context.require_output("extract", "mix_48k", "extracted audio (mix_48k)")
                                       : *stem);
}

// The item's video cannot be copied into the container (its probe says which ones it fits, e.g.
// Theora no MP4), or the item has no video to put into one: refused before any work, naming an
// output that works. An audio container takes any item (the dub alone).
void refuse_container(const Item &item, const std::string &container) {
    if (!is_one_of(video_containers(), container)) return;
    if (item.media_kind == "audio")
        throw user_error("audio-only-item", "item " + item.id + " is audio-only: there is no video to put the dub into",
                         "write the dub alone as audio: `dubhost dub ... -o NAME.m4a`, or `dubhost run mux " + item.id +
                             " --param container=m4a` (also wav, flac, ogg, opus, mp3)");
    const auto probe = nlohmann::json::parse(item.probe_json, nullptr, false);
    if (!probe.is_object()) return;
    for (const auto &stream : probe.value("streams", nlohmann::json::array())) {
        if (stream.value("type", "") != "video" || stream.value("attached_picture", false) || !stream.contains("copies_into"))
            continue;
        const auto fits = stream["copies_into"];
        if (fits.empty() || std::find(fits.begin(), fits.end(), container) != fits.end()) return;
        const std::string other = fits.front().get<std::string>();
        throw user_error("container-cannot-carry-video",
                         "the video of item " + item.id + " is " + stream.value("codec", std::string("?")) + ", which an " +
                             container + " file cannot carry unchanged",
                         "write " + other + " instead: -o NAME." + other + " (or --param container=" + other + ")");
    }
}

// mux: a video container gets the spoken track as subtitles; an audio container the dub alone.
void plan_mux(PlanContext &context) {
    const Item &item = context.item;
    const std::string container = context.parameter("container").get<std::string>();
    refuse_container(item, container);
    context.plan.inputs["subtitles"] = nlohmann::json::array();
    if (!is_one_of(video_containers(), container)) return;
    const auto spoken = context.workspace.last_succeeded_job(item.id, "tts");
    if (!spoken) return;
    const auto params = nlohmann::json::parse(spoken->params_json, nullptr, false);
    const auto track_id = integer_field(params, "track", 0);
    if (track_id <= 0) return;
    // The spoken track (the default), and for a translation its original too: "Spanish (dub)".
    auto entry = [](const SubtitleTrack &track, const std::string &role, bool default_track) {
        const auto language = find_language(track.language);
        const std::string name = language ? language->name : std::string("Subtitles");
        return nlohmann::json{{"language", track.language},
                              {"title", role.empty() ? name : name + " (" + role + ")"},
                              {"default", default_track},
                              {"segments", nlohmann::json(track)["segments"]}};
    };
    const SubtitleTrack track = context.workspace.require_track(track_id);
    const bool translated = track.kind == "translation" && track.source_track > 0;
    nlohmann::json subtitles = nlohmann::json::array({entry(track, translated ? "dub" : "", true)});
    if (translated) subtitles.push_back(entry(context.workspace.require_track(track.source_track), "original", false));
    context.add_document("subtitles", subtitles);
}

std::vector<StageSpec> make_table() {
    std::vector<StageSpec> stages(8);
    StageSpec &extract = stages[0];
    extract.name = "extract";
    extract.summary = "the item's audio as a 48 kHz mix and 16 kHz mono speech";
    extract.inputs = {{"media", "media", "", "", "media"}};
    extract.outputs = {{"mix_48k", "audio/mix_48k.wav"}, {"speech_16k", "audio/speech_16k.wav"}};
    extract.must_produce = {"mix_48k", "speech_16k"};
    extract.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        if (has_sound_track(dub.item)) return std::nullopt;
        return std::string("the video has no sound track: the dubbed speech is its only audio");
    };

    StageSpec &separate = stages[1];
    separate.name = "separate";
    separate.summary = "vocals and background stems from the mix";
    separate.inputs = {{"mix", "mix_48k", "extract", "mix_48k", "extracted audio (mix_48k)"}};
    separate.outputs = {{"vocals", "separation/{backend}{params}/vocals.wav"},
                        {"background", "separation/{backend}{params}/background.wav"}};
    separate.must_produce = {"background"};
    separate.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        const std::string background = dub_background(dub);
        if (background == "stem") return std::nullopt;
        if (background == "none")
            return std::string(has_sound_track(dub.item) ? "--background none: the dub is the speech alone"
                                                         : "the video has no sound track: there is nothing to separate");
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
        if (!has_sound_track(dub.item))
            throw user_error(
                "no-sound-track",
                "the video " + dub.request.video.filename().string() + " has no sound track, so there is no speech to recognise",
                "narrate it from a script: pass the text to speak with --subtitles FILE.srt");
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
        if (!has_sound_track(dub.item))
            return std::string("the video has no sound track: the speakers are the ones the script names, if any");
        if (dub.available("diarize")) return std::nullopt;
        return "no diarization backend is installed: every segment is spoken by one voice";
    };

    StageSpec &translate = stages[4];
    translate.name = "translate";
    translate.summary = "a translation track: the same segments, times and speakers, in another language";
    translate.reads_track = true;
    translate.track_kinds = {"script", "source"};
    translate.yields_track = "translation";
    translate.outputs = {{"track", "translate/{backend}_{param:to}/track.json"}};
    translate.hook_artifacts = {"source_language", "target_language"};
    translate.must_produce = {"subtitle_track"};
    translate.parameters = {{"to", "language", "", {}, "the language to translate into (ISO 639: es, spa, pt-BR)"},
                            {"from", "language", "", {}, "the track's language when it does not say (ISO 639)"}};
    translate.plan = plan_translate;
    translate.adopt = adopt_translation;
    translate.dub_skip = [](const DubContext &dub) -> std::optional<std::string> {
        if (!dub.request.to.empty()) return std::nullopt;
        return std::string("no --to: the dub speaks the subtitles in their own language");
    };
    translate.dub_check = check_translation;
    translate.dub_params = [](const DubContext &dub) {
        nlohmann::json params = {{"to", dub.request.to}};
        if (!dub.request.from.empty()) params["from"] = dub.request.from;
        return params;
    };

    StageSpec &tts = stages[5];
    tts.name = "tts";
    tts.summary = "speech for every segment of the track, in the voices chosen";
    tts.reads_track = true;
    tts.outputs = {{"dir", "tts_preview/{backend}_v1"}};
    tts.hook_artifacts = {"voice_map"};
    tts.must_produce = {"tts_manifest"};
    tts.plan = plan_tts;

    StageSpec &mix = stages[6];
    mix.name = "mix";
    mix.summary = "the dubbed speech over the background, loudness-normalised";
    mix.inputs = {{"tts_manifest", "tts_manifest", "tts", "manifest", "dubbed speech (TTS manifest)"}};
    mix.outputs = {{"mix", "dub_preview/mix_dub_preview_v1.wav"}, {"mix_manifest", "dub_preview/mix_dub_preview_v1.json"}};
    mix.hook_artifacts = {"background"};
    mix.must_produce = {"mix"};
    mix.parameters = {{"background",
                       "string",
                       "stem",
                       {"stem", "original", "none"},
                       "stem (the separated background), original (the original audio, ducked) or none (the speech "
                       "alone)"}};
    mix.result_output = "mix";
    mix.plan = plan_mix;
    mix.dub_params = [](const DubContext &dub) {
        const std::string background = dub_background(dub);
        // The stem as a default is left unsaid, so the mix may still fall back to the original where
        // the separator does not trust its stem; what the user said is passed as said.
        if (dub.request.background.empty() && background == "stem") return nlohmann::json::object();
        return nlohmann::json{{"background", background}};
    };
    mix.dub_check = [](const DubContext &dub) {
        const std::string background = dub_background(dub);
        if (background != "none" && !has_sound_track(dub.item))
            throw user_error("no-sound-track",
                             "the video " + dub.request.video.filename().string() + " has no sound track, so there is no " +
                                 (background == "original" ? "original audio" : "background") + " to mix the dub over",
                             "leave out --background: the dubbed speech becomes the video's only audio");
    };

    StageSpec &mux = stages[7];
    mux.name = "mux";
    mux.summary = "the dub (and the spoken track as subtitles) into a copy of the video, or the dub alone as audio";
    mux.inputs = {{"video", "video", "", "", "video"}, {"dub_audio", "dub_audio", "mix", "mix", "dub mix"}};
    mux.outputs = {{"video", "dub_preview/mux_dub_preview_v1.{param:container}"}};
    mux.hook_artifacts = {"subtitles"};
    mux.must_produce = {"video"};
    mux.parameters = {{"container", "string", "mp4", output_containers(),
                       "mp4 or mkv (the video with the dub), or m4a, wav, flac, ogg, opus, mp3 (the dub alone)"},
                      {"dub_language", "string", "", {}, "language of the dub (e.g. es)"}};
    mux.result_output = "video";
    mux.plan = plan_mux;
    mux.dub_check = [](const DubContext &dub) {
        refuse_container(dub.item, dub.container);
        // A backend that says what it can write (FFmpeg without an MP3 encoder) is held to it.
        const nlohmann::json writes = dub.status("mux").value("containers", nlohmann::json());
        if (!writes.is_array() || std::find(writes.begin(), writes.end(), dub.container) != writes.end()) return;
        std::vector<std::string> names;
        for (const auto &name : writes)
            if (name.is_string()) names.push_back(name.get<std::string>());
        throw user_error("container-not-writable", "the mux backend here cannot write " + dub.container + " files",
                         "name an output it can write: " + joined(names) + " (e.g. -o NAME." +
                             (dub.item.media_kind == "audio" ? "m4a" : "mp4") + ")");
    };
    mux.dub_params = [](const DubContext &dub) {
        const bool translated = !dub.request.to.empty();
        nlohmann::json params = {{"container", dub.container},
                                 {"dub_language", translated ? dub.request.to : dub.request.language}};
        if (dub.request.keep_overrun) params["keep_overrun"] = true;
        // A translated dub: the original audio is in the language translated from, when known.
        const std::string original = !dub.request.from.empty() ? dub.request.from : dub.track_language;
        if (translated && !original.empty()) params["original_language"] = original;
        return params;
    };
    return stages;
}

bool fits(const StageParameter &parameter, const nlohmann::json &value) {
    if (parameter.type == "language") {
        if (!value.is_string()) return false;
        if (!value.get<std::string>().empty()) require_language(value.get<std::string>());  // throws, naming the code
        return true;
    }
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

const std::vector<std::string> &video_containers() {
    static const std::vector<std::string> names = {"mp4", "mkv"};
    return names;
}

const std::vector<std::string> &audio_containers() {
    static const std::vector<std::string> names = {"m4a", "wav", "flac", "ogg", "opus", "mp3"};
    return names;
}

std::vector<std::string> output_containers() {
    std::vector<std::string> names = video_containers();
    names.insert(names.end(), audio_containers().begin(), audio_containers().end());
    return names;
}

bool has_sound_track(const Item &item) {
    if (item.media_kind == "audio") return true;
    const auto probe = nlohmann::json::parse(item.probe_json, nullptr, false);
    if (!probe.is_object() || !probe.contains("streams") || !probe["streams"].is_array()) return true;  // extract will say
    return std::any_of(probe["streams"].begin(), probe["streams"].end(),
                       [](const nlohmann::json &stream) { return stream.is_object() && stream.value("type", "") == "audio"; });
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

nlohmann::json canonical_host_parameters(const StageSpec &stage, nlohmann::json params) {
    for (const auto &parameter : stage.parameters) {
        if (parameter.type != "language" || !params.contains(parameter.name) || !params[parameter.name].is_string()) continue;
        const std::string code = params[parameter.name].get<std::string>();
        if (!code.empty()) params[parameter.name] = require_language(code).canonical;
    }
    return params;
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
