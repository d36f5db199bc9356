// What one stage reads and writes for one item: the job document's inputs and outputs, built from
// the stage table, the workspace layout and earlier jobs' outputs. Private to the pipeline and to
// the stage table's hooks.
#pragma once

#include "dubhost/host/pipeline.hpp"
#include "dubhost/host/stage_table.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

struct StageInputFile {
    std::string name;
    std::filesystem::path path;  // a file whose content the stage depends on
};

struct StagePlan {
    nlohmann::json inputs = nlohmann::json::object();           // the job's "inputs"
    nlohmann::json outputs = nlohmann::json::object();          // the job's "outputs" (name -> path)
    std::vector<StageInputFile> input_files;                    // hashed for up-to-date checks
    nlohmann::json input_documents = nlohmann::json::object();  // inline inputs, hashed too
    std::filesystem::path work_dir;
    std::optional<std::int64_t> track_id;  // the subtitle track the stage reads, recorded in its params
    // Parameters the plan decided for a default the user left open (mix: background=original where
    // the separator did not trust its stem), recorded in the job's params like given ones.
    nlohmann::json params = nlohmann::json::object();
    std::vector<std::string> notes;  // why, said in the job result's notes
};

// What a plan hook sees and adds to.
struct PlanContext {
    const Workspace &workspace;
    const Item &item;
    const StageRequest &request;
    const StageSpec &stage;
    StagePlan &plan;
    std::optional<SubtitleTrack> track = std::nullopt;  // the track a reads_track stage reads

    // The value of a host-owned parameter: as given, else its default.
    nlohmann::json parameter(const std::string &name) const;
    // The named output of the newest succeeded job of `stage`, if that file still exists.
    std::optional<std::filesystem::path> earlier_output(const std::string &stage, const std::string &name) const;
    // The same, or a user Failure ("missing-prerequisite": "no <what> for item X") with the command
    // that makes it.
    std::filesystem::path require_output(const std::string &stage, const std::string &name, const std::string &what) const;
    void add_file(const std::string &key, const std::filesystem::path &path);
    void add_document(const std::string &key, nlohmann::json document);
};

// The track a reads_track stage reads: --track's, else the newest of the kinds it reads, else the
// newest; a user Failure ("missing-prerequisite") when the item has none.
SubtitleTrack choose_track(const Workspace &workspace, const Item &item, const StageRequest &request, const StageSpec &stage);

// Throws Failure(user, "missing-prerequisite") with the command that produces what is missing.
StagePlan plan_stage(const Workspace &workspace, const Item &item, const StageRequest &request, const StageSpec &stage,
                     const BackendInfo &backend);

}  // namespace dubhost
