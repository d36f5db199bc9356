// `dubhost batch` through the binary, with the local engine and on a real one-node Slurm cluster: a
// manifest with a broken row (three dub, one fails with its error in status; resume re-runs only
// that one), and a task killed (kill -9), stopped (SIGTERM) or scancelled mid-way: no half output,
// and resume completes it; a task Slurm no longer has is never shown pending or running forever.
#include <dubhost/support/process.hpp>

#include "support/isolated_home.hpp"
#include "support/machine_needs.hpp"
#include "support/slurm_cluster.hpp"
#include "support/spawned_process.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <thread>
#include <sys/wait.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";
const fs::path sample_script = fs::path(DUBHOST_SOURCE_DIR) / "packaging" / "sample" / "movie-hello.script.srt";
const std::string talk = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav";

struct BatchHome : dubhost::test::IsolatedHome {
    dubhost::test::TempDir dir{"dubhost-batch"};

    dubhost::ProcessResult dubhost(std::vector<std::string> args) const {
        args.insert(args.begin(), DUBHOST_BINARY);
        return dubhost::run_process(args, std::chrono::minutes(5));
    }
    json status_of(const fs::path &batch) const {
        const auto result = dubhost({"batch", "status", batch.string(), "--json"});
        BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
        return json::parse(result.out);
    }
    // Four rows: the sample video, a recording to .m4a, a broken "video", the recording's speech alone.
    fs::path four_row_manifest() const {
        dubhost::test::write_file(dir / "in" / "broken.mp4", "this is not a video\n");
        fs::copy_file(sample_script, dir / "in" / "hello.srt");
        fs::copy_file(talk, dir / "in" / "talk.wav");
        dubhost::test::write_file(dir / "videos.jsonl",
                                  "{\"video\": \"" + sample_video +
                                      "\", \"subtitles\": \"in/hello.srt\", \"language\": \"en\", "
                                      "\"output\": \"out/hello.mp4\"}\n"
                                      "{\"video\": \"in/talk.wav\", \"subtitles\": \"in/hello.srt\", \"language\": \"en\", "
                                      "\"output\": \"out/talk.m4a\"}\n"
                                      "{\"video\": \"in/broken.mp4\", \"subtitles\": \"in/hello.srt\", \"language\": \"en\", "
                                      "\"output\": \"out/broken.mp4\"}\n"
                                      "{\"video\": \"in/talk.wav\", \"subtitles\": \"in/hello.srt\", \"language\": \"en\", "
                                      "\"background\": \"none\", \"output\": \"out/talk-speech.wav\"}\n");
        return dir / "videos.jsonl";
    }
    // What a batch of four_row_manifest() says once it has run: three dubbed, the broken one failed.
    void check_one_of_four_failed(const json &state, const fs::path &batch) const {
        BOOST_TEST(state["counts"]["succeeded"] == 3);
        BOOST_TEST(state["counts"]["failed"] == 1);
        const json &broken = state["tasks"][2];
        BOOST_TEST(broken["state"] == "failed");
        BOOST_TEST(broken["error"]["code"] == "not-media", broken.dump());
        BOOST_TEST(broken["error"]["message"].get<std::string>().find("broken.mp4") != std::string::npos);
        BOOST_TEST(!broken["error"]["hint"].get<std::string>().empty());
        for (const char *output : {"hello.mp4", "talk.m4a", "talk-speech.wav"})
            BOOST_TEST(fs::exists(dir / "out" / output), output);
        BOOST_TEST(!fs::exists(dir / "out" / "broken.mp4"));
        // Each task dubbed in its own workspace, and said which stages ran.
        for (std::size_t i : {0u, 1u, 3u}) {
            BOOST_TEST(fs::exists(batch / "tasks" / std::to_string(i) / "workspace" / "library.db"));
            BOOST_TEST(!state["tasks"][i]["stages"].empty());
        }
    }
    // Every task's result.json as it is now, to show which ones a resume ran again.
    static std::map<std::size_t, std::string> results(const fs::path &batch, std::size_t count) {
        std::map<std::size_t, std::string> texts;
        for (std::size_t i = 0; i < count; ++i) {
            const fs::path file = batch / "tasks" / std::to_string(i) / "result.json";
            texts[i] = fs::exists(file) ? dubhost::test::read_file(file) : "";
        }
        return texts;
    }
};

// No file beside `output` but itself: nothing half written stays behind.
bool only_whole_files_in(const fs::path &folder) {
    if (!fs::exists(folder)) return true;
    for (const auto &entry : fs::directory_iterator(folder))
        if (entry.path().filename().string().find(".tmp") != std::string::npos ||
            entry.path().filename().string().find(".part") != std::string::npos)
            return false;
    return true;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(batch, BatchHome)

BOOST_AUTO_TEST_CASE(a_broken_row_fails_with_its_error_and_resume_reruns_only_that_one) {
    const fs::path manifest = four_row_manifest();
    const fs::path batch = dir / "runs" / "b1";
    const auto submitted = dubhost({"batch", "submit", manifest.string(), "--dir", batch.string(), "--jobs", "2", "--json"});
    BOOST_TEST(submitted.exit_code == 2, submitted.err);  // a task failed: the batch is not done
    const json first = json::parse(submitted.out);
    check_one_of_four_failed(first, batch);
    BOOST_TEST(only_whole_files_in(dir / "out"));
    BOOST_TEST((status_of(batch)["counts"] == first["counts"]));

    // The file replaced: resume runs that task alone.
    const auto before = results(batch, 4);
    fs::copy_file(sample_video, dir / "in" / "broken.mp4", fs::copy_options::overwrite_existing);
    const auto resumed = dubhost({"batch", "resume", batch.string(), "--json"});
    BOOST_TEST(resumed.exit_code == 0, resumed.err);
    BOOST_TEST(json::parse(resumed.out)["counts"]["succeeded"] == 4);
    const auto after = results(batch, 4);
    for (std::size_t i : {0u, 1u, 3u}) BOOST_TEST(after.at(i) == before.at(i), "task " << i << " ran again");
    BOOST_TEST(after.at(2) != before.at(2));
    BOOST_TEST(fs::exists(dir / "out" / "broken.mp4"));

    // Nothing left to do: a second resume (or the same submit again) changes nothing.
    BOOST_TEST(dubhost({"batch", "resume", batch.string(), "-q"}).exit_code == 0);
    BOOST_TEST(dubhost({"batch", "submit", manifest.string(), "--dir", batch.string(), "-q"}).exit_code == 0);
    BOOST_TEST((results(batch, 4) == after));
    // Another manifest into the same folder is refused: it holds this batch.
    dubhost::test::write_file(dir / "other.jsonl", "{\"video\": \"in/talk.wav\", \"output\": \"out/x.wav\"}\n");
    const auto other = dubhost({"batch", "submit", (dir / "other.jsonl").string(), "--dir", batch.string()});
    BOOST_TEST(other.exit_code == 1);
    BOOST_TEST(other.err.find("already holds another batch") != std::string::npos, other.err);
}

BOOST_AUTO_TEST_CASE(a_manifest_with_bad_rows_is_refused_before_anything_runs) {
    dubhost::test::write_file(dir / "bad.csv", "video,output\na.mp4,a.dub.mp4\nb.mp4\n");
    const auto refused = dubhost({"batch", "submit", (dir / "bad.csv").string(), "--dir", (dir / "b").string()});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.err.find("bad.csv: line 3: 1 fields, the header has 2") != std::string::npos, refused.err);
    BOOST_TEST(!fs::exists(dir / "b"));
    const auto none = dubhost({"batch", "status", (dir / "nowhere").string()});
    BOOST_TEST(none.exit_code == 1);
    BOOST_TEST(none.err.find("there is no batch in") != std::string::npos, none.err);
}

// The Kubernetes Indexed Job: valid YAML (parsed by PyYAML), one completion index per task, the
// index handed to run-task, the claim mounted where the batch's paths are; odd characters in the
// folder name neither break the YAML nor the job's name.
BOOST_AUTO_TEST_CASE(the_kubernetes_job_parses_and_runs_every_task_by_its_index) {
    const fs::path folder = dir / "runs" / "Season 2: \"final\"";
    dubhost::test::write_file(dir / "k.jsonl",
                              "{\"video\": \"in/a.mp4\", \"output\": \"out/a.mp4\"}\n"
                              "{\"video\": \"in/b.mp4\", \"output\": \"out/b.mp4\"}\n"
                              "{\"video\": \"in/c.mp4\", \"output\": \"out/c.mp4\"}\n");
    const auto written = dubhost({"batch", "kubernetes", folder.string(), "--manifest", (dir / "k.jsonl").string(), "--image",
                                  "registry.example/dubhost:0.1", "--claim", "dubs", "--parallelism", "2", "--mem", "2Gi"});
    BOOST_TEST_REQUIRE(written.exit_code == 0, written.err);
    const fs::path yaml = folder / "kubernetes" / "job.yaml";
    BOOST_TEST(written.out.find("kubectl apply -f " + yaml.string()) != std::string::npos, written.out);
    const auto parsed =
        dubhost::run_process({DUBHOST_TEST_PYTHON, "-c",
                              "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", yaml.string()},
                             std::chrono::seconds(30));
    BOOST_TEST_REQUIRE(parsed.succeeded(), parsed.err);
    const json job = json::parse(parsed.out);
    BOOST_TEST(job["kind"] == "Job");
    BOOST_TEST(job["apiVersion"] == "batch/v1");
    BOOST_TEST(job["metadata"]["name"] == "dubhost-season-2---final");
    BOOST_TEST(job["spec"]["completionMode"] == "Indexed");
    BOOST_TEST(job["spec"]["completions"] == 3);
    BOOST_TEST(job["spec"]["parallelism"] == 2);
    const json &pod = job["spec"]["template"]["spec"];
    const json &container = pod["containers"][0];
    BOOST_TEST(container["image"] == "registry.example/dubhost:0.1");
    BOOST_TEST((container["command"] ==
                json{"dubhost", "batch", "run-task", folder.string(), "--index", "$(JOB_COMPLETION_INDEX)", "--quiet"}));
    BOOST_TEST(container["env"][0]["name"] == "JOB_COMPLETION_INDEX");
    BOOST_TEST(container["resources"]["requests"]["memory"] == "2Gi");
    BOOST_TEST(container["volumeMounts"][0]["mountPath"] == dir.path().string());  // holds the batch, inputs, outputs
    BOOST_TEST(pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "dubs");
    BOOST_TEST(pod["restartPolicy"] == "Never");
    // The batch it runs is there to be resumed or watched: status knows its three tasks.
    BOOST_TEST(status_of(folder)["counts"]["pending"] == 3);
}

// Tasks find packs where DUBHOST_PACKS says (installed once on shared storage), not in their own
// workspaces; every engine passes the environment on (Slurm's sbatch exports it by default).
BOOST_AUTO_TEST_CASE(packs_are_looked_for_where_dubhost_packs_says) {
    dubhost::ProcessRequest request;
    request.argv = {DUBHOST_BINARY, "--workspace", (dir / "task-ws").string(), "pack", "list", "--json"};
    request.environment = {{"DUBHOST_PACKS", (dir / "shared-packs").string()}};
    request.timeout = std::chrono::minutes(1);
    const auto listed = dubhost::run_process(request);
    BOOST_TEST_REQUIRE(listed.exit_code == 0, listed.err);
    const json packs = json::parse(listed.out)["packs"];
    BOOST_TEST_REQUIRE(!packs.empty());
    for (const auto &pack : packs)
        BOOST_TEST(pack["log"].get<std::string>().rfind((dir / "shared-packs").string(), 0) == 0u, pack["log"]);
}

// kill -9 of a task (as a lost node or the OOM killer would) and SIGTERM (as scancel sends): the
// first is failed with task-lost, the second cancelled; neither leaves a half output, and resume
// completes both.
BOOST_AUTO_TEST_CASE(a_task_killed_or_stopped_mid_way_leaves_no_half_output_and_completes_on_resume) {
    fs::copy_file(sample_script, dir / "hello.srt");
    dubhost::test::write_file(dir / "one.jsonl", "{\"video\": \"" + sample_video +
                                                     "\", \"subtitles\": \"hello.srt\", \"language\": \"en\", "
                                                     "\"output\": \"out/hello.mp4\"}\n");
    for (const int signal : {SIGKILL, SIGTERM}) {
        BOOST_TEST_CONTEXT("signal " << signal) {
            const fs::path batch = dir / ("batch-" + std::to_string(signal));
            fs::remove_all(dir / "out");
            dubhost::test::SpawnedProcess submit(
                {DUBHOST_BINARY, "batch", "submit", (dir / "one.jsonl").string(), "--dir", batch.string(), "--json"},
                dir / ("submit-" + std::to_string(signal) + ".out"));
            // The task is mid-way once its first job has started (its log exists).
            const fs::path logs = batch / "tasks" / "0" / "workspace" / "logs";
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (std::chrono::steady_clock::now() < deadline &&
                   !(fs::exists(logs) && !fs::is_empty(logs) && fs::exists(batch / "tasks" / "0" / "running.json")))
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const json running = json::parse(dubhost::test::read_file(batch / "tasks" / "0" / "running.json"));
            BOOST_TEST(status_of(batch)["tasks"][0]["state"] == "running");
            ::kill(running["pid"].get<int>(), signal);
            const int ended = submit.wait();
            BOOST_TEST((WIFEXITED(ended) && WEXITSTATUS(ended) == 2), "the submit ended with status " << ended);
            const json task = status_of(batch)["tasks"][0];
            if (signal == SIGKILL) {
                BOOST_TEST(task["state"] == "failed");
                BOOST_TEST(task["error"]["code"] == "task-lost", task.dump());
            } else {
                BOOST_TEST(task["state"] == "cancelled", task.dump());
            }
            BOOST_TEST(!fs::exists(dir / "out" / "hello.mp4"));
            BOOST_TEST(only_whole_files_in(dir / "out"));
            const auto resumed = dubhost({"batch", "resume", batch.string(), "--json"});
            BOOST_TEST(resumed.exit_code == 0, resumed.err);
            BOOST_TEST(json::parse(resumed.out)["tasks"][0]["state"] == "succeeded");
            BOOST_TEST(fs::exists(dir / "out" / "hello.mp4"));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct SlurmBatchHome : BatchHome {
    dubhost::test::SlurmCluster cluster{dubhost::test::machine_has};

    // The job id of the batch's newest Slurm submission.
    static std::string last_job(const fs::path &batch) {
        const json document = json::parse(dubhost::test::read_file(batch / "batch.json"));
        return document["submissions"].back()["job_id"];
    }
    // Waits until Slurm no longer has any task of `job`.
    static bool wait_for_queue_to_empty(const std::string &job) {
        for (int i = 0; i < 600; ++i) {
            const auto queued =
                dubhost::run_process({"squeue", "--noheader", "--array", "--jobs=" + job}, std::chrono::seconds(10));
            if (queued.out.find_first_not_of(" \n") == std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(batch_slurm, SlurmBatchHome)

BOOST_AUTO_TEST_CASE(a_slurm_array_dubs_every_row_and_resume_reruns_only_the_broken_one) {
    if (!cluster.ready()) return;
    const fs::path manifest = four_row_manifest();
    const fs::path batch = dir / "runs" / "slurm";
    const auto submitted = dubhost({"batch", "submit", manifest.string(), "--dir", batch.string(), "--engine", "slurm", "--wait",
                                    "--max-parallel", "2", "--json"});
    BOOST_TEST_REQUIRE(submitted.started);
    BOOST_TEST(submitted.exit_code == 2, submitted.err << cluster.logs());
    const json first = json::parse(submitted.out);
    check_one_of_four_failed(first, batch);
    const std::string job = last_job(batch);
    for (const auto &task : first["tasks"])
        BOOST_TEST(task["engine_task"] == job + "_" + std::to_string(task["index"].get<int>()));
    // Each task's Slurm log is in its folder; the array was throttled as asked.
    BOOST_TEST(fs::exists(batch / "tasks" / "2" / ("slurm-" + job + ".log")));
    BOOST_TEST(json::parse(dubhost::test::read_file(batch / "batch.json"))["submissions"][0]["array"] == "0-3%2");

    const auto before = results(batch, 4);
    fs::copy_file(sample_video, dir / "in" / "broken.mp4", fs::copy_options::overwrite_existing);
    const auto resumed = dubhost({"batch", "resume", batch.string(), "--engine", "slurm", "--wait", "--json"});
    BOOST_TEST(resumed.exit_code == 0, resumed.err);
    BOOST_TEST(json::parse(resumed.out)["counts"]["succeeded"] == 4);
    BOOST_TEST(json::parse(dubhost::test::read_file(batch / "batch.json"))["submissions"][1]["array"] == "2");
    const auto after = results(batch, 4);
    for (std::size_t i : {0u, 1u, 3u}) BOOST_TEST(after.at(i) == before.at(i), "task " << i << " ran again");
    BOOST_TEST(fs::exists(dir / "out" / "broken.mp4"));
}

// scancel of a running array task: it records itself cancelled (SIGTERM reaches dubhost and its
// job worker, which stop the job cleanly), no half output, and resume completes it.
BOOST_AUTO_TEST_CASE(scancel_of_a_running_task_shows_it_cancelled_and_resume_completes_it) {
    if (!cluster.ready()) return;
    fs::copy_file(sample_script, dir / "hello.srt");
    dubhost::test::write_file(dir / "one.jsonl", "{\"video\": \"" + sample_video +
                                                     "\", \"subtitles\": \"hello.srt\", \"language\": \"en\", "
                                                     "\"output\": \"out/hello.mp4\"}\n");
    const fs::path batch = dir / "runs" / "cancel";
    const auto queued = dubhost({"batch", "submit", (dir / "one.jsonl").string(), "--dir", batch.string(), "--engine", "slurm"});
    BOOST_TEST_REQUIRE(queued.exit_code == 0, queued.err);  // queued, not waited for: not a failure
    const fs::path logs = batch / "tasks" / "0" / "workspace" / "logs";
    for (int i = 0; i < 600 && !(fs::exists(logs) && !fs::is_empty(logs)); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    BOOST_TEST_REQUIRE(status_of(batch)["tasks"][0]["state"] == "running", cluster.logs());
    const std::string job = last_job(batch);
    BOOST_TEST(dubhost::run_process({"scancel", job + "_0"}, std::chrono::seconds(10)).succeeded());
    BOOST_TEST_REQUIRE(wait_for_queue_to_empty(job));
    const json task = status_of(batch)["tasks"][0];
    BOOST_TEST(task["state"] == "cancelled", task.dump());
    BOOST_TEST(task["error"]["hint"].get<std::string>().find("dubhost batch resume") == 0u, task.dump());
    BOOST_TEST(!fs::exists(dir / "out" / "hello.mp4"));
    BOOST_TEST(only_whole_files_in(dir / "out"));
    const auto resumed = dubhost({"batch", "resume", batch.string(), "--engine", "slurm", "--wait", "--json"});
    BOOST_TEST(resumed.exit_code == 0, resumed.err);
    BOOST_TEST(json::parse(resumed.out)["tasks"][0]["state"] == "succeeded");
    BOOST_TEST(fs::exists(dir / "out" / "hello.mp4"));
}

// A task Slurm holds pending is pending; once Slurm no longer has it (cancelled before it started)
// and it left no result, it is failed (task-lost), never pending forever.
BOOST_AUTO_TEST_CASE(a_task_slurm_no_longer_has_is_lost_not_pending_forever) {
    if (!cluster.ready()) return;
    dubhost::test::write_file(dir / "later.jsonl", "{\"video\": \"" + talk + "\", \"output\": \"out/later.wav\"}\n");
    const fs::path batch = dir / "runs" / "later";
    const auto queued = dubhost({"batch", "submit", (dir / "later.jsonl").string(), "--dir", batch.string(), "--engine", "slurm",
                                 "--sbatch-arg=--begin=now+1hour"});
    BOOST_TEST_REQUIRE(queued.exit_code == 0, queued.err);
    const json waiting = status_of(batch)["tasks"][0];
    BOOST_TEST(waiting["state"] == "pending", waiting.dump());
    BOOST_TEST(waiting["engine_state"].get<std::string>().rfind("PENDING", 0) == 0u, waiting.dump());
    const std::string job = last_job(batch);
    BOOST_TEST(dubhost::run_process({"scancel", job}, std::chrono::seconds(10)).succeeded());
    BOOST_TEST_REQUIRE(wait_for_queue_to_empty(job));
    const json lost = status_of(batch)["tasks"][0];
    BOOST_TEST(lost["state"] == "failed", lost.dump());
    BOOST_TEST(lost["error"]["code"] == "task-lost", lost.dump());
}

BOOST_AUTO_TEST_SUITE_END()
