// The Slurm engine (batch_engines.hpp): one `sbatch --array` job per submission, whose script
// execs `dubhost batch run-task DIR --index $SLURM_ARRAY_TASK_ID`, and squeue's view of those jobs
// reconciled with the task files. Every Slurm command runs by argv.
#include "dubhost/host/batch_engines.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/process.hpp>

#include <algorithm>
#include <map>
#include <sstream>
#include <thread>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

// One word for /bin/sh: in single quotes, a quote inside written '\''.
std::string shell_quoted(const std::string &word) {
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// sbatch runs a script file, never a program with arguments; the script only execs the task's
// argv, every word quoted, so no path or option is read by the shell.
fs::path write_task_script(const BatchFolder &batch, const std::vector<std::string> &command) {
    std::string line = "exec";
    for (const auto &word : command) line += " " + shell_quoted(word);
    line += " batch run-task " + shell_quoted(batch.dir().string()) + " --index \"$SLURM_ARRAY_TASK_ID\" --quiet";
    const fs::path script = batch.dir() / "slurm" / "run-task.sh";
    fs::create_directories(script.parent_path());
    write_file_atomically(
        script, "#!/bin/sh\n# Written by `dubhost batch submit`: one task of this batch, as a Slurm array task.\n" + line + "\n");
    fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                                fs::perms::others_exec);
    return script;
}

ProcessResult run_slurm_command(const std::vector<std::string> &argv) {
    const ProcessResult result = run_process(argv, std::chrono::minutes(2));
    if (!result.started)
        throw user_error("no-slurm", argv.front() + " cannot be run here: " + result.start_error,
                         "run this on a Slurm login node (apt-get install slurm-client), or use --engine local");
    return result;
}

// The job ids of the batch's Slurm submissions, and for each task the newest job that ran it.
std::map<std::size_t, std::string> slurm_job_of_tasks(const BatchFolder &batch) {
    std::map<std::size_t, std::string> job_of;
    for (const auto &submission : batch.submissions()) {
        if (submission.value("engine", "") != "slurm" || !submission.contains("job_id")) continue;
        for (const auto &index : submission.value("tasks", nlohmann::json::array()))
            if (index.is_number_unsigned()) job_of[index.get<std::size_t>()] = submission["job_id"].get<std::string>();
    }
    return job_of;
}

// squeue's state of each array task it still has, by "JOB_TASK" ("123_4").
std::map<std::string, std::string> queued_tasks(const std::vector<std::string> &jobs) {
    std::string list;
    for (const auto &job : jobs) list += (list.empty() ? "" : ",") + job;
    const ProcessResult result = run_slurm_command({"squeue", "--noheader", "--array", "--jobs=" + list, "--format=%i|%T|%r"});
    // A job that has left the queue entirely is "Invalid job id" to squeue: nothing of it is queued.
    if (!result.succeeded() && result.err.find("Invalid job id") == std::string::npos)
        throw std::runtime_error("squeue " + result.outcome() + ": " + result.last_lines(2));
    std::map<std::string, std::string> states;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        const auto bar = line.find('|'), second = line.find('|', bar + 1);
        if (bar == std::string::npos || second == std::string::npos) continue;
        const std::string state = line.substr(bar + 1, second - bar - 1), reason = line.substr(second + 1);
        states[line.substr(0, bar)] = reason.empty() || reason == "None" ? state : state + " (" + reason + ")";
    }
    return states;
}

}  // namespace

std::string array_ranges(std::vector<std::size_t> indices) {
    std::sort(indices.begin(), indices.end());
    std::string ranges;
    for (std::size_t i = 0; i < indices.size();) {
        std::size_t j = i;
        while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
        ranges += (ranges.empty() ? "" : ",") + std::to_string(indices[i]) + (j > i ? "-" + std::to_string(indices[j]) : "");
        i = j + 1;
    }
    return ranges;
}

void submit_to_slurm(const BatchFolder &batch, const std::vector<std::size_t> &indices, const BatchEngineOptions &options,
                     const std::vector<std::string> &command, const std::function<bool()> &cancelled) {
    const fs::path script = write_task_script(batch, command);
    for (const auto index : indices) fs::create_directories(batch.task_dir(index));
    std::string array = array_ranges(indices);
    if (options.max_parallel > 0) array += "%" + std::to_string(options.max_parallel);
    std::vector<std::string> argv = {"sbatch",
                                     "--parsable",
                                     "--job-name=dubhost-" + batch.dir().filename().string(),
                                     "--array=" + array,
                                     "--chdir=" + batch.dir().string(),
                                     "--output=" + (batch.dir() / "tasks" / "%a" / "slurm-%A.log").string()};
    if (!options.partition.empty()) argv.push_back("--partition=" + options.partition);
    if (!options.time.empty()) argv.push_back("--time=" + options.time);
    if (!options.mem.empty()) argv.push_back("--mem=" + options.mem);
    if (options.cpus_per_task > 0) argv.push_back("--cpus-per-task=" + std::to_string(options.cpus_per_task));
    argv.insert(argv.end(), options.sbatch_args.begin(), options.sbatch_args.end());
    argv.push_back(script.string());
    const ProcessResult queued = run_slurm_command(argv);
    const std::string job_id = queued.out.substr(0, queued.out.find_first_of(";\n"));
    if (!queued.succeeded() || job_id.empty() || job_id.find_first_not_of("0123456789") != std::string::npos)
        throw Failure(ErrorKind::backend, "slurm-refused",
                      "sbatch did not queue the batch (" + queued.outcome() + "): " + queued.last_lines(3),
                      "check the partition, time and memory options against `sinfo`, then `dubhost batch resume " +
                          batch.dir().string() + " --engine slurm`");
    batch.record_submission({{"engine", "slurm"}, {"job_id", job_id}, {"tasks", indices}, {"array", array}, {"argv", argv}});
    if (!options.wait) return;
    // Waiting: until squeue no longer has any of the job's tasks (or the user stops waiting; the
    // job runs on: `scancel` stops it).
    while (!(cancelled && cancelled())) {
        if (queued_tasks({job_id}).empty()) return;
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

nlohmann::json reconcile_with_slurm(const BatchFolder &batch, nlohmann::json status) {
    const auto job_of = slurm_job_of_tasks(batch);
    if (job_of.empty()) return status;
    std::vector<std::string> jobs;
    for (const auto &[index, job] : job_of)
        if (std::find(jobs.begin(), jobs.end(), job) == jobs.end()) jobs.push_back(job);
    std::map<std::string, std::string> queued;
    try {
        queued = queued_tasks(jobs);
    } catch (const std::exception &error) {  // squeue missing or failing (a Failure is one too)
        status["engine_error"] = std::string("cannot ask Slurm: ") + error.what();
        return status;
    }
    for (auto &task : status["tasks"]) {
        const std::size_t index = task["index"].get<std::size_t>();
        const auto job = job_of.find(index);
        if (job == job_of.end()) continue;  // never given to Slurm
        const std::string engine_task = job->second + "_" + std::to_string(index);
        task["engine_task"] = engine_task;
        const auto seen = queued.find(engine_task);
        const std::string state = task["state"];
        const bool lost = state == "failed" && task["error"].is_object() && task["error"].value("code", "") == "task-lost";
        if (seen != queued.end()) {
            task["engine_state"] = seen->second;
            const bool engine_runs = seen->second.rfind("RUNNING", 0) == 0 || seen->second.rfind("COMPLETING", 0) == 0 ||
                                     seen->second.rfind("CONFIGURING", 0) == 0;
            if (engine_runs && (state == "pending" || lost)) {  // on a node whose lock this machine cannot see
                task["state"] = "running";
                task["error"] = nullptr;
            }
        } else if (state == "pending" || lost) {
            // Slurm no longer has it and it left no result: never shown as pending or running forever.
            task["state"] = "failed";
            task["error"] = sdk::error_document("task-lost",
                                                "Slurm job " + engine_task +
                                                    " is gone and the task left no result (cancelled before it started, "
                                                    "killed, or its node was lost)",
                                                "dubhost batch resume " + batch.dir().string() + " --engine slurm");
        }
    }
    status["counts"] = batch_state_counts(status["tasks"]);
    return status;
}

}  // namespace dubhost
