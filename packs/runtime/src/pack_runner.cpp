#include "dubhost/packs/pack_runner.hpp"

#include <dubhost/support/channel.hpp>
#include <dubhost/support/process.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace dubhost::packs {
namespace {

using sdk::CallError;
using sdk::json;

constexpr std::size_t kept_stdout_bytes = 16 * 1024;

dubhost_log_level level_named(const std::string &name) {
    if (name == "debug") return DUBHOST_LOG_DEBUG;
    if (name == "warning" || name == "warn") return DUBHOST_LOG_WARNING;
    if (name == "error") return DUBHOST_LOG_ERROR;
    return DUBHOST_LOG_INFO;
}

dubhost_status status_for_kind(const std::string &kind) {
    if (kind == "bad-request") return DUBHOST_STATUS_BAD_REQUEST;
    if (kind == "not-installed") return DUBHOST_STATUS_NOT_INSTALLED;
    return DUBHOST_STATUS_ERROR;
}

// What the runner said, gathered from its protocol lines.
class Conversation {
public:
    explicit Conversation(const RunnerEvents &events) : events_(events) {}

    void receive(const std::string &line) {
        if (broken_ || line.find_first_not_of(" \t\r") == std::string::npos) return;
        const ChannelRead read = read_channel_line(line, runner_protocol_version);
        if (!read.message) return fail(read.problem);
        const json &message = *read.message;
        const std::string type = message["type"];
        if (type == "progress") {
            if (events_.progress && message.contains("fraction") && message["fraction"].is_number())
                events_.progress(std::clamp(message["fraction"].get<double>(), 0.0, 1.0),
                                 message.value("message", std::string()));
        } else if (type == "log") {
            if (events_.log) events_.log(level_named(message.value("level", std::string("info"))), message.value("message", ""));
        } else if (type == "result") {
            if (!message.contains("result") || !message["result"].is_object())
                return fail("sent a result that is not a JSON object");
            result_ = message["result"];
        } else if (type == "error") {
            error_ = message;
        } else if (events_.log) {
            // A newer runner of the same protocol may say more than this plugin understands.
            events_.log(DUBHOST_LOG_DEBUG, "runner message of unknown type '" + type + "' ignored");
        }
    }

    bool broken() const { return broken_; }
    const std::string &problem() const { return problem_; }
    const std::optional<json> &result() const { return result_; }
    const std::optional<json> &error() const { return error_; }

private:
    void fail(const std::string &problem) {
        broken_ = true;
        problem_ = problem;
    }

    const RunnerEvents &events_;
    bool broken_ = false;
    std::string problem_;
    std::optional<json> result_, error_;
};

std::string python_path(const RunnerRequest &request) {
    std::string joined;
    for (const auto &folder : request.python_path) joined += (joined.empty() ? "" : ":") + folder.string();
    if (const char *existing = std::getenv("PYTHONPATH"); existing && *existing) joined += ":" + std::string(existing);
    return joined;
}

}  // namespace

json run_pack_runner(const RunnerRequest &request, const RunnerEvents &events) {
    const std::string runner = "the " + request.pack_id + " runner";
    const std::string log_note = request.log.empty() ? "" : "; its output is in " + request.log.string();
    const std::string reinstall = "`dubhost pack install " + request.pack_id + " --force`";
    Conversation conversation(events);

    ProcessRequest process;
    // -u: unbuffered, so a crash loses no line of its stderr.
    process.argv = {request.python.string(), "-u", request.script.string()};
    process.environment = request.environment;
    process.environment["DUBHOST_RUNNER_FD"] = "3";
    process.environment["DUBHOST_PACK_ID"] = request.pack_id;
    process.environment["DUBHOST_RUNNER_PROTOCOL"] = std::to_string(runner_protocol_version);
    process.environment["PYTHONPATH"] = python_path(request);
    process.environment["PYTHONNOUSERSITE"] = "1";  // the pack's venv, not the user's site-packages
    process.stdin_data = request.job.dump();
    process.log = request.log;
    process.timeout = request.timeout;
    process.kept_output_bytes = kept_stdout_bytes;
    process.on_channel_line = [&conversation](const std::string &line) { conversation.receive(line); };
    process.cancelled = [&] { return conversation.broken() || (events.cancelled && events.cancelled()); };
    const ProcessResult outcome = run_process(process);

    if (!outcome.started)
        throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "runner-not-started", runner + " could not start: " + outcome.start_error,
                        "reinstall the pack: " + reinstall);
    if (conversation.broken())
        throw CallError(DUBHOST_STATUS_ERROR, "runner-protocol", runner + " " + conversation.problem(),
                        "the pack and the plugin may be from different versions: " + reinstall + log_note);
    if (outcome.cancelled) throw CallError(DUBHOST_STATUS_CANCELLED, "cancelled", runner + " was cancelled");
    if (outcome.timed_out)
        throw CallError(DUBHOST_STATUS_ERROR, "runner-timed-out",
                        runner + " did not finish within " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(request.timeout).count()) +
                            " s and was stopped",
                        "look at the log for where it stopped" + log_note);
    if (const auto &error = conversation.error()) {
        const dubhost_status status = status_for_kind(error->value("kind", std::string("error")));
        // The user's own mistakes need no log; the runner's failures do.
        throw CallError(status, error->value("code", std::string("runner-error")),
                        error->value("message", std::string("the runner reported an error")),
                        error->value("hint", std::string()) + (status == DUBHOST_STATUS_ERROR ? log_note : ""));
    }
    if (const auto &result = conversation.result()) {
        // Outputs are complete once the result is sent; some libraries crash while the interpreter exits.
        if (!outcome.succeeded() && events.log)
            events.log(DUBHOST_LOG_WARNING, runner + " sent its result, then ended with " + outcome.outcome());
        return *result;
    }
    const std::string last = outcome.last_lines(5);
    if (!outcome.succeeded())
        throw CallError(DUBHOST_STATUS_ERROR, "runner-crashed",
                        runner + " ended with " + outcome.outcome() + (last.empty() ? "" : ":\n" + last),
                        "if it happens again, reinstall the pack: " + reinstall + log_note);
    throw CallError(DUBHOST_STATUS_ERROR, "runner-no-result", runner + " exited without sending a result",
                    "reinstall the pack: " + reinstall + log_note);
}

}  // namespace dubhost::packs
