// The runner protocol from the plugin's side: a real Python runner (tests/packs/runners/) that
// reports progress, talks on stdout, crashes, writes garbage, hangs, refuses, or is cancelled mid-write.
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <dubhost/packs/pack_runner.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

struct RunnerFixture {
    test::TempDir dir{"dubhost-runner"};
    fs::path out_dir = dir / "out";
    fs::path log = dir / "job.log";
    std::vector<std::pair<double, std::string>> progress;
    std::vector<std::pair<dubhost_log_level, std::string>> logs;
    bool cancel_after_progress = false;

    RunnerFixture() { fs::create_directories(out_dir); }

    packs::RunnerRequest request(const std::string &mode) const {
        packs::RunnerRequest request;
        request.pack_id = "fixture";
        request.python = DUBHOST_TEST_PYTHON;
        request.script = fs::path(DUBHOST_SOURCE_DIR) / "tests/packs/runners/protocol_fixture_runner.py";
        request.python_path = {fs::path(DUBHOST_SOURCE_DIR) / "packs/runtime/python"};
        request.job = {{"params", {{"mode", mode}}}, {"outputs", {{"dir", out_dir.string()}}}};
        request.log = log;
        request.timeout = std::chrono::seconds(30);
        return request;
    }
    packs::RunnerEvents events() {
        packs::RunnerEvents events;
        events.progress = [this](double fraction, const std::string &message) { progress.emplace_back(fraction, message); };
        events.log = [this](dubhost_log_level level, const std::string &message) { logs.emplace_back(level, message); };
        events.cancelled = [this] { return cancel_after_progress && !progress.empty(); };
        return events;
    }
    sdk::CallError failure(const packs::RunnerRequest &request) {
        try {
            packs::run_pack_runner(request, events());
        } catch (const sdk::CallError &error) {
            return error;
        }
        BOOST_FAIL("the runner was expected to fail");
        throw std::logic_error("unreachable");
    }
    std::string log_text() const {
        std::ifstream in(log);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
};

// Gone, or a zombie waiting for whoever adopted it to reap it: either way it runs no more.
bool process_ended(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text)) return true;
    const auto state = text.find(") ");
    return state != std::string::npos && state + 2 < text.size() && (text[state + 2] == 'Z' || text[state + 2] == 'X');
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pack_runner)

BOOST_FIXTURE_TEST_CASE(progress_logs_and_result_arrive_while_stdout_goes_to_the_log, RunnerFixture) {
    const json result = packs::run_pack_runner(request("progress"), events());
    BOOST_TEST(result["outputs"]["out"].get<std::string>() == (out_dir / "out.json").string());
    BOOST_TEST(fs::exists(out_dir / "out.json"));
    BOOST_TEST_REQUIRE(progress.size() == 4u);
    BOOST_TEST(progress.back().first == 1.0);
    BOOST_TEST(progress[1].second == "step 2 of 4");
    BOOST_TEST_REQUIRE(logs.size() == 1u);
    BOOST_TEST(logs[0].first == DUBHOST_LOG_WARNING);
    BOOST_TEST(log_text().find("Audio saved to somewhere.wav") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_large_job_and_a_flood_of_stderr_do_not_deadlock, RunnerFixture) {
    auto big = request("chatty");
    big.job["padding"] = std::string(4 << 20, 'p');  // far beyond a pipe's buffer
    const auto start = std::chrono::steady_clock::now();
    const json result = packs::run_pack_runner(big, events());
    BOOST_TEST(result["stdin_bytes"].get<std::size_t>() == std::size_t{4 << 20});
    BOOST_TEST(seconds_since(start) < 20.0);
    BOOST_TEST(log_text().find("noise line 19999") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_crash_becomes_an_error_with_the_signal_and_last_stderr_lines, RunnerFixture) {
    const auto error = failure(request("abort"));
    BOOST_TEST(error.code() == "runner-crashed");
    const std::string message = error.what();
    BOOST_TEST(message.find("signal 6") != std::string::npos, message);
    BOOST_TEST(message.find("about to fail hard in native code") != std::string::npos, message);
    BOOST_TEST(error.hint().find("dubhost pack install fixture --force") != std::string::npos);
    BOOST_TEST(error.hint().find(log.string()) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(garbage_on_the_channel_stops_the_runner_at_once, RunnerFixture) {
    const auto start = std::chrono::steady_clock::now();
    const auto error = failure(request("garbage"));
    BOOST_TEST(error.code() == "runner-protocol");
    BOOST_TEST(std::string(error.what()).find("this is not JSON") != std::string::npos);
    BOOST_TEST(seconds_since(start) < 10.0);  // the runner sleeps 60 s after the garbage
}

BOOST_FIXTURE_TEST_CASE(another_protocol_version_is_refused, RunnerFixture) {
    const auto error = failure(request("other-protocol"));
    BOOST_TEST(error.code() == "runner-protocol");
    BOOST_TEST(std::string(error.what()).find("protocol 2") != std::string::npos, error.what());
}

BOOST_FIXTURE_TEST_CASE(a_hung_runner_is_stopped_at_its_timeout, RunnerFixture) {
    auto hung = request("hang");
    hung.timeout = std::chrono::seconds(2);
    const auto start = std::chrono::steady_clock::now();
    const auto error = failure(hung);
    BOOST_TEST(error.code() == "runner-timed-out");
    BOOST_TEST(seconds_since(start) < 10.0);
}

// Killed from outside (the OOM killer picks the runner, an operator kills its group): the job fails
// at once with the signal and what to do, and no process the runner started lives on.
BOOST_FIXTURE_TEST_CASE(a_runner_killed_from_outside_fails_at_once_and_leaves_no_orphan, RunnerFixture) {
    for (const bool whole_group : {false, true}) {
        const std::string how = whole_group ? "kill -9 of its process group" : "kill -9 of the runner alone";
        BOOST_TEST_CONTEXT(how) {
            json pids;
            auto request_ = request("spawn-and-hang");
            auto events_ = events();
            events_.progress = [&](double, const std::string &) {
                std::ifstream in(out_dir / "pids.json");
                pids = json::parse(in);
                const pid_t runner = pids["runner"].get<pid_t>();
                ::kill(whole_group ? -runner : runner, SIGKILL);
            };
            const auto start = std::chrono::steady_clock::now();
            std::optional<sdk::CallError> error;
            try {
                packs::run_pack_runner(request_, events_);
            } catch (const sdk::CallError &caught) {
                error = caught;
            }
            BOOST_TEST_REQUIRE(error.has_value());
            BOOST_TEST(error->code() == "runner-crashed", error->code() << ": " << error->what());
            BOOST_TEST(std::string(error->what()).find("killed by signal 9") != std::string::npos, error->what());
            BOOST_TEST(error->hint().find("dubhost pack install fixture --force") != std::string::npos, error->hint());
            BOOST_TEST(seconds_since(start) < 10.0);  // not the 30 s timeout: nothing kept the pipes open
            BOOST_TEST_REQUIRE(pids.is_object());
            const pid_t helper = pids["helper"].get<pid_t>();
            for (int wait = 0; wait < 50 && !process_ended(helper); ++wait)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            BOOST_TEST(process_ended(helper), "the runner's helper " << helper << " outlived it");
            fs::remove(out_dir / "pids.json");
        }
    }
}

BOOST_FIXTURE_TEST_CASE(cancelling_mid_write_leaves_no_partial_file, RunnerFixture) {
    cancel_after_progress = true;
    const auto start = std::chrono::steady_clock::now();
    const auto error = failure(request("slow-write"));
    BOOST_TEST(error.status() == DUBHOST_STATUS_CANCELLED);
    BOOST_TEST(seconds_since(start) < 10.0);
    BOOST_TEST(fs::is_empty(out_dir),
               "left behind: " << (fs::is_empty(out_dir) ? "" : fs::directory_iterator(out_dir)->path().string()));
}

BOOST_FIXTURE_TEST_CASE(a_refusal_keeps_its_kind_code_and_hint, RunnerFixture) {
    const auto error = failure(request("refuse"));
    BOOST_TEST(error.status() == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(error.code() == "bad-parameter");
    BOOST_TEST(std::string(error.what()) == "voice 'nobody' does not exist");
    BOOST_TEST(error.hint().rfind("pass --param voice=en", 0) == 0);
}

BOOST_FIXTURE_TEST_CASE(a_missing_library_says_reinstall_and_an_exception_keeps_its_traceback_in_the_log, RunnerFixture) {
    const auto missing = failure(request("import"));
    BOOST_TEST(missing.status() == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(missing.hint().find("dubhost pack install fixture --force") != std::string::npos);
    const auto thrown = failure(request("exception"));
    BOOST_TEST(thrown.code() == "runner-exception");
    BOOST_TEST(std::string(thrown.what()) == "ZeroDivisionError: division by zero in the library");
    BOOST_TEST(log_text().find("Traceback (most recent call last)") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(exiting_without_a_result_is_an_error, RunnerFixture) {
    BOOST_TEST(failure(request("silent-exit")).code() == "runner-no-result");
}

BOOST_FIXTURE_TEST_CASE(a_runner_that_cannot_start_names_the_reinstall, RunnerFixture) {
    auto missing = request("progress");
    missing.python = dir / "venv/bin/python";
    const auto error = failure(missing);
    BOOST_TEST(error.status() == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(error.hint().find("dubhost pack install fixture --force") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
