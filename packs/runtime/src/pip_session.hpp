// One install's runs of Python and pip: every command and its output appended to the pack's install
// log, cancellation polled, and pip calls retried with a growing pause when the failure looks like
// the network. Private to the pack installer and model provisioning.
#pragma once

#include <dubhost/plugin.hpp>
#include <dubhost/support/process.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dubhost::packs {

struct PipSettings {
    std::string pack_id;              // names the pack in errors
    std::filesystem::path log;        // <packs>/<id>/install.log
    std::function<bool()> cancelled;  // polled while a command runs and between retries
    int attempts = 3;                 // per pip call
    std::chrono::milliseconds first_backoff = std::chrono::seconds(2);
};

class PipSession {
public:
    explicit PipSession(PipSettings settings) : settings_(std::move(settings)) {}

    // Appends one line to the install log.
    void note(const std::string &line) const;
    // Throws CallError(CANCELLED) when the install was cancelled.
    void throw_if_cancelled() const;
    // Runs argv (user site-packages off), its output appended to the log; a failure is noted, not thrown.
    ProcessResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                      std::map<std::string, std::string> environment = {}) const;

    // The venv pip installs into, the index or wheelhouse arguments, and the constraints file.
    void use_python(std::filesystem::path python) { python_ = std::move(python); }
    const std::filesystem::path &python() const { return python_; }
    void use_sources(std::vector<std::string> arguments) { sources_ = std::move(arguments); }
    void use_constraints(std::filesystem::path file) { constraints_ = std::move(file); }
    // `pip install ARGUMENTS` with retries for transient failures. Without the sources, the
    // arguments must name the index themselves.
    ProcessResult install(const std::vector<std::string> &arguments, bool with_sources = true) const;

private:
    PipSettings settings_;
    std::filesystem::path python_, constraints_;
    std::vector<std::string> sources_;
};

// Network trouble that a second try may not have (and a wheel cut off mid-download).
bool transient(const ProcessResult &result);
// Why pip refused, in a line or two: its ERROR lines and the first conflicting requirement, else
// how it ended and its last lines.
std::string resolver_reason(const ProcessResult &result);
// "Faster_Whisper" and "faster-whisper" name one distribution.
std::string lower_dashed(std::string name);
std::string joined(const std::vector<std::string> &items, const char *separator = " ");

}  // namespace dubhost::packs
