// `dubhost run STAGE ITEM`, `dubhost jobs [ITEM]`, `dubhost job ID`.
#include "commands.hpp"

#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/paths.hpp"
#include "dubhost/host/pipeline.hpp"
#include "dubhost/host/qc_report.hpp"
#include "dubhost/host/record_json.hpp"
#include "dubhost/host/stage_table.hpp"
#include "dubhost/host/subtitle_formats.hpp"
#include "interrupt_guard.hpp"
#include "progress_display.hpp"

#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>

namespace dubhost::cli {
namespace {

void print_job(const JobRecord &job) {
    std::cout << "job " << job.id << ": " << job.stage << " of item " << job.item_id << " — " << job.status << "\n"
              << "  backend   " << job.backend << " " << job.backend_version << " (" << job.backend_plugin << ")\n"
              << "  params    " << job.params_json << "\n"
              << "  started   " << job.started_at << "\n  finished  " << job.finished_at << "\n";
    for (const auto &artifact : job.artifacts)
        std::cout << "  " << (artifact.role == "input" ? "in " : "out") << "       " << artifact.name << ": " << artifact.path
                  << "  sha256 " << artifact.sha256.substr(0, 16) << "\n";
    if (!job.log_path.empty()) std::cout << "  log       " << job.log_path << "\n";
    if (!job.error_json.empty()) {
        const auto error = nlohmann::json::parse(job.error_json, nullptr, false);
        if (error.is_object()) {
            std::cout << "  error     " << error.value("message", std::string()) << "\n";
            if (!error.value("hint", std::string()).empty())
                std::cout << "  next      " << error.value("hint", std::string()) << "\n";
        }
    }
}

struct RunOptions {
    std::string stage, item, backend, background, to, from;
    std::vector<std::string> params;
    std::int64_t track = 0;
    bool force = false;
};

void run_stage(CliContext &context, const RunOptions &options) {
    StageRequest request;
    request.stage = options.stage;
    request.item = options.item;
    if (!options.backend.empty()) request.backend = options.backend;
    for (const auto &assignment : options.params) request.params.update(parse_param(assignment));
    if (!options.background.empty()) request.params["background"] = options.background;
    if (!options.to.empty()) request.params["to"] = options.to;
    if (!options.from.empty()) request.params["from"] = options.from;
    if (options.track > 0) request.track = options.track;
    request.force = options.force;

    HostServices &services = context.services();
    ProgressDisplay progress(options.stage, context.options.json    ? ProgressDisplay::Mode::json_lines
                                            : context.options.quiet ? ProgressDisplay::Mode::quiet
                                                                    : ProgressDisplay::Mode::automatic);
    const CallScope scope(
        services, {{}, [&progress](double fraction, const std::string &message) { progress.update(fraction, message); }, {}});
    Pipeline pipeline(context.workspace(), context.registry(), services, load_machine_profile(profile_path()));
    if (!context.options.in_process) pipeline.run_jobs_in_workers(executable_path());
    pipeline.on_job_started([&progress](const JobRecord &job) { progress.set_label(job.stage + " " + job.backend); });
    const StageOutcome outcome = [&] {
        const InterruptGuard interrupts(services);
        return pipeline.run(request);
    }();
    progress.finish();
    if (context.options.json) {
        CliContext::print_json(
            {{"event", "finished"}, {"skipped", outcome.skipped}, {"summary", outcome.summary}, {"job", job_json(outcome.job)}});
        return;
    }
    std::cout << outcome.summary << "\n";
    for (const auto &artifact : outcome.job.artifacts)
        if (artifact.role == "output") std::cout << "  " << artifact.name << ": " << artifact.path << "\n";
}

}  // namespace

void print_qc(const nlohmann::json &report, const std::string &path) {
    const auto &issues = report["issues"];
    std::cout << "QC of item " << report["item_id"].get<std::string>() << ", track " << report["track_id"] << " ("
              << report["segments"] << " segments): " << issues.size() << " issue(s)\n";
    if (!report["mix"].is_null())
        std::cout << "  mix: " << report["mix"]["integrated_lufs"].get<double>() << " LUFS (target "
                  << report["mix"]["target_lufs"].get<double>() << "), true peak "
                  << report["mix"]["true_peak_dbtp"].get<double>() << " dBTP\n";
    for (const auto &issue : issues)
        std::cout << "  " << std::left << std::setw(8) << issue["severity"].get<std::string>() << std::setw(22)
                  << issue["kind"].get<std::string>() << format_timestamp(issue["start"].get<std::int64_t>(), '.') << "  "
                  << issue["detail"].get<std::string>() << "\n";
    std::cout << path << "\n";
}

void add_job_commands(CLI::App &app, CliContext &context, Action &action) {
    static std::string qc_item;
    auto *qc = app.add_subcommand(
        "qc", "Check an item's dub: overruns, overlaps, empty/untranslated text, reading speed, voices, loudness");
    qc->add_option("ITEM", qc_item, "Item id (or a unique prefix)")->required();
    qc->add_flag("--json", context.options.json, "Print the report (also written to derived/items/<id>/qc/report.json)");
    qc->callback([&context, &action] {
        action = [&context] {
            Workspace &workspace = context.workspace();
            const Item item = workspace.require_item(qc_item);
            const auto report = build_qc_report(workspace, item);
            if (context.options.json)
                CliContext::print_json(report);
            else
                print_qc(report, (workspace.derived_item_dir(item.id) / "qc" / "report.json").string());
        };
    });

    static RunOptions run_options;
    auto *run = app.add_subcommand("run", "Run one pipeline stage on an item (skipped when it is up to date)");
    run->add_option("STAGE", run_options.stage, "One of: " + stage_list())->required()->check(CLI::IsMember(stage_names()));
    run->footer(stage_reference(false));
    run->add_option("ITEM", run_options.item, "Item id (or a unique prefix)")->required();
    run->add_option("--backend", run_options.backend, "Use this backend (see `dubhost backends`)");
    run->add_option("--param", run_options.params, "Backend parameter name=value (repeatable)");
    run->add_option("--background", run_options.background,
                    "mix: stem (default), original (the original audio, ducked) or none (the speech alone)")
        ->check(CLI::IsMember({"stem", "original", "none"}));
    run->add_option("--to", run_options.to, "translate: the language to translate into (ISO 639, e.g. es)");
    run->add_option("--from", run_options.from, "translate: the track's language when it does not say");
    run->add_option("--track", run_options.track,
                    "Subtitle track to use (for the stages that read one); default: the newest script track");
    run->add_flag("--force", run_options.force, "Run even when the stage is up to date");
    run->add_flag("--json", context.options.json, "Progress as JSON lines, then {event: finished, skipped, summary, job}");
    run->callback([&context, &action] { action = [&context] { run_stage(context, run_options); }; });

    static std::string jobs_item;
    auto *jobs = app.add_subcommand("jobs", "List jobs (of one item, or all)");
    jobs->add_option("ITEM", jobs_item, "Item id (or a unique prefix)");
    jobs->add_flag("--json", context.options.json, "Print JSON: {\"jobs\": [...]}");
    jobs->callback([&context, &action] {
        action = [&context] {
            Workspace &workspace = context.workspace();
            const std::string item = jobs_item.empty() ? std::string() : workspace.require_item(jobs_item).id;
            const auto all = workspace.jobs(item);
            if (context.options.json) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto &job : all) list.push_back(job_json(job));
                CliContext::print_json({{"jobs", list}});
                return;
            }
            if (all.empty()) std::cout << "no jobs yet: `dubhost run extract ITEM` starts the pipeline\n";
            for (const auto &job : all)
                std::cout << job.id << "  " << job.item_id << "  " << job.stage << "  " << job.backend << "  " << job.status
                          << "  " << job.finished_at << "\n";
        };
    });

    static std::int64_t job_id = 0;
    auto *job =
        app.add_subcommand("job", "Show one job: status, timings, backend, params, inputs and outputs with hashes, log, error");
    job->add_option("ID", job_id, "Job id (see `dubhost jobs`)")->required();
    job->add_flag("--json", context.options.json, "Print the job as JSON");
    job->callback([&context, &action] {
        action = [&context] {
            const JobRecord record = context.workspace().require_job(job_id);
            if (context.options.json)
                CliContext::print_json(job_json(record));
            else
                print_job(record);
        };
    });
}

}  // namespace dubhost::cli
