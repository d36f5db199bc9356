// Child processes by argv (process.hpp): posix_spawn into a process group of its own, one poll loop
// over stdout, stderr, the protocol channel and stdin, SIGTERM then SIGKILL on timeout or cancel,
// and SIGKILL for whatever is left in its group once it has ended.
#include <dubhost/support/process.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

extern char **environ;

namespace dubhost {
namespace {

constexpr std::size_t kept_stderr_bytes = 64 * 1024;
constexpr auto terminate_grace = std::chrono::seconds(3);

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
    // Moves the write end to a descriptor above `floor` (still close-on-exec).
    void move_write_end_above(int floor) {
        const int moved = ::fcntl(fds_[1], F_DUPFD_CLOEXEC, floor + 1);
        if (moved >= 0) {
            ::close(fds_[1]);
            fds_[1] = moved;
        }
    }
    void close_write() { close_fd(fds_[1]); }

private:
    static void close_fd(int &fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
    std::array<int, 2> fds_{};
};

class SpawnSetup {
public:
    SpawnSetup() {
        ::posix_spawn_file_actions_init(&actions_);
        ::posix_spawnattr_init(&attributes_);
    }
    SpawnSetup(const SpawnSetup &) = delete;
    SpawnSetup &operator=(const SpawnSetup &) = delete;
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions_);
        ::posix_spawnattr_destroy(&attributes_);
    }
    posix_spawn_file_actions_t *actions() { return &actions_; }
    posix_spawnattr_t *attributes() { return &attributes_; }

private:
    posix_spawn_file_actions_t actions_{};
    posix_spawnattr_t attributes_{};
};

// Reads what is available into `into` (and the log, and the watcher); returns false at end of stream.
bool drain(int fd, std::string &into, std::size_t keep_last, std::ofstream *log,
           const std::function<void(std::string_view)> &watcher = {}) {
    std::array<char, 8192> buffer{};
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0) return errno == EINTR || errno == EAGAIN;
    if (got == 0) return false;
    into.append(buffer.data(), static_cast<std::size_t>(got));
    if (log && *log) log->write(buffer.data(), got).flush();
    if (watcher) watcher(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    if (keep_last > 0 && into.size() > keep_last) into.erase(0, into.size() - keep_last);
    return true;
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string> &overrides) {
    std::vector<std::string> variables;
    for (char **entry = environ; entry && *entry; ++entry) {
        const std::string variable = *entry;
        const std::string name = variable.substr(0, variable.find('='));
        if (!overrides.count(name)) variables.push_back(variable);
    }
    for (const auto &[name, value] : overrides) variables.push_back(name + "=" + value);
    return variables;
}

// While alive, a write to a pipe whose reader has gone fails with EPIPE in this thread instead of
// raising SIGPIPE, which would end the whole host. (A write's SIGPIPE goes to the writing thread.)
class SigpipeBlocked {
public:
    SigpipeBlocked() {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &pipe_only, &previous_);
    }
    SigpipeBlocked(const SigpipeBlocked &) = delete;
    SigpipeBlocked &operator=(const SigpipeBlocked &) = delete;
    ~SigpipeBlocked() {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        const timespec no_wait{0, 0};
        while (::sigtimedwait(&pipe_only, nullptr, &no_wait) > 0) {  // consume what our writes raised
        }
        ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }

private:
    sigset_t previous_{};
};

}  // namespace

std::string ProcessResult::last_lines(std::size_t count) const {
    const std::string &text = err.find_first_not_of(" \n\r\t") != std::string::npos ? err : out;
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);)
        if (line.find_first_not_of(" \r\t") != std::string::npos) lines.push_back(line);
    std::string joined;
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
        joined += (joined.empty() ? "" : "\n") + lines[i];
    return joined;
}

std::string ProcessResult::outcome() const {
    if (!started) return "could not start: " + start_error;
    if (cancelled) return "cancelled";
    if (timed_out) return "timed out";
    if (signal != 0) return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return "exit code " + std::to_string(exit_code);
}

// The file descriptor a runner writes its protocol messages to.
constexpr int channel_fd = 3;

// Hands over each complete line of `buffer` and keeps the unfinished rest.
void deliver_lines(std::string &buffer, const std::function<void(const std::string &)> &deliver) {
    std::size_t start = 0;
    for (std::size_t end; (end = buffer.find('\n', start)) != std::string::npos; start = end + 1)
        deliver(buffer.substr(start, end - start));
    buffer.erase(0, start);
}

ProcessResult run_process(const ProcessRequest &request) {
    if (request.argv.empty()) throw std::invalid_argument("run_process: empty argv");
    ProcessResult result;
    Pipe in, out, err, channel;
    if (!in.valid() || !out.valid() || !err.valid() || (request.on_channel_line && !channel.valid())) {
        result.start_error = std::string("cannot create pipes: ") + std::strerror(errno);
        return result;
    }
    std::ofstream log;
    if (!request.log.empty()) log.open(request.log, std::ios::app | std::ios::binary);
    SpawnSetup setup;
    ::posix_spawn_file_actions_adddup2(setup.actions(), in.read_end(), 0);
    ::posix_spawn_file_actions_adddup2(setup.actions(), out.write_end(), 1);
    ::posix_spawn_file_actions_adddup2(setup.actions(), err.write_end(), 2);
    if (request.on_channel_line) {
        // dup2 onto itself would keep close-on-exec; the pipe's end is never 3 only by luck.
        if (channel.write_end() == channel_fd) channel.move_write_end_above(channel_fd);
        ::posix_spawn_file_actions_adddup2(setup.actions(), channel.write_end(), channel_fd);
    }
    // Its own process group, so cancelling reaches whatever it started (pip's build helpers).
    ::posix_spawnattr_setflags(setup.attributes(), POSIX_SPAWN_SETPGROUP);
    ::posix_spawnattr_setpgroup(setup.attributes(), 0);
    std::vector<char *> args;
    for (const auto &arg : request.argv) args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> variables = merged_environment(request.environment);
    std::vector<char *> envp;
    for (auto &variable : variables) envp.push_back(variable.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int spawn_error = ::posix_spawnp(&pid, args[0], setup.actions(), setup.attributes(), args.data(), envp.data());
    if (spawn_error != 0) {
        result.start_error = request.argv[0] + ": " + std::strerror(spawn_error);
        return result;
    }
    result.started = true;
    in.close_read();
    out.close_write();
    err.close_write();
    channel.close_write();
    // stdin is fed as the child reads it, alongside the reads: a large job document must not
    // deadlock against a child that writes before it has read everything.
    std::size_t stdin_written = 0;
    const SigpipeBlocked sigpipe_blocked;
    if (request.stdin_data.empty())
        in.close_write();
    else
        ::fcntl(in.write_end(), F_SETFL, ::fcntl(in.write_end(), F_GETFL) | O_NONBLOCK);

    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + request.timeout;
    std::optional<clock::time_point> kill_at;
    bool out_open = true, err_open = true, channel_open = static_cast<bool>(request.on_channel_line);
    std::string channel_buffer;
    std::ofstream *log_stream = log.is_open() ? &log : nullptr;
    std::optional<int> ended_status;  // the child's wait status, once it has ended
    while (out_open || err_open || channel_open) {
        // A child that ended (killed from outside, say) can leave processes it started holding the
        // pipes open: they would keep this loop waiting and live on as orphans. They end with it.
        // WNOWAIT leaves it a zombie until the group is killed, so its id (the group's) cannot be
        // taken by another process in between.
        if (!ended_status) {
            siginfo_t ended{};
            if (::waitid(P_PID, static_cast<id_t>(pid), &ended, WEXITED | WNOHANG | WNOWAIT) == 0 && ended.si_pid == pid) {
                ::kill(-pid, SIGKILL);
                int status = 0;
                while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
                }
                ended_status = status;
            }
        }
        const auto now = clock::now();
        if (!kill_at && now >= deadline) {
            result.timed_out = true;
            ::kill(-pid, SIGTERM);
            kill_at = now + terminate_grace;
        }
        if (!kill_at && request.cancelled && request.cancelled()) {
            result.cancelled = true;
            ::kill(-pid, SIGTERM);
            kill_at = now + terminate_grace;
        }
        if (kill_at && now >= *kill_at) {
            ::kill(-pid, SIGKILL);
            break;
        }
        const bool feeding = in.write_end() >= 0;
        std::array<pollfd, 4> fds{{{out_open ? out.read_end() : -1, POLLIN, 0},
                                   {err_open ? err.read_end() : -1, POLLIN, 0},
                                   {channel_open ? channel.read_end() : -1, POLLIN, 0},
                                   {feeding ? in.write_end() : -1, POLLOUT, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), 100);
        if (ready < 0 && errno != EINTR) break;
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            out_open = drain(out.read_end(), result.out, request.kept_output_bytes, log_stream, request.on_output);
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            err_open = drain(err.read_end(), result.err, kept_stderr_bytes, log_stream);
        if (channel_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
            channel_open = drain(channel.read_end(), channel_buffer, 0, nullptr);
            deliver_lines(channel_buffer, request.on_channel_line);
        }
        if (feeding && (fds[3].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t wrote =
                ::write(in.write_end(), request.stdin_data.data() + stdin_written, request.stdin_data.size() - stdin_written);
            if (wrote > 0) stdin_written += static_cast<std::size_t>(wrote);
            // EPIPE: the child closed stdin without reading it all, which is its business.
            if ((wrote < 0 && errno != EAGAIN && errno != EINTR) || stdin_written == request.stdin_data.size()) in.close_write();
        }
    }
    in.close_write();
    if (!channel_buffer.empty() && request.on_channel_line) request.on_channel_line(channel_buffer);
    int status = ended_status.value_or(0);
    while (!ended_status && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

ProcessResult run_process(const std::vector<std::string> &argv, std::chrono::milliseconds timeout) {
    ProcessRequest request;
    request.argv = argv;
    request.timeout = timeout;
    return run_process(request);
}

}  // namespace dubhost
