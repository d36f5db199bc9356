// The dubhost command line: parses options, runs one command, maps failures to exit codes
// (0 ok, 1 user error, 2 backend/job failure, 3 internal; docs/reference/cli.md).
#include "cli_context.hpp"
#include "commands.hpp"

#include "dubhost/host/isolated_scan.hpp"
#include "dubhost/host/job_worker.hpp"
#include "dubhost/host/version.hpp"

#include <CLI/CLI.hpp>
#include <dubhost/plugin.hpp>
#include <dubhost/support/error.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace {

void configure_logging(const dubhost::cli::GlobalOptions &options) {
    auto logger = spdlog::stderr_color_mt("dubhost");
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);
    spdlog::level::level_enum level = spdlog::level::warn;
    if (options.quiet) level = spdlog::level::err;
    if (options.verbosity == 1) level = spdlog::level::info;
    if (options.verbosity >= 2) level = spdlog::level::debug;
    if (const char *from_environment = std::getenv("DUBHOST_LOG"); from_environment && *from_environment)
        level = spdlog::level::from_str(from_environment);
    spdlog::set_level(level);
}

int report_failure(const dubhost::Failure &failure, bool json) {
    if (json) {
        dubhost::cli::CliContext::print_json(
            {{"error", dubhost::sdk::error_document(failure.code(), failure.what(), failure.hint())}});
    }
    std::cerr << "error: " << failure.what() << "\n";
    if (!failure.hint().empty()) std::cerr << "  next: " << failure.hint() << "\n";
    return dubhost::exit_code(failure.kind());
}

}  // namespace

int main(int argc, char **argv) {
    // The plugin scanner child (isolated_scan.hpp): loads one library and reports, nothing else.
    if (argc > 1 && std::string_view(argv[1]) == dubhost::scanner_mode_argument) return dubhost::run_scanner_mode(argc, argv);
    // A job worker (job_worker.hpp): runs one backend call and reports on fd 3.
    if (argc > 1 && std::string_view(argv[1]) == dubhost::worker_mode_argument) return dubhost::run_worker_mode(argc, argv);
    dubhost::cli::CliContext context;
    CLI::App app{"dubhost: dub and localise videos on your own machine"};
    app.fallthrough();
    app.require_subcommand(1);
    app.set_version_flag("--version",
                         "dubhost " + dubhost::dubhost_version() + " (plugin ABI " + dubhost::plugin_abi_version() + ")");
    app.add_option("--workspace", context.options.workspace,
                   "Workspace folder (default: $DUBHOST_WORKSPACE or ~/.local/share/dubhost/workspace)");
    app.add_option("--plugin-path", context.options.plugin_paths, "Extra plugin folder, searched first (repeatable)");
    app.add_flag("--safe-mode", context.options.safe_mode, "Load only the plugins installed with dubhost");
    app.add_flag("--in-process", context.options.in_process,
                 "Run each job's backend inside this process instead of a worker process (for a debugger)");
    app.add_flag("-v,--verbose-log", context.options.verbosity, "More log output (-vv for debug); also DUBHOST_LOG=debug");
    app.add_flag("-q,--quiet", context.options.quiet, "Only errors on standard error");

    dubhost::cli::Action action;
    dubhost::cli::add_plugin_commands(app, context, action);
    dubhost::cli::add_doctor_command(app, context, action);
    dubhost::cli::add_item_commands(app, context, action);
    dubhost::cli::add_track_commands(app, context, action);
    dubhost::cli::add_job_commands(app, context, action);
    dubhost::cli::add_pack_commands(app, context, action);
    dubhost::cli::add_stage_commands(app, context, action);
    dubhost::cli::add_speaker_commands(app, context, action);
    dubhost::cli::add_dub_command(app, context, action);
    dubhost::cli::add_batch_commands(app, context, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : dubhost::exit_code(dubhost::ErrorKind::user);
    }
    configure_logging(context.options);
    try {
        if (action) action();
        return context.exit_code;
    } catch (const dubhost::Failure &failure) {
        return report_failure(failure, context.options.json);
    } catch (const std::exception &error) {
        return report_failure(dubhost::Failure(dubhost::ErrorKind::internal, "internal", error.what(),
                                               "this is a bug in dubhost: rerun with -vv and report the output"),
                              context.options.json);
    }
}
