// `dubhost batch submit|status|resume|run-task`: many dubs from a manifest, each task in its own
// workspace under the batch folder, run by an engine (docs/batch.md).
#include "commands.hpp"

#include "dub_runner.hpp"

#include "dubhost/host/batch_engines.hpp"
#include "dubhost/host/batch_task.hpp"
#include "dubhost/host/paths.hpp"

#include <CLI/CLI.hpp>
#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>

#include <atomic>
#include <csignal>
#include <iomanip>
#include <iostream>

namespace dubhost::cli {
namespace {

struct BatchOptions {
    std::string manifest, dir;
    std::size_t index = 0;
    BatchEngineOptions engine;
};

// The dubhost binary with the global options a task needs to see the same plugins.
std::vector<std::string> task_command(const CliContext &context) {
    std::vector<std::string> command = {executable_path().string()};
    for (const auto &path : context.options.plugin_paths) command.insert(command.end(), {"--plugin-path", path});
    if (context.options.safe_mode) command.push_back("--safe-mode");
    if (context.options.in_process) command.push_back("--in-process");
    return command;
}

void print_status(const nlohmann::json &status) {
    std::cout << "batch " << status["dir"].get<std::string>() << ":\n";
    for (const auto &task : status["tasks"]) {
        std::cout << "  " << std::setw(4) << task["index"].get<std::size_t>() << "  " << std::left << std::setw(10)
                  << task["state"].get<std::string>() << std::right << task["video"].get<std::string>();
        if (task["state"] == "succeeded") std::cout << " -> " << task["output"].get<std::string>();
        if (task.contains("engine_task")) std::cout << "  [slurm " << task["engine_task"].get<std::string>() << "]";
        std::cout << "\n";
        if (task["error"].is_object())
            std::cout << "        " << task["error"].value("code", "") << ": " << task["error"].value("message", "") << "\n"
                      << "        next: " << task["error"].value("hint", "") << "\n";
    }
    if (status.contains("engine_error")) std::cout << "  note: " << status["engine_error"].get<std::string>() << "\n";
    const auto &counts = status["counts"];
    std::cout << "  " << counts["succeeded"] << " succeeded, " << counts["failed"] << " failed, " << counts["cancelled"]
              << " cancelled, " << counts["running"] << " running, " << counts["pending"] << " pending\n";
}

// Ctrl-C (or SIGTERM) while the local engine runs: the running tasks are told to stop.
std::atomic<bool> stop_requested{false};
void on_stop(int signal) {
    stop_requested = true;
    std::signal(signal, SIG_DFL);
}

// Runs `indices` with the engine, then reports the batch's state: exit 2 when a task did not succeed.
void run_tasks(CliContext &context, const BatchFolder &batch, const std::vector<std::size_t> &indices,
               const BatchOptions &options) {
    stop_requested = false;
    std::signal(SIGINT, on_stop);
    std::signal(SIGTERM, on_stop);
    submit_batch_tasks(
        batch, indices, options.engine, task_command(context), [] { return stop_requested.load(); },
        [&](std::size_t index) {
            if (!context.options.json && !context.options.quiet) std::cerr << "task " << index << " ended\n";
        });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    const nlohmann::json status = reconcile_with_slurm(batch, batch.status());
    if (context.options.json)
        CliContext::print_json(status);
    else if (!context.options.quiet)
        print_status(status);
    // Tasks left queued on Slurm are not a failure; tasks that ended without succeeding are.
    const bool ended = options.engine.engine == "local" || options.engine.wait;
    if (ended && status["counts"]["succeeded"].get<std::size_t>() != batch.rows().size()) context.exit_code = 2;
}

}  // namespace

void add_batch_commands(CLI::App &app, CliContext &context, Action &action) {
    static BatchOptions options;
    auto add_engine_options = [](CLI::App &command) {
        BatchEngineOptions &engine = options.engine;
        command.add_option("--engine", engine.engine, "local (this machine) or slurm (one sbatch array job)")
            ->check(CLI::IsMember({"local", "slurm"}));
        command.add_option("--jobs", engine.jobs, "local: tasks at once (default: one per core and per 2 GiB of memory)");
        command.add_flag("--wait", engine.wait, "slurm: return once every task has left the queue (local always waits)");
        command.add_option("--partition", engine.partition, "slurm: the partition");
        command.add_option("--time", engine.time, "slurm: each task's time limit (e.g. 2:00:00)");
        command.add_option("--cpus-per-task", engine.cpus_per_task, "slurm: CPUs per task");
        command.add_option("--mem", engine.mem, "slurm: memory per task (e.g. 4G)");
        command.add_option("--max-parallel", engine.max_parallel, "slurm: tasks running at once (the array's %N)");
        command.add_option("--sbatch-arg", engine.sbatch_args, "slurm: another sbatch argument, as is (repeatable)")
            ->allow_extra_args(false);
    };
    auto *batch = app.add_subcommand("batch", "Many dubs from a manifest, each task in its own workspace (docs/batch.md)");
    batch->require_subcommand(1);

    auto *submit = batch->add_subcommand("submit", "Start a batch from MANIFEST (.jsonl or .csv) in --dir");
    submit->add_option("MANIFEST", options.manifest, "One row per dub: video, output, subtitles, language, to, ...")->required();
    submit->add_option("--dir", options.dir, "The batch folder (on storage every node sees)")->required();
    add_engine_options(*submit);
    submit->add_flag("--json", context.options.json, "Print the batch status as JSON when the tasks have ended");
    submit->callback([&context, &action] {
        action = [&context] {
            const auto rows = read_batch_manifest(options.manifest);
            const BatchFolder folder = BatchFolder::create(options.dir, options.manifest, rows);
            run_tasks(context, folder, folder.unfinished(), options);
        };
    });

    auto *resume = batch->add_subcommand("resume", "Run again every task of the batch in DIR that has not succeeded");
    resume->add_option("DIR", options.dir, "The batch folder")->required();
    add_engine_options(*resume);
    resume->add_flag("--json", context.options.json, "Print the batch status as JSON when the tasks have ended");
    resume->callback([&context, &action] {
        action = [&context] {
            const BatchFolder folder = BatchFolder::open(options.dir);
            run_tasks(context, folder, folder.unfinished(), options);
        };
    });

    auto *status = batch->add_subcommand("status", "The state of every task of the batch in DIR");
    status->add_option("DIR", options.dir, "The batch folder")->required();
    status->add_flag("--json", context.options.json,
                     "Print JSON: {dir, tasks: [{index, video, output, state, error, stages, ...}], counts}");
    status->callback([&context, &action] {
        action = [&context] {
            const BatchFolder folder = BatchFolder::open(options.dir);
            const nlohmann::json document = reconcile_with_slurm(folder, folder.status());
            if (context.options.json)
                CliContext::print_json(document);
            else
                print_status(document);
        };
    });

    static KubernetesOptions kubernetes;
    static std::string job_file;
    auto *kube = batch->add_subcommand("kubernetes", "Write a Kubernetes Indexed Job that runs the batch in DIR (not run here)");
    kube->add_option("DIR", options.dir, "The batch folder (on the claim)")->required();
    kube->add_option("--manifest", options.manifest, "Start the batch in DIR from this manifest when there is none yet");
    kube->add_option("--image", kubernetes.image, "A container image with dubhost installed")->required();
    kube->add_option("--claim", kubernetes.claim, "The PersistentVolumeClaim that holds the batch, inputs and outputs")
        ->required();
    kube->add_option("--mount-path", kubernetes.mount_path,
                     "Where the claim is mounted (default: the folder holding the batch and every input and output)");
    kube->add_option("--parallelism", kubernetes.parallelism, "Pods at once (default: up to 4)");
    kube->add_option("--cpus-per-task", kubernetes.cpus_per_task, "CPUs each pod requests (default 1)");
    kube->add_option("--mem", kubernetes.mem, "Memory each pod requests (e.g. 2Gi)");
    kube->add_option("-o,--output", job_file, "Where to write the YAML (default: DIR/kubernetes/job.yaml)");
    kube->callback([&action] {
        action = [] {
            const BatchFolder folder = options.manifest.empty() ? BatchFolder::open(options.dir)
                                                                : BatchFolder::create(options.dir, options.manifest,
                                                                                      read_batch_manifest(options.manifest));
            const std::filesystem::path target =
                job_file.empty() ? folder.dir() / "kubernetes" / "job.yaml" : std::filesystem::path(job_file);
            std::filesystem::create_directories(std::filesystem::absolute(target).parent_path());
            write_file_atomically(target, kubernetes_indexed_job(folder, kubernetes));
            std::cout << target.string() << "\n"
                      << "next: kubectl apply -f " << target.string() << "; then dubhost batch status " << folder.dir().string()
                      << "\n";
        };
    });

    auto *run_task = batch->add_subcommand("run-task", "Run one task of a batch (what every engine starts)");
    run_task->add_option("DIR", options.dir, "The batch folder")->required();
    run_task->add_option("--index", options.index, "The task's index (0 = the manifest's first row)")->required();
    run_task->add_flag("--json", context.options.json, "Print the task's result document");
    run_task->callback([&context, &action] {
        action = [&context] {
            const BatchFolder folder = BatchFolder::open(options.dir);
            const nlohmann::json result = run_batch_task(
                folder, options.index, [&context](const DubRequest &request, const std::filesystem::path &workspace) {
                    context.options.workspace = workspace.string();
                    return run_dub_here(context, request, ProgressDisplay::Mode::quiet);
                });
            if (context.options.json)
                CliContext::print_json(result);
            else
                std::cout << "task " << options.index << ": " << result["state"].get<std::string>() << "\n";
            if (result["state"] != "succeeded") context.exit_code = 2;
        };
    });
}

}  // namespace dubhost::cli
