// The dub pipeline's stages as data: what each reads (and which stage makes it), what it writes and
// where, whether it reads or yields a subtitle track, the parameters the host itself owns, and the
// hooks for the few true special cases. The planner, the staleness check, `dubhost dub`, the backend
// check at scan time and every list of stages (help, docs) work from this one table (stage_table.cpp).
#pragma once

#include "dubhost/host/plugin_manifest.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dubhost {

struct PlanContext;  // one stage being planned for one item (src/stage_plan.hpp)
struct Item;
struct DubRequest;
struct SubtitleTrack;

// A file a stage reads: an output of an earlier stage, or the item's own media file.
struct StageInput {
    std::string key;       // its name in the job's `inputs`
    std::string artifact;  // what it is, as backends name it in `consumes`
    std::string stage;     // the stage whose output it is; empty: the item's media file
    std::string output;    // that stage's output name
    std::string what;      // for people: "no <what> for item X" when it is missing
};

// Where a stage's output goes, under derived/items/<item_id>/. `{backend}` is the backend id,
// `{params}` the backend's parameters given for this job ("_name-value..."; empty when none),
// `{param:NAME}` a host-owned parameter's value.
struct StageOutput {
    std::string name;
    std::string path;
};

// A parameter the host reads itself (to plan inputs or outputs); always accepted, checked here, and
// passed on to the backend like the others.
struct StageParameter {
    std::string name;
    std::string type;  // "string", "integer", "number", "boolean", "language" (ISO 639, stored canonical)
    nlohmann::json default_value;
    std::vector<std::string> choices;  // for strings: the values allowed; empty: any
    std::string help;
};

// What `dubhost dub` knows when it walks the table.
struct DubContext {
    const Item &item;
    const DubRequest &request;
    std::function<bool(const std::string &stage)> available;         // an installed backend, or one the user named
    std::function<nlohmann::json(const std::string &stage)> status;  // the chosen backend's status document
    std::string track_language;  // of the subtitles given; empty when ASR will say (or they do not)
    std::string container;       // what the result is written as (one of output_containers())
};

struct StageSpec {
    std::string name;  // also the capability its backends provide
    std::string summary;
    std::vector<StageInput> inputs;
    bool reads_track = false;  // the chosen subtitle track goes in as inputs.track
    // Without --track, the newest track of the first of these kinds there is, else the newest track.
    std::vector<std::string> track_kinds = {"script", "translation"};
    std::optional<std::string> yields_track;  // outputs.track is stored as a track of this kind ("" keeps the backend's)
    std::vector<StageOutput> outputs;
    std::vector<std::string> hook_artifacts;  // artifacts the plan hook adds to what the stage offers
    std::vector<std::string> must_produce;    // artifacts every backend must declare in `produces`
    std::vector<StageParameter> parameters;   // owned by the host
    std::string result_output;                // the output that is the dub's result when this stage ends it

    // Special cases, each beside its entry: extra inputs or refusals while planning; checks on the
    // track a backend made from the one it read, before it is stored; why `dub` leaves the stage out
    // (nullopt: it runs); refusals `dub` makes before any stage runs; the parameters `dub` gives it.
    std::function<void(PlanContext &)> plan;
    std::function<void(const SubtitleTrack &read, SubtitleTrack &made)> adopt;
    std::function<std::optional<std::string>(const DubContext &)> dub_skip;
    std::function<void(const DubContext &)> dub_check;
    std::function<nlohmann::json(const DubContext &)> dub_params;

    // Every artifact a backend of this stage may read.
    std::vector<std::string> offered_artifacts() const;
    const StageParameter *parameter(std::string_view name) const;
};

// What the mux stage writes, named as the file extension (without its dot): the video with the dub
// (mp4, mkv), or the dub alone (m4a, wav, flac, ogg, opus, mp3).
const std::vector<std::string> &video_containers();
const std::vector<std::string> &audio_containers();
// Both lists, videos first.
std::vector<std::string> output_containers();
// False for a video whose probe says it has no audio stream (a screen recording to narrate).
bool has_sound_track(const Item &item);

// The stages in pipeline order.
const std::vector<StageSpec> &stage_table();
const StageSpec *find_stage(std::string_view name);
// Throws a user Failure ("no-such-stage") listing the stages.
const StageSpec &require_stage(std::string_view name);
std::vector<std::string> stage_names();
// "extract, separate, asr, ..." for help texts and messages.
std::string stage_list();

// Why a backend does not fit its stage (it consumes an artifact the stage never hands over, or does
// not declare one the later stages read); nullopt when it fits or its capability is not a stage.
std::optional<std::string> stage_mismatch(const BackendInfo &backend);

// A parameter value as it goes into an output path ({params}, {param:NAME}): one path component,
// whatever the user typed (anything but letters, digits, '.', '+' and '-' becomes '_'; "." and ".."
// become "_"), so no value can lead an output out of the item's folder.
std::string path_component(const std::string &value);

// Throws a user Failure when a host-owned parameter has the wrong type or a value outside its choices.
void check_host_parameters(const StageSpec &stage, const nlohmann::json &params);

// The parameters with every host-owned language in canonical form ("spa" -> "es"), so one request
// spelled two ways is one job (and one output folder). Call after check_host_parameters.
nlohmann::json canonical_host_parameters(const StageSpec &stage, nlohmann::json params);

}  // namespace dubhost
