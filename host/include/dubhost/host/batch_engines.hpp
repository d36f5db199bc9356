// The engines that run a batch's tasks. Each starts the same command per task, `dubhost batch
// run-task DIR --index I`, which records the task's state in the batch folder; an engine only
// decides where and when: local (this machine, N at a time) or slurm (one sbatch array job).
// docs/batch.md.
#pragma once

#include "dubhost/host/batch_folder.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dubhost {

// How many tasks the local engine runs at once by default: one per core, but no more than one per
// 2 GiB of memory (a dub with the offline chain peaks well under that).
unsigned default_local_jobs();

// The argv that runs task `index`: `command` (the dubhost binary and its global options) followed
// by `batch run-task DIR --index I`.
std::vector<std::string> task_argv(const std::vector<std::string> &command, const BatchFolder &batch, std::size_t index);

// Runs `indices` on this machine, `jobs` at a time, each task's output appended to its
// tasks/<i>/task.log; returns when all have ended. When `cancelled` turns true, the running tasks
// are sent SIGTERM (as scancel does: each records itself cancelled) and no new one starts.
// `on_end` is told each task as it ends (from the thread that ran it).
void run_batch_locally(const BatchFolder &batch, const std::vector<std::size_t> &indices, unsigned jobs,
                       const std::vector<std::string> &command, const std::function<bool()> &cancelled,
                       const std::function<void(std::size_t index)> &on_end);

struct BatchEngineOptions {
    std::string engine = "local";  // or "slurm"
    unsigned jobs = 0;             // local: tasks at once; 0 = default_local_jobs()
    bool wait = false;             // slurm: return once the job's tasks have left the queue
    // slurm: passed to sbatch (empty / 0: the cluster's default)
    std::string partition, time, mem;
    unsigned cpus_per_task = 0;
    unsigned max_parallel = 0;             // the array's %N throttle
    std::vector<std::string> sbatch_args;  // passed through as they are
};

// What `batch submit` and `batch resume` do once the folder is there: hands `indices` to the engine
// and records the submission (with Slurm's job id) in batch.json. Local returns when the tasks have
// ended; slurm once sbatch has queued them, or with `wait` once they have left the queue. An
// unknown engine is a user Failure ("unknown-engine").
void submit_batch_tasks(const BatchFolder &batch, const std::vector<std::size_t> &indices, const BatchEngineOptions &options,
                        const std::vector<std::string> &command, const std::function<bool()> &cancelled,
                        const std::function<void(std::size_t index)> &on_end);

// Slurm's side (batch_slurm.cpp): queues `indices` as one array job of `command`'s run-task.
void submit_to_slurm(const BatchFolder &batch, const std::vector<std::size_t> &indices, const BatchEngineOptions &options,
                     const std::vector<std::string> &command, const std::function<bool()> &cancelled);
// `status` (BatchFolder::status()) reconciled with what Slurm's squeue says of the batch's array
// jobs: a task Slurm still queues is pending, one it runs is running, and one it no longer has
// that never left a result is failed (task-lost), never running or pending forever. Without a
// Slurm submission the status is returned as it is; when squeue cannot be asked, `engine_error`
// says why.
nlohmann::json reconcile_with_slurm(const BatchFolder &batch, nlohmann::json status);
// For users on Kubernetes (not run by dubhost): an Indexed Job with one completion index per task,
// whose pods run `dubhost batch run-task DIR --index $(JOB_COMPLETION_INDEX)` in `image` with the
// claim mounted at `mount_path` (default: the folder that holds the batch folder and every input and
// output, so the paths in batch.json are the same inside the pods). Returned as YAML.
struct KubernetesOptions {
    std::string image, claim, mount_path, mem;
    unsigned parallelism = 0;  // 0: min(tasks, 4)
    unsigned cpus_per_task = 1;
};
std::string kubernetes_indexed_job(const BatchFolder &batch, const KubernetesOptions &options);

// "0-2,5,7-9": the indices as an sbatch --array list.
std::string array_ranges(std::vector<std::size_t> indices);

}  // namespace dubhost
