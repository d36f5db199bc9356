// Running one batch task (batch_task.hpp).
#include "dubhost/host/batch_task.hpp"

#include "dubhost/host/record_json.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/clock.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/json_fields.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

// The task's lock, held while it runs (released by the kernel even on kill -9). A status reader
// may hold it shared for an instant, so taking it is retried for two seconds.
class TaskLock {
public:
    TaskLock(const fs::path &folder, std::size_t index) {
        const fs::path path = folder / batch_files::lock;
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw user_error("batch-not-writable", "cannot open " + path.string(), "check the batch folder's permissions");
        for (int attempt = 0; ::flock(fd_, LOCK_EX | LOCK_NB) != 0; ++attempt) {
            if (errno != EWOULDBLOCK || attempt == 20) {
                ::close(fd_);
                throw user_error("task-busy", "task " + std::to_string(index) + " is running in another process",
                                 "wait for it (`dubhost batch status DIR`), or stop that process first");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ~TaskLock() { ::close(fd_); }
    TaskLock(const TaskLock &) = delete;
    TaskLock &operator=(const TaskLock &) = delete;

private:
    int fd_ = -1;
};

std::string host_name() {
    char name[256] = {};
    return ::gethostname(name, sizeof name - 1) == 0 ? name : "?";
}

// Which engine task this is, when an engine started it (Slurm's array job and task ids).
nlohmann::json engine_task() {
    const char *job = std::getenv("SLURM_ARRAY_JOB_ID");
    const char *task = std::getenv("SLURM_ARRAY_TASK_ID");
    if (job && task) return std::string(job) + "_" + task;
    return nullptr;
}

}  // namespace

DubRequest batch_request(const BatchRow &row) {
    DubRequest request;
    request.video = row.video;
    request.subtitles = row.subtitles;
    request.language = row.language;
    request.to = row.to;
    request.from = row.from;
    request.output = row.output;
    request.background = row.background;
    request.backends = row.backends;
    return request;
}

nlohmann::json run_batch_task(const BatchFolder &batch, std::size_t index, const BatchDub &dub) {
    const BatchRow &row = batch.row(index);
    const fs::path folder = batch.task_dir(index);
    fs::create_directories(folder);
    const TaskLock lock(folder, index);
    const fs::path result_path = folder / batch_files::result;
    if (nlohmann::json done = read_json_file(result_path);
        done.is_object() && done.value("state", "") == "succeeded" && fs::exists(row.output)) {
        done["already_done"] = true;
        return done;
    }
    std::error_code ignored;
    fs::remove(result_path, ignored);  // from an earlier run that failed: this one is running now
    const nlohmann::json running = {
        {"started_at", utc_timestamp()}, {"host", host_name()}, {"pid", ::getpid()}, {"engine_task", engine_task()}};
    write_file_atomically(folder / batch_files::running, running.dump(2) + "\n");

    nlohmann::json result = running;
    result["index"] = index;
    result["video"] = row.video.string();
    result["output"] = row.output.string();
    const auto started = std::chrono::steady_clock::now();
    try {
        const DubResult dubbed = dub(batch_request(row), folder / "workspace");
        const nlohmann::json summary = dub_result_json(dubbed);
        result["state"] = "succeeded";
        result["error"] = nullptr;
        result["item_id"] = summary["item_id"];
        result["stages"] = summary["stages"];
        result["subtitle_repairs"] = summary["subtitle_repairs"];
    } catch (const Failure &failure) {
        const bool cancelled = failure.code() == "cancelled";
        result["state"] = cancelled ? "cancelled" : "failed";
        // A cancelled task needs nothing fixed: it is run again as it is.
        const std::string hint =
            cancelled ? "dubhost batch resume " + batch.dir().string() + " (" + failure.hint() + ")" : failure.hint();
        result["error"] = sdk::error_document(failure.code(), failure.what(), hint);
    } catch (const std::exception &error) {
        result["state"] = "failed";
        result["error"] = sdk::error_document("internal-error", error.what(), "report this with the task's log");
    }
    result["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result["finished_at"] = utc_timestamp();
    write_file_atomically(result_path, result.dump(2) + "\n");
    fs::remove(folder / batch_files::running, ignored);
    return result;
}

}  // namespace dubhost
