// What one stage reads and writes for one item: the job document's inputs and outputs, built from
// the workspace layout and earlier jobs' outputs. Private to the pipeline.
#pragma once

#include "dubhost/host/pipeline.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace dubhost {

struct StageInput {
    std::string name;
    std::filesystem::path path;  // a file whose content the stage depends on
};

struct StagePlan {
    nlohmann::json inputs = nlohmann::json::object();           // the job's "inputs"
    nlohmann::json outputs = nlohmann::json::object();          // the job's "outputs" (name -> path)
    std::vector<StageInput> input_files;                        // hashed for up-to-date checks
    nlohmann::json input_documents = nlohmann::json::object();  // inline inputs, hashed too
    std::filesystem::path work_dir;
    std::optional<std::int64_t> track_id;  // the subtitle track the stage reads, recorded in its params
};

// Throws Failure(user, "missing-prerequisite") with the command that produces what is missing.
StagePlan plan_stage(const Workspace &workspace, const Item &item, const StageRequest &request, const std::string &backend_id);

}  // namespace dubhost
