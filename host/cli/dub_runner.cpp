// The dub run by this process (dub_runner.hpp).
#include "dub_runner.hpp"

#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/paths.hpp"
#include "interrupt_guard.hpp"

#include <memory>

namespace dubhost::cli {

DubResult run_dub_here(CliContext &context, const DubRequest &request, ProgressDisplay::Mode mode) {
    HostServices &services = context.services();
    const auto profile = load_machine_profile(profile_path());
    const auto choices = choose_backends(context.registry(), services, profile, request.backends);
    const auto prober = prober_from_registry(context.registry(), services);
    Pipeline pipeline(context.workspace(), context.registry(), services, profile);
    if (!context.options.in_process) pipeline.run_jobs_in_workers(executable_path());
    std::unique_ptr<ProgressDisplay> progress;
    const CallScope scope(services, {{},
                                     [&progress](double fraction, const std::string &message) {
                                         if (progress) progress->update(fraction, message);
                                     },
                                     {}});
    pipeline.on_job_started([&progress](const JobRecord &job) {
        if (progress) progress->set_label(job.stage + " " + job.backend);
    });
    const InterruptGuard interrupts(services);
    const DubResult result =
        run_dub(context.workspace(), pipeline, choices, request, prober ? &*prober : nullptr, [&](const std::string &stage) {
            if (progress) progress->finish();
            progress = std::make_unique<ProgressDisplay>(stage, mode);
        });
    if (progress) progress->finish();
    return result;
}

}  // namespace dubhost::cli
