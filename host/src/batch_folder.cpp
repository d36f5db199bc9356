// The batch folder (batch_folder.hpp): batch.json written atomically under a lock, and each task's
// state read from its files and its lock.
#include "dubhost/host/batch_folder.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/clock.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/json_fields.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

nlohmann::json row_json(const BatchRow &row) {
    nlohmann::json out = {{"line", row.line},
                          {"video", row.video.string()},
                          {"output", row.output.string()},
                          {"language", row.language},
                          {"to", row.to},
                          {"from", row.from},
                          {"background", row.background},
                          {"backends", row.backends}};
    out["subtitles"] = row.subtitles ? nlohmann::json(row.subtitles->string()) : nlohmann::json(nullptr);
    return out;
}

BatchRow row_from_json(const nlohmann::json &in) {
    BatchRow row;
    row.line = in.value("line", std::size_t{0});
    row.video = in.at("video").get<std::string>();
    row.output = in.at("output").get<std::string>();
    if (in.contains("subtitles") && in["subtitles"].is_string()) row.subtitles = in["subtitles"].get<std::string>();
    row.language = in.value("language", "");
    row.to = in.value("to", "");
    row.from = in.value("from", "");
    row.background = in.value("background", "");
    row.backends = in.value("backends", std::map<std::string, std::string>{});
    return row;
}

// batch.json changes (a submission recorded) under this lock, so two submitters never lose one.
class DocumentLock {
public:
    explicit DocumentLock(const fs::path &dir) : fd_(::open((dir / ".batch.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
            throw user_error("batch-not-writable", "cannot lock " + (dir / ".batch.lock").string(),
                             "check that the batch folder is writable and on storage that supports file locks");
    }
    ~DocumentLock() { ::close(fd_); }
    DocumentLock(const DocumentLock &) = delete;
    DocumentLock &operator=(const DocumentLock &) = delete;

private:
    int fd_;
};

// Whether a process holds the task's lock (the task is running there). Tried shared and let go at
// once, so a task starting at that moment only waits.
bool task_locked(const fs::path &task_dir) {
    const int fd = ::open((task_dir / batch_files::lock).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

}  // namespace

nlohmann::json batch_state_counts(const nlohmann::json &tasks) {
    nlohmann::json counts = {{"pending", 0}, {"running", 0}, {"succeeded", 0}, {"failed", 0}, {"cancelled", 0}};
    for (const auto &task : tasks) {
        nlohmann::json &count = counts[task["state"].get<std::string>()];
        count = count.get<int>() + 1;
    }
    return counts;
}

BatchFolder BatchFolder::create(const fs::path &dir, const fs::path &manifest, const std::vector<BatchRow> &rows) {
    const fs::path absolute = fs::absolute(dir).lexically_normal();
    fs::create_directories(absolute / "tasks");
    const DocumentLock lock(absolute);
    nlohmann::json wanted = nlohmann::json::array();
    for (const auto &row : rows) wanted.push_back(row_json(row));
    const nlohmann::json existing = read_json_file(absolute / batch_files::document);
    if (existing.is_object()) {
        if (existing.value("rows", nlohmann::json()) != wanted)
            throw user_error(
                "batch-exists",
                absolute.string() + " already holds another batch (" + existing.value("manifest", std::string("?")) + ")",
                "resume it with `dubhost batch resume " + absolute.string() + "`, or give this manifest another --dir");
        return open(absolute);
    }
    const nlohmann::json document = {{"format", 1},
                                     {"manifest", fs::absolute(manifest).string()},
                                     {"created_at", utc_timestamp()},
                                     {"rows", wanted},
                                     {"submissions", nlohmann::json::array()}};
    write_file_atomically(absolute / batch_files::document, document.dump(2) + "\n");
    return BatchFolder(absolute, rows);
}

BatchFolder BatchFolder::open(const fs::path &dir) {
    const fs::path absolute = fs::absolute(dir).lexically_normal();
    const nlohmann::json document = read_json_file(absolute / batch_files::document);
    if (!document.is_object() || !document.contains("rows") || !document["rows"].is_array())
        throw user_error("no-batch", "there is no batch in " + absolute.string() + " (no readable batch.json)",
                         "start one with `dubhost batch submit MANIFEST --dir " + absolute.string() + "`");
    std::vector<BatchRow> rows;
    try {
        for (const auto &row : document["rows"]) rows.push_back(row_from_json(row));
    } catch (const nlohmann::json::exception &error) {
        throw user_error("no-batch", absolute.string() + "/batch.json is damaged: " + error.what(),
                         "submit the manifest again into a new folder");
    }
    return BatchFolder(absolute, std::move(rows));
}

const BatchRow &BatchFolder::row(std::size_t index) const {
    if (index >= rows_.size())
        throw user_error(
            "no-such-task", "the batch in " + dir_.string() + " has no task " + std::to_string(index),
            "tasks are numbered 0 to " + std::to_string(rows_.size() - 1) + " (`dubhost batch status " + dir_.string() + "`)");
    return rows_[index];
}

fs::path BatchFolder::task_dir(std::size_t index) const { return dir_ / "tasks" / std::to_string(index); }

void BatchFolder::record_submission(nlohmann::json submission) const {
    const DocumentLock lock(dir_);
    nlohmann::json document = read_json_file(dir_ / batch_files::document);
    submission["submitted_at"] = utc_timestamp();
    document["submissions"].push_back(std::move(submission));
    write_file_atomically(dir_ / batch_files::document, document.dump(2) + "\n");
}

nlohmann::json BatchFolder::submissions() const {
    const nlohmann::json document = read_json_file(dir_ / batch_files::document);
    return document.is_object() ? document.value("submissions", nlohmann::json::array()) : nlohmann::json::array();
}

nlohmann::json BatchFolder::task_status(std::size_t index) const {
    const BatchRow &row = rows_[index];
    const fs::path folder = task_dir(index);
    nlohmann::json task = {
        {"index", index},     {"line", row.line}, {"video", row.video.string()},      {"output", row.output.string()},
        {"state", "pending"}, {"error", nullptr}, {"stages", nlohmann::json::array()}};
    const nlohmann::json running = read_json_file(folder / batch_files::running);
    const nlohmann::json result = read_json_file(folder / batch_files::result);
    if (task_locked(folder)) {
        task["state"] = "running";
        if (running.is_object()) task.update(running);
        return task;
    }
    if (result.is_object()) {
        task.update(result);
        if (task["state"] == "succeeded" && !fs::exists(row.output)) {
            task["state"] = "failed";
            task["error"] = sdk::error_document(
                "output-missing", "the task succeeded but its output " + row.output.string() + " is no longer there",
                "dubhost batch resume " + dir_.string());
        }
        return task;
    }
    if (running.is_object()) {  // it started and never wrote a result, and nobody holds its lock
        task.update(running);
        task["state"] = "failed";
        task["error"] = sdk::error_document(
            "task-lost", "the task stopped without writing its result (killed, out of memory, or its machine was lost)",
            "dubhost batch resume " + dir_.string());
    }
    return task;
}

nlohmann::json BatchFolder::status() const {
    nlohmann::json tasks = nlohmann::json::array();
    for (std::size_t index = 0; index < rows_.size(); ++index) tasks.push_back(task_status(index));
    return {{"dir", dir_.string()}, {"tasks", tasks}, {"counts", batch_state_counts(tasks)}};
}

std::vector<std::size_t> BatchFolder::unfinished() const {
    std::vector<std::size_t> left;
    for (std::size_t index = 0; index < rows_.size(); ++index)
        if (task_status(index)["state"] != "succeeded") left.push_back(index);
    return left;
}

}  // namespace dubhost
