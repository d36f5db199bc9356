// Ctrl-C (or SIGTERM) during a job: the first one asks the running backend to stop cleanly (through
// the SDK's cancel service: no half files, the job is recorded as cancelled); a second one ends the
// process.
// Used by `dubhost run` and `dubhost dub` around their pipeline calls.
#pragma once

#include "dubhost/host/host_services.hpp"

namespace dubhost::cli {

class InterruptGuard {
public:
    explicit InterruptGuard(HostServices &services);
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;
    ~InterruptGuard();  // restores the default handler
};

}  // namespace dubhost::cli
