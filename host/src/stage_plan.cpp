// The generic planner: a stage's inputs from the outputs of the stages that make them, the subtitle
// track it reads, and its output paths from the table's templates; the stage's hook adds the rest.
#include "stage_plan.hpp"

#include <dubhost/support/error.hpp>

#include <algorithm>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

Failure missing(const std::string &what, const std::string &command) {
    return user_error("missing-prerequisite", what, "run `" + command + "`");
}

// "_name-value" for each backend parameter given (sorted by name): outputs made with other
// parameters (spleeter's stems=4) do not overwrite the default ones.
std::string params_suffix(const StageSpec &stage, const nlohmann::json &params) {
    std::string suffix;
    for (const auto &[name, value] : params.items()) {
        if (name == "track" || stage.parameter(name)) continue;
        suffix += "_" + path_component(name + "-" + (value.is_string() ? value.get<std::string>() : value.dump()));
    }
    return suffix;
}

std::string expand(std::string path, const PlanContext &context, const std::string &backend_id) {
    auto replace = [&path](const std::string &token, const std::string &value) {
        for (auto at = path.find(token); at != std::string::npos; at = path.find(token, at + value.size()))
            path.replace(at, token.size(), value);
    };
    replace("{backend}", backend_id);
    replace("{params}", params_suffix(context.stage, context.request.params));
    for (const auto &parameter : context.stage.parameters) {
        const nlohmann::json value = context.parameter(parameter.name);
        replace("{param:" + parameter.name + "}", path_component(value.is_string() ? value.get<std::string>() : value.dump()));
    }
    return path;
}

}  // namespace

SubtitleTrack choose_track(const Workspace &workspace, const Item &item, const StageRequest &request, const StageSpec &stage) {
    if (request.track) {
        SubtitleTrack track = workspace.require_track(*request.track);
        if (track.item_id != item.id)
            throw user_error("wrong-track",
                             "track " + std::to_string(*request.track) + " belongs to item " + track.item_id + ", not " + item.id,
                             "list this item's tracks with `dubhost tracks " + item.id + "`");
        return track;
    }
    const auto tracks = workspace.tracks(item.id);
    if (tracks.empty()) {
        std::string makers;  // the stages that make tracks, e.g. `dubhost run asr ITEM`
        for (const auto &maker : stage_table())
            if (maker.yields_track && !maker.reads_track) makers += "`dubhost run " + maker.name + " " + item.id + "` or ";
        throw user_error("missing-prerequisite", "item " + item.id + " has no subtitle track for " + request.stage,
                         "run " + makers + "add one with `dubhost track import " + item.id + " FILE.srt`");
    }
    // The newest track of the kinds the stage reads (tts: what to speak), else the newest track.
    for (auto it = tracks.rbegin(); it != tracks.rend(); ++it)
        if (std::find(stage.track_kinds.begin(), stage.track_kinds.end(), it->kind) != stage.track_kinds.end()) return *it;
    return tracks.back();
}

nlohmann::json PlanContext::parameter(const std::string &name) const {
    if (request.params.contains(name)) return request.params[name];
    const StageParameter *declared = stage.parameter(name);
    return declared ? declared->default_value : nlohmann::json();
}

std::optional<fs::path> PlanContext::earlier_output(const std::string &maker, const std::string &name) const {
    const auto job = workspace.last_succeeded_job(item.id, maker);
    if (!job) return std::nullopt;
    for (const auto &artifact : job->artifacts) {
        std::error_code error;
        if (artifact.role == "output" && artifact.name == name && fs::exists(artifact.path, error))
            return fs::path(artifact.path);
    }
    return std::nullopt;
}

fs::path PlanContext::require_output(const std::string &maker, const std::string &name, const std::string &what) const {
    if (auto path = earlier_output(maker, name)) return *path;
    throw missing("no " + what + " for item " + item.id, "dubhost run " + maker + " " + item.id);
}

void PlanContext::add_file(const std::string &key, const fs::path &path) {
    plan.inputs[key] = path.string();
    plan.input_files.push_back({key, path});
}

void PlanContext::add_document(const std::string &key, nlohmann::json document) {
    plan.inputs[key] = document;
    plan.input_documents[key] = std::move(document);
}

StagePlan plan_stage(const Workspace &workspace, const Item &item, const StageRequest &request, const StageSpec &stage,
                     const BackendInfo &backend) {
    StagePlan plan;
    PlanContext context{workspace, item, request, stage, plan};
    const fs::path derived = workspace.derived_item_dir(item.id);
    plan.work_dir = derived / "work" / stage.name;
    if (stage.reads_track) context.track = choose_track(workspace, item, request, stage);
    if (stage.plan) stage.plan(context);
    for (const auto &input : stage.inputs) {
        if (!input.stage.empty()) {
            context.add_file(input.key, context.require_output(input.stage, input.output, input.what));
            continue;
        }
        const fs::path source = workspace.root() / item.stored_path;
        std::error_code error;
        if (!fs::exists(source, error))
            throw user_error("missing-source", "the media of item " + item.id + " is gone (" + source.string() + ")",
                             "import it again: `dubhost import '" + item.original_path + "'`");
        context.add_file(input.key, source);
    }
    if (context.track) {
        plan.track_id = context.track->id;
        context.add_document("track", nlohmann::json(*context.track));
    }
    for (const auto &output : stage.outputs)
        plan.outputs[output.name] = (derived / expand(output.path, context, backend.id)).string();
    return plan;
}

}  // namespace dubhost
