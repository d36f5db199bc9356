// Running one stage of the dub pipeline on an item as a recorded job: choose the backend, check
// prerequisites before any work, skip what is up to date, call the backend, record the outcome.
// Used by `dubhost run` (and `dubhost dub`, the Python module) .
#pragma once

#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/host_services.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "dubhost/host/workspace.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

struct StagePlan;  // what a stage reads and writes for one item (src/stage_plan.hpp)
struct StageSpec;  // one entry of the stage table (stage_table.hpp)

struct StageRequest {
    std::string stage;
    std::string item;                                  // id or unique prefix
    std::optional<std::string> backend;                // --backend
    nlohmann::json params = nlohmann::json::object();  // --param key=value, typed
    std::optional<std::int64_t> track;                 // --track: for stages that read a track
    bool force = false;                                // run even when up to date
};

struct StageOutcome {
    JobRecord job;         // the job that ran, or the earlier one that is still up to date
    bool skipped = false;  // up to date: nothing ran
    std::string summary;   // one line for the user
};

// "key=value" -> {"key": value}; value parsed as a JSON number/boolean when it is one, else text.
nlohmann::json parse_param(const std::string &assignment);

class Pipeline {
public:
    Pipeline(Workspace &workspace, const PluginRegistry &registry, HostServices &services, MachineProfile profile);

    // Throws Failure(user) naming what is missing and the command that makes it; Failure(backend)
    // when the backend fails (the job is recorded as failed or cancelled with its error first).
    StageOutcome run(const StageRequest &request);

    // With a worker (the dubhost binary), each job's backend runs in a child process of its own
    // (job_worker.hpp), so a crashing backend fails its job instead of ending this process.
    void run_jobs_in_workers(std::filesystem::path worker) { worker_ = std::move(worker); }

    // Told when a job starts (after the checks, before the backend runs), e.g. to label progress.
    void on_job_started(std::function<void(const JobRecord &)> callback) { on_job_started_ = std::move(callback); }

private:
    StageOutcome execute(JobRecord &job, const Item &item, const StageSpec &stage, const BackendCandidate &backend,
                         const StagePlan &plan, const nlohmann::json &params, std::vector<ArtifactRecord> &artifacts);

    std::function<void(const JobRecord &)> on_job_started_;
    std::optional<std::filesystem::path> worker_;
    Workspace &workspace_;
    const PluginRegistry &registry_;
    HostServices &services_;
    MachineProfile profile_;
};

}  // namespace dubhost
