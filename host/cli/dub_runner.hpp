// A dub with this process's plugins, machine profile and job workers, its progress shown as `mode`
// says and Ctrl-C (or SIGTERM) cancelling the running job cleanly. Used by `dubhost dub` and by
// `dubhost batch run-task` (each task in its own workspace).
#pragma once

#include "cli_context.hpp"
#include "progress_display.hpp"

#include "dubhost/host/dub.hpp"

namespace dubhost::cli {

DubResult run_dub_here(CliContext &context, const DubRequest &request, ProgressDisplay::Mode mode);

}  // namespace dubhost::cli
