// Running a pack's runner (pack_runner.hpp): the argv, environment and job it gets, and how each way
// it can end becomes a result or a CallError; what it says on its channel is runner_conversation.cpp.
#include "dubhost/packs/pack_runner.hpp"

#include "runner_conversation.hpp"

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
    RunnerConversation conversation(events);

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
        // The user's own mistakes need no log; the runner's failures do.
        throw CallError(error->status, error->code, error->message,
                        error->hint + (error->status == DUBHOST_STATUS_ERROR ? log_note : ""));
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
