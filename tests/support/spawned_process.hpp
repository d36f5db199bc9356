// A child process started in the background, with its standard output in a file, so a test can
// watch it work and then signal it (SIGKILL, SIGINT) at a chosen moment.
#pragma once

#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace dubhost::test {

class SpawnedProcess {
public:
    SpawnedProcess(const std::vector<std::string> &argv, const std::filesystem::path &output) : output_(output) {
        std::vector<char *> args;
        for (const auto &arg : argv) args.push_back(const_cast<char *>(arg.c_str()));
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 2, (output.string() + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int spawned = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) throw std::runtime_error("cannot start " + argv[0]);
    }
    ~SpawnedProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    // Polls the child's standard output until `ready` says so; false on timeout or exit.
    bool wait_for_output(const std::function<bool(const std::string &)> &ready, std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (ready(read_file(output_))) return true;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                status_ = status;
                return ready(read_file(output_));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    void signal(int number) {
        if (pid_ > 0) ::kill(pid_, number);  // never kill(-1): that would signal every process
    }

    // Asks it to end (SIGTERM), waits up to `grace`, then kills it.
    void stop(std::chrono::milliseconds grace) {
        signal(SIGTERM);
        for (auto deadline = std::chrono::steady_clock::now() + grace; pid_ > 0 && std::chrono::steady_clock::now() < deadline;)
            if (::waitpid(pid_, &status_, WNOHANG) == pid_)
                pid_ = -1;
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        signal(SIGKILL);
        wait();
    }

    // Waits for the exit; returns the raw wait status.
    int wait() {
        if (pid_ > 0) {
            ::waitpid(pid_, &status_, 0);
            pid_ = -1;
        }
        return status_;
    }

private:
    std::filesystem::path output_;
    pid_t pid_ = -1;
    int status_ = 0;
};

}  // namespace dubhost::test
