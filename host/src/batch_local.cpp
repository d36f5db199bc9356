// The local engine (batch_engines.hpp): a pool of threads, each running one task process at a
// time; and the submission that hands tasks to an engine.
#include "dubhost/host/batch_engines.hpp"

#include <dubhost/support/error.hpp>
#include <dubhost/support/process.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace dubhost {

unsigned default_local_jobs() {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
    const double gib = pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) / (1u << 30) : 2;
    return std::max(1u, std::min(cores, static_cast<unsigned>(gib / 2)));
}

std::vector<std::string> task_argv(const std::vector<std::string> &command, const BatchFolder &batch, std::size_t index) {
    std::vector<std::string> argv = command;
    argv.insert(argv.end(), {"batch", "run-task", batch.dir().string(), "--index", std::to_string(index), "--quiet"});
    return argv;
}

void run_batch_locally(const BatchFolder &batch, const std::vector<std::size_t> &indices, unsigned jobs,
                       const std::vector<std::string> &command, const std::function<bool()> &cancelled,
                       const std::function<void(std::size_t index)> &on_end) {
    std::atomic<std::size_t> next{0};
    std::mutex reporting;
    auto worker = [&] {
        for (std::size_t at; (at = next++) < indices.size();) {
            if (cancelled && cancelled()) return;
            const std::size_t index = indices[at];
            ProcessRequest request;
            request.argv = task_argv(command, batch, index);
            request.log = batch.task_dir(index) / "task.log";
            request.timeout = std::chrono::hours(24 * 30);  // a task ends by itself; the user cancels
            request.cancelled = cancelled;
            std::filesystem::create_directories(batch.task_dir(index));
            run_process(request);  // the task records how it ended in its folder
            const std::lock_guard<std::mutex> lock(reporting);
            if (on_end) on_end(index);
        }
    };
    std::vector<std::thread> pool;
    const unsigned count = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(indices.size())));
    for (unsigned i = 0; i < count; ++i) pool.emplace_back(worker);
    for (auto &thread : pool) thread.join();
}

void submit_batch_tasks(const BatchFolder &batch, const std::vector<std::size_t> &indices, const BatchEngineOptions &options,
                        const std::vector<std::string> &command, const std::function<bool()> &cancelled,
                        const std::function<void(std::size_t index)> &on_end) {
    if (indices.empty()) return;  // nothing left to run
    if (options.engine == "slurm") return submit_to_slurm(batch, indices, options, command, cancelled);
    if (options.engine != "local")
        throw user_error("unknown-engine", "there is no batch engine '" + options.engine + "'",
                         "use --engine local or --engine slurm (docs/batch.md)");
    const unsigned jobs = options.jobs > 0 ? options.jobs : default_local_jobs();
    batch.record_submission({{"engine", "local"}, {"tasks", indices}, {"jobs", jobs}});
    run_batch_locally(batch, indices, jobs, command, cancelled, on_end);
}

}  // namespace dubhost
