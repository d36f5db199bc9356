#include "progress_display.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace dubhost::cli {

ProgressDisplay::ProgressDisplay(std::string label, Mode mode)
    : label_(std::move(label)), mode_(mode), terminal_(::isatty(2) != 0) {}

void ProgressDisplay::update(double fraction, const std::string &message) {
    if (mode_ == Mode::quiet) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const bool known = fraction >= 0;
    const double clamped = known ? std::min(1.0, fraction) : 0;
    // ETA from the backend's own reports: time so far scaled by what is left.
    const double eta = known && clamped > 0.01 ? elapsed * (1 - clamped) / clamped : -1;
    if (mode_ == Mode::json_lines) {
        const int step = known ? static_cast<int>(clamped * 100) : -1;
        if (step == last_step_) return;
        last_step_ = step;
        std::cout << nlohmann::json{{"event", "progress"},
                                    {"stage", label_},
                                    {"fraction", known ? nlohmann::json(clamped) : nlohmann::json(nullptr)},
                                    {"message", message},
                                    {"elapsed_s", elapsed},
                                    {"eta_s", eta >= 0 ? nlohmann::json(eta) : nlohmann::json(nullptr)}}
                         .dump()
                  << std::endl;
        return;
    }
    char line[256];
    if (known)
        std::snprintf(line, sizeof line, "[%s] %3.0f%% %-24.24s %5.1fs elapsed%s", label_.c_str(), clamped * 100, message.c_str(),
                      elapsed, eta >= 0 ? (", ETA " + std::to_string(static_cast<int>(std::lround(eta))) + "s").c_str() : "");
    else
        std::snprintf(line, sizeof line, "[%s] %-24.24s %5.1fs elapsed", label_.c_str(), message.c_str(), elapsed);
    if (terminal_) {
        std::cerr << "\r" << line << "\033[K" << std::flush;
        drew_ = true;
        return;
    }
    const int step = known ? static_cast<int>(clamped * 10) : last_step_;  // every 10% in logs
    if (step == last_step_) return;
    last_step_ = step;
    std::cerr << line << "\n";
}

void ProgressDisplay::finish() {
    if (drew_) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace dubhost::cli
