#include "dubhost/host/pipeline.hpp"

#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/item_lock.hpp"
#include "dubhost/host/job_worker.hpp"
#include "dubhost/host/sha256.hpp"
#include "stage_parameters.hpp"
#include "stage_plan.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/error.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

std::string installed_list(const BackendChoice &choice) {
    std::string list;
    for (const auto &candidate : choice.candidates)
        if (candidate.installed) list += (list.empty() ? "" : ", ") + candidate.backend.info->id;
    return list.empty() ? "none" : list;
}

// The backend for the stage, or a Failure(user) that says what to install.
const BackendCandidate &choose(const std::vector<BackendChoice> &choices, const StageRequest &request) {
    for (const auto &choice : choices) {
        if (choice.capability != request.stage) continue;
        if (choice.selected) {
            const BackendCandidate &candidate = choice.candidates[*choice.selected];
            if (candidate.installed) return candidate;
            std::string hint;
            for (const auto &note : candidate.status.value("notes", nlohmann::json::array()))
                if (note.is_string()) hint += (hint.empty() ? "" : "; ") + note.get<std::string>();
            throw user_error(
                "backend-not-installed",
                "the " + candidate.backend.info->id + " " + request.stage + " backend is not installed" +
                    (candidate.status.contains("missing") ? " (missing: " + candidate.status["missing"].dump() + ")" : ""),
                (hint.empty() ? "see `dubhost backends`" : hint) + "; installed " + request.stage +
                    " backends here: " + installed_list(choice));
        }
        throw user_error("no-backend", "no installed " + request.stage + " backend: " + choice.reason,
                         "install a plugin that provides '" + request.stage + "' (see `dubhost backends` and `dubhost doctor`)");
    }
    throw user_error("no-backend", "no plugin here provides the " + request.stage + " stage",
                     "install a plugin that provides '" + request.stage + "' (see `dubhost backends` and `dubhost doctor`)");
}

// The language a track-reading stage works in: its `language` parameter, else its track's; empty
// when a backend was named (taken as given) or there is no track yet (the plan says what to run).
std::string working_language(const Workspace &workspace, const Item &item, const StageRequest &request, const StageSpec &stage) {
    if (!stage.reads_track || request.backend) return {};
    const auto given = request.params.find("language");
    if (given != request.params.end() && given->is_string()) return given->get<std::string>();
    if (!request.track && workspace.tracks(item.id).empty()) return {};
    return choose_track(workspace, item, request, stage).language;
}

// Everything a stage's result depends on, hashed: backend, version, parameters, input contents.
std::string inputs_key(const BackendCandidate &backend, const nlohmann::json &params, const StagePlan &plan,
                       std::vector<ArtifactRecord> &input_artifacts) {
    Sha256 key;
    key.update(backend.backend.plugin->manifest.id + "\n" + backend.backend.info->id + "\n" + backend.backend.info->version +
               "\n");
    key.update(params.dump() + "\n");
    for (const auto &input : plan.input_files) {
        const std::string digest = sha256_file_hex(input.path);
        std::error_code error;
        input_artifacts.push_back(
            {"input", input.name, input.path.string(), digest, static_cast<std::int64_t>(fs::file_size(input.path, error))});
        key.update(input.name + "=" + digest + "\n");
    }
    key.update(plan.input_documents.dump());
    return key.finish_hex();
}

bool outputs_intact(const JobRecord &job) {
    bool any = false;
    for (const auto &artifact : job.artifacts) {
        if (artifact.role != "output") continue;
        any = true;
        std::error_code error;
        if (!fs::exists(artifact.path, error)) return false;
        if (fs::is_regular_file(artifact.path, error) &&
            static_cast<std::int64_t>(fs::file_size(artifact.path, error)) != artifact.size_bytes)
            return false;
    }
    return any;
}

std::vector<ArtifactRecord> output_artifacts(const nlohmann::json &result, const nlohmann::json &planned) {
    nlohmann::json outputs = planned;
    if (result.contains("outputs") && result["outputs"].is_object())
        for (const auto &[name, path] : result["outputs"].items()) outputs[name] = path;
    std::vector<ArtifactRecord> artifacts;
    for (const auto &[name, value] : outputs.items()) {
        if (!value.is_string()) continue;
        const fs::path path = value.get<std::string>();
        std::error_code error;
        if (!fs::is_regular_file(path, error)) continue;
        artifacts.push_back(
            {"output", name, path.string(), sha256_file_hex(path), static_cast<std::int64_t>(fs::file_size(path, error))});
    }
    return artifacts;
}

// The first output path of a result that is not inside `folder` (after resolving "..").
std::optional<std::string> output_outside(const nlohmann::json &result, const fs::path &folder) {
    if (!result.contains("outputs") || !result["outputs"].is_object()) return std::nullopt;
    const fs::path root = fs::weakly_canonical(folder);
    for (const auto &[name, value] : result["outputs"].items()) {
        if (!value.is_string()) continue;
        const fs::path path = fs::weakly_canonical(fs::absolute(value.get<std::string>()));
        const auto [end, _] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
        if (end != root.end()) return value.get<std::string>();
    }
    return std::nullopt;
}

void remove_partial_files(const fs::path &folder) {
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0) {
            spdlog::info("removing {} left by an interrupted run", it->path().string());
            fs::remove(it->path(), error);
        }
    }
}

std::string level_name(int32_t level) {
    switch (level) {
    case DUBHOST_LOG_DEBUG:
        return "debug";
    case DUBHOST_LOG_INFO:
        return "info";
    case DUBHOST_LOG_WARNING:
        return "warning";
    default:
        return "error";
    }
}

// Stages that yield a track (ASR, diarization): the backend writes the track document
// (outputs.track) and the host stores it, so every later stage reads tracks from one place.
std::optional<std::int64_t> adopt_track(Workspace &workspace, const Item &item, const StageSpec &stage,
                                        const std::string &backend, const StagePlan &plan, const nlohmann::json &result) {
    if (!stage.yields_track) return std::nullopt;
    const auto outputs = result.value("outputs", nlohmann::json::object());
    if (!outputs.contains("track") || !outputs["track"].is_string()) return std::nullopt;
    std::ifstream in(outputs["track"].get<std::string>());
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (document.is_discarded())
        throw Failure(ErrorKind::backend, "bad-track", stage.name + " (" + backend + ") wrote a track that is not valid JSON",
                      "report this to the backend's author");
    SubtitleTrack track;
    try {
        track = document.get<SubtitleTrack>();
    } catch (const nlohmann::json::exception &error) {
        throw Failure(ErrorKind::backend, "bad-track",
                      stage.name + " (" + backend + ") wrote a track that is not a dubhost track document: " + error.what(),
                      "report this to the backend's author (docs/reference/subtitles.md describes the document)");
    }
    track.item_id = item.id;
    // ASR hears what is said (kind source); diarization labels the track it was given and keeps its kind.
    if (!stage.yields_track->empty()) track.kind = *stage.yields_track;
    if (track.kind.empty()) track.kind = "source";
    track.created_by = stage.name + ":" + backend;
    if (stage.adopt && plan.track_id) stage.adopt(workspace.require_track(*plan.track_id), track);
    for (auto &segment : track.segments) segment.id = 0;
    return workspace.add_track(std::move(track));
}

}  // namespace

nlohmann::json parse_param(const std::string &assignment) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0)
        throw user_error("bad-parameter", "'" + assignment + "' is not key=value", "pass parameters as --param name=value");
    const std::string key = assignment.substr(0, equals), text = assignment.substr(equals + 1);
    auto value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded() || !(value.is_number() || value.is_boolean())) value = text;
    return {{key, value}};
}

Pipeline::Pipeline(Workspace &workspace, const PluginRegistry &registry, HostServices &services, MachineProfile profile)
    : workspace_(workspace), registry_(registry), services_(services), profile_(std::move(profile)) {}

StageOutcome Pipeline::run(const StageRequest &request) {
    const StageSpec &stage = require_stage(request.stage);
    const Item item = workspace_.require_item(request.item);
    const ItemLock lock(workspace_.derived_item_dir(item.id), item.id);
    if (const int abandoned = workspace_.mark_abandoned_jobs(); abandoned > 0)
        spdlog::warn("{} job(s) left running by a process that ended are marked interrupted", abandoned);
    std::map<std::string, std::string> overrides;
    if (request.backend) overrides[request.stage] = *request.backend;
    auto choices = choose_backends(registry_, services_, profile_, overrides);
    // The language the stage works in picks among backends that say which they speak (flite:
    // English only), so a Spanish dub is spoken by espeak-ng without anyone naming it.
    if (const std::string language = working_language(workspace_, item, request, stage); !language.empty())
        for (auto &choice : choices)
            if (choice.capability == request.stage) prefer_speaker_of(choice, language);
    const BackendCandidate &backend = choose(choices, request);
    const std::string backend_id = backend.backend.info->id;

    // Parameters and prerequisites are checked here, before any work.
    check_stage_parameters(stage, *backend.backend.info, request.params);
    StageRequest canonical = request;
    canonical.params = canonical_host_parameters(stage, request.params);
    const StagePlan plan = plan_stage(workspace_, item, canonical, stage, *backend.backend.info);
    nlohmann::json params = canonical.params;
    for (const auto &[name, value] : plan.params.items()) params[name] = value;
    if (plan.track_id) params["track"] = *plan.track_id;
    std::vector<ArtifactRecord> artifacts;
    const std::string key = inputs_key(backend, params, plan, artifacts);

    if (const auto last = workspace_.last_succeeded_job(item.id, request.stage);
        !request.force && last && last->inputs_key == key && outputs_intact(*last))
        return {
            *last, true,
            request.stage + " is up to date (job " + std::to_string(last->id) + ", " + backend_id + "); --force runs it again"};

    JobRecord job;
    job.item_id = item.id;
    job.stage = request.stage;
    job.backend = backend_id;
    job.backend_plugin = backend.backend.plugin->manifest.id;
    job.backend_version = backend.backend.info->version;
    job.params_json = params.dump();
    job.inputs_key = key;
    job.id = workspace_.start_job(job);
    job.log_path = workspace_.job_log_path(job.id).string();
    if (on_job_started_) on_job_started_(job);

    try {
        return execute(job, item, stage, backend, plan, params, artifacts);
    } catch (const Failure &) {
        throw;  // already recorded as failed or cancelled
    } catch (const std::exception &error) {
        // A host-side failure (disk full, permissions) must not leave the job "running".
        workspace_.finish_job(job.id, "failed", sdk::error_document("host-error", error.what()).dump(), "", artifacts);
        throw;
    }
}

StageOutcome Pipeline::execute(JobRecord &job, const Item &item, const StageSpec &stage, const BackendCandidate &backend,
                               const StagePlan &plan, const nlohmann::json &params, std::vector<ArtifactRecord> &artifacts) {
    const std::string &backend_id = job.backend;
    std::error_code ignored_error;
    std::ofstream log(job.log_path, std::ios::app);
    // The job's log file gets the plugin's lines for this call only, however the call ends.
    const CallScope scope(
        services_, {[&log](int32_t level, const std::string &message) { log << level_name(level) << ": " << message << '\n'; },
                    {},
                    job.backend_plugin + ":" + backend_id});
    for (const auto &[name, path] : plan.outputs.items())
        if (path.is_string()) {
            const fs::path output = path.get<std::string>();
            fs::create_directories(output.parent_path());
            remove_partial_files(output.parent_path());  // left by a run that was killed; never used
        }
    fs::remove_all(plan.work_dir, ignored_error);  // scratch left by a killed run
    fs::create_directories(plan.work_dir);
    const nlohmann::json document = {{"item_id", item.id},
                                     {"stage", stage.name},
                                     {"backend", backend_id},
                                     {"params", params},
                                     {"inputs", plan.inputs},
                                     {"outputs", plan.outputs},
                                     {"work_dir", plan.work_dir.string()},
                                     {"log", job.log_path}};
    log << "job " << job.id << ": " << stage.name << " with " << backend_id << " " << job.backend_version << "\n"
        << document.dump(2) << std::endl;  // flushed: a pack runner appends its own output to this log
    const auto started = std::chrono::steady_clock::now();
    CallOutcome outcome = worker_ ? run_in_worker(backend.backend, services_, document, *worker_)
                                  : call_backend(backend.backend, BackendEntry::run, services_, document);
    if (outcome.ok())
        if (auto escaped = output_outside(outcome.document, plan.work_dir.parent_path().parent_path()))
            outcome = {DUBHOST_STATUS_ERROR,
                       sdk::error_document(
                           "output-outside-item", "the backend reported an output outside the item's folder: " + *escaped,
                           "a bug in plugin " + job.backend_plugin + ": outputs must stay under " +
                               plan.work_dir.parent_path().parent_path().string() + "; report it with the job log")};
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::error_code ignored;
    fs::remove_all(plan.work_dir, ignored);

    if (!outcome.ok()) {
        const bool cancelled = outcome.status == DUBHOST_STATUS_CANCELLED;
        log << (cancelled ? "cancelled" : "failed") << ": " << outcome.document.dump() << "\n";
        workspace_.finish_job(job.id, cancelled ? "cancelled" : "failed", outcome.document.dump(), "", artifacts);
        // A full disk is the machine's state, not a backend bug: the user frees space and re-runs.
        const bool users_to_fix = outcome.status == DUBHOST_STATUS_BAD_REQUEST ||
                                  outcome.status == DUBHOST_STATUS_NOT_INSTALLED || outcome.error_code("") == "disk-full";
        const ErrorKind kind = users_to_fix ? ErrorKind::user : ErrorKind::backend;
        std::string hint = outcome.error_hint();
        hint += (hint.empty() ? "" : "; ") + std::string("job log: ") + job.log_path;
        throw Failure(kind, outcome.error_code("job-failed"),
                      stage.name + " (" + backend_id + ") " + (cancelled ? "was cancelled" : "failed") + " for item " + item.id +
                          ": " + outcome.error_message(),
                      hint);
    }
    const auto outputs = output_artifacts(outcome.document, plan.outputs);
    artifacts.insert(artifacts.end(), outputs.begin(), outputs.end());
    nlohmann::json result = outcome.document;
    for (const auto &note : plan.notes) {  // what the host decided for this job, beside what the backend says
        if (!result["notes"].is_array()) result["notes"] = nlohmann::json::array();
        result["notes"].push_back(note);
    }
    std::optional<std::int64_t> track_id;
    try {
        track_id = adopt_track(workspace_, item, stage, backend_id, plan, result);
    } catch (const Failure &failure) {
        // A track the host cannot take (misaligned, unknown language) fails the job; nothing is stored.
        const nlohmann::json error = sdk::error_document(failure.code(), failure.what(), failure.hint());
        log << "failed: " << error.dump() << "\n";
        workspace_.finish_job(job.id, "failed", error.dump(), "", artifacts);
        throw;
    }
    if (track_id) result["track_id"] = *track_id;
    workspace_.finish_job(job.id, "succeeded", "", result.dump(), artifacts);
    log << "succeeded in " << seconds << " s\n";
    char took[32];
    std::snprintf(took, sizeof took, "%.1f s", seconds);
    return {workspace_.require_job(job.id), false,
            stage.name + " done with " + backend_id + " in " + took + " (job " + std::to_string(job.id) + ")"};
}

}  // namespace dubhost
