// The job worker (job_worker.hpp): the parent starts `dubhost __run-job` and reads its channel;
// the child loads the plugin, makes the call and reports back on that channel.
#include "dubhost/host/job_worker.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/channel.hpp>
#include <dubhost/support/json_fields.hpp>
#include <dubhost/support/process.hpp>
#include <spdlog/spdlog.h>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <optional>

namespace dubhost {
namespace {

using sdk::error_document;

HostServices *worker_services = nullptr;

extern "C" void cancel_on_signal(int) {
    if (worker_services) worker_services->request_cancel();  // an atomic store: safe here
}

}  // namespace

CallOutcome run_in_worker(const RegisteredBackend &backend, HostServices &services, const nlohmann::json &request,
                          const std::filesystem::path &worker) {
    const PluginCandidate &candidate = backend.plugin->report.candidate;
    const std::string who =
        "the " + backend.info->capability + " backend " + backend.info->id + " (plugin " + backend.plugin->manifest.id + ")";
    ProcessRequest process;
    process.argv = {worker.string(), worker_mode_argument};
    process.stdin_data = nlohmann::json{
        {"library", candidate.library.string()},
        {"manifest", candidate.manifest_path.string()},
        {"origin", candidate.origin},
        {"capability", backend.info->capability},
        {"backend", backend.info->id},
        {"paths", services.paths()},
        {"log_source", services.log_source()},
        {"request", request}}.dump();
    process.timeout = std::chrono::hours(24 * 7);  // jobs end by finishing or by cancellation
    process.cancelled = [&services] { return services.cancel_requested(); };
    process.kept_output_bytes = 64 * 1024;
    if (request.contains("log") && request["log"].is_string()) process.log = request["log"].get<std::string>();
    std::optional<CallOutcome> answer;
    std::string channel_problem;
    const dubhost_host_services *table = services.table();
    process.on_channel_line = [&](const std::string &line) {
        const ChannelRead read = read_channel_line(line, worker_channel_protocol);
        if (!read.message) {
            if (channel_problem.empty()) channel_problem = read.problem;
            return;
        }
        const nlohmann::json &message = *read.message;
        const std::string type = text_field(message, "type");
        if (type == "progress")
            table->progress(table, number_field(message, "fraction", 0.0), text_field(message, "message").c_str());
        else if (type == "log")
            table->log(table, static_cast<int32_t>(std::clamp<std::int64_t>(integer_field(message, "level", 1), 0, 3)),
                       text_field(message, "message").c_str());
        else if (type == "result")
            answer =
                read_backend_answer(static_cast<int32_t>(std::clamp<std::int64_t>(
                                        integer_field(message, "status", DUBHOST_STATUS_ERROR), INT32_MIN, INT32_MAX)),
                                    message.contains("document") ? message["document"].dump() : std::string(), "the job worker");
    };
    const ProcessResult result = run_process(process);
    if (answer) return *answer;
    if (!channel_problem.empty())
        return {DUBHOST_STATUS_ERROR, error_document("worker-protocol", "the job worker " + channel_problem,
                                                     "the worker is another build of dubhost (" + worker.string() +
                                                         "): reinstall dubhost so both are the same")};
    if (!result.started)
        return {DUBHOST_STATUS_ERROR,
                error_document("worker-not-started", "cannot start a job worker (" + result.start_error + ")",
                               "run with --in-process, or reinstall dubhost")};
    if (result.cancelled)
        return {DUBHOST_STATUS_CANCELLED, error_document("cancelled", who + " was stopped when the job was cancelled", "")};
    const std::string last = result.last_lines(5);
    return {
        DUBHOST_STATUS_ERROR,
        error_document("backend-crashed",
                       who + " crashed while running: " + result.outcome() + (last.empty() ? "" : "; its last lines:\n" + last),
                       "a bug in plugin " + backend.plugin->manifest.id +
                           ": report it with the job log; `dubhost --in-process run ...` runs it inside dubhost for a debugger")};
}

int run_worker_mode(int, char **) {
    spdlog::set_level(spdlog::level::off);  // plugin log lines travel on the channel, once
    // A worker whose dubhost was killed (kill -9) must not go on writing into the workspace while
    // the next dubhost re-runs the job: it dies with its parent.
    const pid_t parent = ::getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return 70;
    ChannelWriter channel(worker_channel_protocol);
    if (!channel.open()) {
        std::cerr << "dubhost " << worker_mode_argument << " is started by dubhost itself, with a pipe on fd 3\n";
        return 64;
    }
    const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    const auto envelope = nlohmann::json::parse(input, nullptr, false);
    if (!envelope.is_object() || !envelope.contains("request")) {
        channel.send("result", {{"status", DUBHOST_STATUS_ERROR},
                                {"document", error_document("bad-worker-input", "the job worker got no job", "")}});
        return 0;
    }
    HostServices services(envelope.value("paths", std::map<std::string, std::string>()),
                          envelope.value("log_source", std::string("plugin")));
    const CallScope scope(services, {[&channel](int32_t level, const std::string &message) {
                                         channel.send("log", {{"level", level}, {"message", message}});
                                     },
                                     [&channel](double fraction, const std::string &message) {
                                         channel.send("progress", {{"fraction", fraction}, {"message", message}});
                                     },
                                     {}});
    worker_services = &services;
    ::signal(SIGTERM, cancel_on_signal);
    ::signal(SIGINT, cancel_on_signal);

    const PluginCandidate candidate{envelope.value("library", std::string()),
                                    envelope.value("manifest", std::string()),
                                    envelope.value("origin", std::string()),
                                    {}};
    const LoadResult loaded = load_plugin(candidate, {}, services);
    CallOutcome outcome{DUBHOST_STATUS_ERROR, error_document("plugin-load-failed",
                                                             "the job worker could not load " + candidate.library.string() +
                                                                 ": " + loaded.report.reason,
                                                             "see `dubhost plugin check " + candidate.library.string() + "`")};
    if (loaded.plugin) {
        const std::string capability = envelope.value("capability", std::string()), id = envelope.value("backend", std::string());
        outcome.document =
            error_document("no-such-backend", "plugin " + loaded.plugin->manifest.id + " has no " + capability + " backend " + id,
                           "the plugin changed since dubhost listed it: run the job again");
        for (std::size_t i = 0; i < loaded.plugin->backends.size(); ++i)
            if (loaded.plugin->manifest.backends[i].capability == capability && loaded.plugin->manifest.backends[i].id == id)
                outcome = call_backend(*loaded.plugin->backends[i], BackendEntry::run, services, envelope["request"]);
    }
    channel.send("result", {{"status", outcome.status}, {"document", outcome.document}});
    worker_services = nullptr;
    return 0;
}

}  // namespace dubhost
