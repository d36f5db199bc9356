// One task of a batch, as every engine runs it (`dubhost batch run-task DIR --index I`): its lock
// and running marker, the dub in the task's own workspace, and result.json written atomically
// however it ends (succeeded, failed with the error, or cancelled by SIGTERM/SIGINT, as scancel
// and Ctrl-C send). A task whose result says succeeded and whose output is there is not run again.
#pragma once

#include "dubhost/host/batch_folder.hpp"
#include "dubhost/host/dub.hpp"

#include <functional>

namespace dubhost {

// Runs the dub of `request` in the workspace at the given path (the CLI and the Python module each
// set up their pipeline for it).
using BatchDub = std::function<DubResult(const DubRequest &request, const std::filesystem::path &workspace)>;

// The dub a row asks for.
DubRequest batch_request(const BatchRow &row);

// Returns the task's result document (as written to result.json); a finished task's is returned
// as it is, with "already_done": true. Throws a user Failure ("task-busy") when another process
// is running the task.
nlohmann::json run_batch_task(const BatchFolder &batch, std::size_t index, const BatchDub &dub);

}  // namespace dubhost
