// A batch folder on storage every node sees (docs/batch.md): batch.json (the rows, resolved, and
// every submission with its engine and job ids) and tasks/<index>/ per row, holding the task's own
// workspace (SQLite is never shared between machines), the marker and lock of a running task and
// result.json once it ends. A task's state is read from those files alone, so any machine that
// sees the folder can say it.
#pragma once

#include "dubhost/host/batch_manifest.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace dubhost {

class BatchFolder {
public:
    // A new batch in `dir` (created). A folder that holds another batch is refused: resume it, or
    // choose another folder. The same manifest again is that batch (submit twice = resume).
    static BatchFolder create(const std::filesystem::path &dir, const std::filesystem::path &manifest,
                              const std::vector<BatchRow> &rows);
    // The batch in `dir`; a user Failure ("no-batch") when there is none.
    static BatchFolder open(const std::filesystem::path &dir);

    const std::filesystem::path &dir() const { return dir_; }
    const std::vector<BatchRow> &rows() const { return rows_; }
    // The row of task `index`, or a user Failure ("no-such-task").
    const BatchRow &row(std::size_t index) const;
    std::filesystem::path task_dir(std::size_t index) const;

    // Appends a submission ({engine, tasks, job_id?, ...}, stamped with the time) to batch.json.
    void record_submission(nlohmann::json submission) const;
    nlohmann::json submissions() const;
    // {dir, tasks: [{index, line, video, output, state, error, stages, started_at, finished_at,
    // host}], counts: {pending, running, succeeded, failed, cancelled}}; state is pending, running,
    // succeeded, failed or cancelled. A task that stopped without a result (kill -9, a lost node)
    // is failed with error code task-lost.
    nlohmann::json status() const;
    // The tasks resume re-runs: every one not succeeded (or whose output is gone).
    std::vector<std::size_t> unfinished() const;

private:
    BatchFolder(std::filesystem::path dir, std::vector<BatchRow> rows) : dir_(std::move(dir)), rows_(std::move(rows)) {}
    nlohmann::json task_status(std::size_t index) const;

    std::filesystem::path dir_;
    std::vector<BatchRow> rows_;
};

// {pending, running, succeeded, failed, cancelled}: how many of `tasks` (status()'s) are in each
// state; every state is there, 0 when none is.
nlohmann::json batch_state_counts(const nlohmann::json &tasks);

// File names inside a task's folder, shared by the folder's reader and the task runner.
namespace batch_files {
inline constexpr const char *document = "batch.json";
inline constexpr const char *result = "result.json";
inline constexpr const char *running = "running.json";
inline constexpr const char *lock = ".lock";
}  // namespace batch_files

}  // namespace dubhost
