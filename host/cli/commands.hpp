// Registration of the dubhost CLI's commands; each file adds its subcommands to the app and sets
// the action to run after parsing (so errors surface outside CLI11's parser).
#pragma once

#include "cli_context.hpp"

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace dubhost::cli {

using Action = std::function<void()>;

void add_plugin_commands(CLI::App &app, CliContext &context, Action &action);   // plugins, backends
void add_doctor_command(CLI::App &app, CliContext &context, Action &action);    // doctor
void add_item_commands(CLI::App &app, CliContext &context, Action &action);     // import, items
void add_track_commands(CLI::App &app, CliContext &context, Action &action);    // tracks, track import/export
void add_speaker_commands(CLI::App &app, CliContext &context, Action &action);  // speakers, speakers set
void add_dub_command(CLI::App &app, CliContext &context, Action &action);       // dub
void add_batch_commands(CLI::App &app, CliContext &context, Action &action);    // batch submit/status/resume/run-task
void add_job_commands(CLI::App &app, CliContext &context, Action &action);      // run, jobs, job
void add_pack_commands(CLI::App &app, CliContext &context, Action &action);     // pack list/status/install/remove/logs
void add_stage_commands(CLI::App &app, CliContext &context, Action &action);    // stages

// The stage table as text (for `run --help`) or Markdown (docs/reference/stages.md).
std::string stage_reference(bool markdown);

}  // namespace dubhost::cli
