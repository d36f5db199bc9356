// The services table the host lends to every plugin call (log, progress, cancel, paths, extensions).
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
    void set_progress_sink(ProgressSink sink) { progress_sink_ = std::move(sink); }
    // Receives every plugin log line too (e.g. into the job's log file); empty to stop.
    void set_log_sink(LogSink sink) { log_sink_ = std::move(sink); }
    bool cancel_requested() const noexcept { return cancelled_.load(); }
    void set_log_source(std::string source) { log_source_ = std::move(source); }
    const std::string &log_source() const noexcept { return log_source_; }
    const std::map<std::string, std::string> &paths() const noexcept { return paths_; }
    // Safe from a signal handler's thread: only sets a flag the plugin polls.
    void request_cancel() noexcept { cancelled_.store(true); }
    // For hosts that run many calls with one services table (the Python module): a fresh start.
    void clear_cancel() noexcept { cancelled_.store(false); }

private:
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
};

// Extension ids this host offers through get_extension (none yet in ABI 1.0).
bool host_offers_extension(const char *id);

}  // namespace dubhost
