// How a running job's progress reaches the user: a redrawn line on a terminal, plain periodic lines
// in a log or pipe, JSON lines for scripts, or nothing with --quiet. Used by `dubhost run`.
#pragma once

#include <chrono>
#include <string>

namespace dubhost::cli {

class ProgressDisplay {
public:
    enum class Mode { automatic, quiet, json_lines };
    ProgressDisplay(std::string label, Mode mode);
    void update(double fraction, const std::string &message);
    void finish();
    void set_label(std::string label) { label_ = std::move(label); }

private:
    std::string label_;
    Mode mode_;
    bool terminal_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    int last_step_ = -1;
    bool drew_ = false;
};

}  // namespace dubhost::cli
