// Running another program by argv (never through a shell) and collecting its output, with a timeout.
// A thin wrapper over the pack runtime's run_process, for the host's own short probes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

struct ChildResult {
    bool started = false;  // false when the program could not be executed (see start_error)
    std::string start_error;
    int exit_code = -1;      // valid when it exited normally
    int signal = 0;          // non-zero when a signal ended it
    bool timed_out = false;  // killed after the timeout
    std::string out;         // standard output
    std::string err;         // standard error (the last 64 KiB)
};

// Runs argv[0] (looked up on PATH when it has no '/') with stdin closed. On timeout the child
// gets SIGKILL. Never throws for a failing child; throws std::invalid_argument for an empty argv.
ChildResult run_child(const std::vector<std::string> &argv, std::chrono::milliseconds timeout);

}  // namespace dubhost
