// Running a pack's Python runner for one job: `<venv>/bin/python runner.py` (argv, never a shell)
// with the job document on stdin. The runner answers in JSON lines on file descriptor 3 (stdout
// and stderr belong to the libraries it calls and go to the job log):
//
//   {"protocol": 1, "type": "progress", "fraction": 0.4, "message": "segment 4 of 10"}
//   {"protocol": 1, "type": "log", "level": "info", "message": "..."}
//   {"protocol": 1, "type": "result", "result": {...the job result...}}
//   {"protocol": 1, "type": "error", "kind": "error|bad-request|not-installed", "code": "...",
//    "message": "...", "hint": "..."}
//
// Cancellation terminates the runner's process group (SIGTERM, then SIGKILL); a crash, a hang, a
// message in another protocol version or anything that is not a protocol message becomes a
// CallError naming the runner, what happened, its last stderr lines and the log to read.
#pragma once

#include <dubhost/plugin.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dubhost::packs {

inline constexpr int runner_protocol_version = 1;

struct RunnerRequest {
    std::string pack_id;  // names the runner in messages and hints
    std::filesystem::path python;
    std::filesystem::path script;
    sdk::json job;
    std::map<std::string, std::string> environment;
    std::vector<std::filesystem::path> python_path;  // put before PYTHONPATH (the protocol helper's folder)
    std::filesystem::path log;                       // the runner's stdout and stderr are appended here
    std::chrono::milliseconds timeout = std::chrono::hours(12);
};

struct RunnerEvents {
    std::function<void(double fraction, const std::string &message)> progress;
    std::function<void(dubhost_log_level level, const std::string &message)> log;
    std::function<bool()> cancelled;
};

// The runner's result document; throws sdk::CallError for every way a runner can fail.
sdk::json run_pack_runner(const RunnerRequest &request, const RunnerEvents &events);

}  // namespace dubhost::packs
