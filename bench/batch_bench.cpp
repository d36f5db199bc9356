// Benchmark (not a test): batch throughput. The same N rows (the README's sample dub, each to its
// own output) through the local engine at 1 and 2 tasks at once (items per hour), then through a
// one-node Slurm cluster started for the run (tests/support/slurm_cluster) at 2 at once: the
// difference is Slurm's per-task overhead (queueing, launch, sbatch/squeue round trips).
//   dubhost_batch_bench [ROWS]   (default 6; the Slurm part needs slurm-wlm and munge, and root)
#include "support/slurm_cluster.hpp"

#include <dubhost/support/process.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

const std::string sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";

// A manifest of `rows` dubs of the sample, written into `folder`.
fs::path write_manifest(const fs::path &folder, int rows) {
    std::ofstream manifest(folder / "videos.jsonl");
    for (int i = 0; i < rows; ++i)
        manifest << nlohmann::json{{"video", sample_video},
                                   {"subtitles", DUBHOST_SAMPLE_SCRIPT},
                                   {"language", "en"},
                                   {"output", "out/" + std::to_string(i) + ".mp4"}}
                        .dump()
                 << "\n";
    return folder / "videos.jsonl";
}

// Runs one batch and returns its wall time in seconds (negative when a task failed).
double run_batch(const fs::path &manifest, const fs::path &batch, const std::vector<std::string> &engine) {
    std::vector<std::string> argv = {DUBHOST_BINARY, "--quiet", "batch", "submit", manifest.string(), "--dir", batch.string()};
    argv.insert(argv.end(), engine.begin(), engine.end());
    const auto started = std::chrono::steady_clock::now();
    dubhost::ProcessRequest request;
    request.argv = argv;
    request.timeout = std::chrono::hours(2);
    const auto result = dubhost::run_process(request);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!result.succeeded()) {
        std::fprintf(stderr, "batch %s failed: %s\n%s\n", batch.c_str(), result.outcome().c_str(), result.last_lines(5).c_str());
        return -1;
    }
    return seconds;
}

void report(const char *engine, int rows, double seconds) {
    std::printf("%-28s %3d items  %7.1f s  %8.0f items/hour\n", engine, rows, seconds, rows * 3600.0 / seconds);
}

}  // namespace

int main(int argc, char **argv) {
    const int rows = argc > 1 ? std::atoi(argv[1]) : 6;
    dubhost::test::TempDir folder{"dubhost-batch-bench"};
    ::setenv("XDG_DATA_HOME", (folder / "data").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (folder / "config").c_str(), 1);
    ::setenv("XDG_CACHE_HOME", (folder / "cache").c_str(), 1);
    const fs::path manifest = write_manifest(folder.path(), rows);
    std::printf("batch throughput: %d dubs of the 8.3 s sample (script, espeak-ng, native separator)\n", rows);
    double local_two = 0;
    for (const int jobs : {1, 2}) {
        fs::remove_all(folder / "out");
        const double seconds = run_batch(manifest, folder / ("local-" + std::to_string(jobs)), {"--jobs", std::to_string(jobs)});
        if (seconds < 0) return 1;
        report(("local, " + std::to_string(jobs) + " at once").c_str(), rows, seconds);
        if (jobs == 2) local_two = seconds;
    }
    dubhost::test::SlurmCluster cluster([](bool present, const std::string &need, const std::string &fix) {
        if (!present) std::printf("slurm: not measured: this machine lacks %s (%s)\n", need.c_str(), fix.c_str());
        return present;
    });
    if (!cluster.ready()) return 0;
    fs::remove_all(folder / "out");
    const double slurm = run_batch(manifest, folder / "slurm", {"--engine", "slurm", "--wait", "--max-parallel", "2"});
    if (slurm < 0) return 1;
    report("slurm, 2 at once", rows, slurm);
    // Two run at once in both: each task's share of the difference is Slurm's per-task overhead.
    std::printf("slurm overhead per task: %.2f s (against local at 2 at once)\n", (slurm - local_two) * 2 / rows);
    return 0;
}
