// What a pack's runner says on its protocol channel (progress, log, result, error), read line by
// line without trusting it: a line that is not a protocol message breaks the conversation, and a
// field of the wrong type reads as absent. Fuzzed (fuzz/runner_protocol_fuzzer.cpp).
#pragma once

#include "dubhost/packs/pack_runner.hpp"

#include <dubhost/plugin.hpp>

#include <optional>
#include <string>

namespace dubhost::packs {

// An error the runner reported ({"type": "error", kind, code, message, hint}).
struct RunnerError {
    dubhost_status status = DUBHOST_STATUS_ERROR;  // from kind: bad-request, not-installed, else error
    std::string code, message, hint;
};

class RunnerConversation {
public:
    explicit RunnerConversation(const RunnerEvents &events) : events_(events) {}

    void receive(const std::string &line);

    bool broken() const { return broken_; }
    const std::string &problem() const { return problem_; }
    const std::optional<sdk::json> &result() const { return result_; }
    const std::optional<RunnerError> &error() const { return error_; }

private:
    void fail(const std::string &problem) {
        broken_ = true;
        problem_ = problem;
    }

    const RunnerEvents &events_;
    bool broken_ = false;
    std::string problem_;
    std::optional<sdk::json> result_;
    std::optional<RunnerError> error_;
};

}  // namespace dubhost::packs
