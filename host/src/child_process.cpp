#include "dubhost/host/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char **environ;

namespace dubhost {
namespace {

constexpr std::size_t kept_stderr_bytes = 64 * 1024;

class Pipe {
public:
    Pipe() {
        if (::pipe2(fds_.data(), O_CLOEXEC) != 0) fds_ = {-1, -1};
    }
    Pipe(const Pipe &) = delete;
    Pipe &operator=(const Pipe &) = delete;
    ~Pipe() {
        close_read();
        close_write();
    }
    bool valid() const { return fds_[0] >= 0; }
    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }
    void close_read() { close_fd(fds_[0]); }
    void close_write() { close_fd(fds_[1]); }

private:
    static void close_fd(int &fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
    std::array<int, 2> fds_{};
};

class SpawnActions {
public:
    SpawnActions() { ::posix_spawn_file_actions_init(&actions_); }
    SpawnActions(const SpawnActions &) = delete;
    SpawnActions &operator=(const SpawnActions &) = delete;
    ~SpawnActions() { ::posix_spawn_file_actions_destroy(&actions_); }
    posix_spawn_file_actions_t *get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_{};
};

// Reads what is available; returns false at end of stream.
bool drain(int fd, std::string &into, std::size_t keep_last) {
    std::array<char, 8192> buffer{};
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0) return errno == EINTR || errno == EAGAIN;
    if (got == 0) return false;
    into.append(buffer.data(), static_cast<std::size_t>(got));
    if (keep_last > 0 && into.size() > keep_last) into.erase(0, into.size() - keep_last);
    return true;
}

}  // namespace

ChildResult run_child(const std::vector<std::string> &argv, std::chrono::milliseconds timeout) {
    if (argv.empty()) throw std::invalid_argument("run_child: empty argv");
    ChildResult result;
    Pipe out, err;
    if (!out.valid() || !err.valid()) {
        result.start_error = std::string("cannot create pipes: ") + std::strerror(errno);
        return result;
    }
    SpawnActions actions;
    ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(actions.get(), out.write_end(), 1);
    ::posix_spawn_file_actions_adddup2(actions.get(), err.write_end(), 2);
    std::vector<char *> args;
    for (const auto &arg : argv) args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int spawn_error = ::posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), environ);
    if (spawn_error != 0) {
        result.start_error = argv[0] + ": " + std::strerror(spawn_error);
        return result;
    }
    result.started = true;
    out.close_write();
    err.close_write();

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            result.timed_out = true;
            break;
        }
        std::array<pollfd, 2> fds{{{out_open ? out.read_end() : -1, POLLIN, 0}, {err_open ? err.read_end() : -1, POLLIN, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) break;
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = drain(out.read_end(), result.out, 0);
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            err_open = drain(err.read_end(), result.err, kept_stderr_bytes);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

}  // namespace dubhost
