// The services table the host lends to every plugin call (log, progress, cancel, paths, extensions),
// and CallScope, the only way to point its sinks at one call's log file or progress display.
// Used by the plugin loader (init) and by whoever calls a backend (status, install, run).
#pragma once

#include <dubhost/plugin.h>

#include <atomic>
#include <functional>
#include <map>
#include <string>

namespace dubhost {

class HostServices {
public:
    using ProgressSink = std::function<void(double fraction, const std::string &message)>;
    using LogSink = std::function<void(int32_t level, const std::string &message)>;

    // `paths` maps the names plugins may ask for ("workspace", "derived", ...) to folders;
    // `log_source` prefixes the plugin's log lines ("dubhost.ffmpeg").
    HostServices(std::map<std::string, std::string> paths, std::string log_source);
    HostServices(const HostServices &) = delete;
    HostServices &operator=(const HostServices &) = delete;

    const dubhost_host_services *table() const noexcept { return &table_; }
    bool cancel_requested() const noexcept { return cancelled_.load(); }
    const std::string &log_source() const noexcept { return log_source_; }
    const std::map<std::string, std::string> &paths() const noexcept { return paths_; }
    // Safe from a signal handler's thread: only sets a flag the plugin polls.
    void request_cancel() noexcept { cancelled_.store(true); }
    // Whether a call scope lent sinks that are still in place (for checks and tests).
    bool has_log_sink() const noexcept { return static_cast<bool>(log_sink_); }
    bool has_progress_sink() const noexcept { return static_cast<bool>(progress_sink_); }

private:
    friend class CallScope;

    static HostServices &self(const dubhost_host_services *table);
    static void log(const dubhost_host_services *table, int32_t level, const char *message);
    static void progress(const dubhost_host_services *table, double fraction, const char *message);
    static int32_t is_cancelled(const dubhost_host_services *table);
    static const char *get_path(const dubhost_host_services *table, const char *name);
    static const void *get_extension(const dubhost_host_services *table, const char *id);

    dubhost_host_services table_{};
    std::map<std::string, std::string> paths_;
    std::string log_source_;
    ProgressSink progress_sink_;
    LogSink log_sink_;
    std::atomic<bool> cancelled_{false};
    int open_scopes_ = 0;
};

// What one call lends the services; an empty member keeps what an enclosing scope lent.
struct CallSinks {
    HostServices::LogSink log;  // receives every plugin log line too (e.g. into the job's log file)
    HostServices::ProgressSink progress;
    std::string log_source;  // labels the plugin's log lines ("dubhost.ffmpeg:ffmpeg")
};

// The services carry `sinks` exactly as long as this object lives. Leaving the scope, normally or by
// an exception, puts back what was there before; leaving the outermost scope also clears a cancel
// requested meanwhile, so neither a job's log file nor its cancellation reaches the next call.
class CallScope {
public:
    CallScope(HostServices &services, CallSinks sinks);
    CallScope(const CallScope &) = delete;
    CallScope &operator=(const CallScope &) = delete;
    ~CallScope();

private:
    HostServices &services_;
    HostServices::LogSink saved_log_;
    HostServices::ProgressSink saved_progress_;
    std::string saved_source_;
};

// Extension ids this host offers through get_extension (none yet in ABI 1.0).
bool host_offers_extension(const char *id);

}  // namespace dubhost
