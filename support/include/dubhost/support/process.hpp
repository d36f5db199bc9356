// Running a program by argv (never through a shell): extra environment, a timeout, cancellation
// (SIGTERM to its whole process group, then SIGKILL), output appended to a log file, and the tail of
// its stderr kept for error messages. Used by the pack installer and runner, the host's job workers
// and plugin scanner (each with the protocol channel on fd 3), and short probes.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dubhost {

struct ProcessRequest {
    std::vector<std::string> argv;                   // argv[0] is looked up on PATH when it has no '/'
    std::map<std::string, std::string> environment;  // added to (or replacing) this process's variables
    std::chrono::milliseconds timeout = std::chrono::minutes(10);
    std::function<bool()> cancelled;    // polled about ten times a second
    std::filesystem::path log;          // when set, stdout and stderr are appended to it
    std::string stdin_data;             // written to the child's stdin (as it reads), which is then closed
    std::size_t kept_output_bytes = 0;  // 0 keeps all of stdout; otherwise only its last N bytes
    // When set, the child gets a pipe as file descriptor 3 and every complete line it writes there
    // is handed over as it arrives (a runner's protocol channel, apart from stdout and stderr).
    std::function<void(const std::string &line)> on_channel_line;
    // When set, told each piece of standard output as it arrives (a streaming filter's progress).
    std::function<void(std::string_view piece)> on_output;
};

struct ProcessResult {
    bool started = false;  // false: could not execute (see start_error)
    std::string start_error;
    int exit_code = -1;  // valid when it exited normally
    int signal = 0;      // non-zero when a signal ended it
    bool timed_out = false;
    bool cancelled = false;
    std::string out;  // standard output
    std::string err;  // the last 64 KiB of standard error

    bool succeeded() const { return started && !timed_out && !cancelled && signal == 0 && exit_code == 0; }
    // The last `count` non-empty lines of stderr (or of stdout when stderr is empty).
    std::string last_lines(std::size_t count) const;
    // "exit code 1", "killed by signal 9", "timed out", ... for messages.
    std::string outcome() const;
};

// Never throws for a failing child; throws std::invalid_argument for an empty argv.
ProcessResult run_process(const ProcessRequest &request);
// A short probe: argv with stdin closed and all of stdout kept, ended after `timeout`.
ProcessResult run_process(const std::vector<std::string> &argv, std::chrono::milliseconds timeout);

}  // namespace dubhost
