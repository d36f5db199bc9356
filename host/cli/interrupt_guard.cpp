// Ctrl-C and SIGTERM as a request to cancel the running job (interrupt_guard.hpp).
#include "interrupt_guard.hpp"

#include <csignal>

namespace dubhost::cli {
namespace {

HostServices *services_to_cancel = nullptr;

void on_interrupt(int signal) {
    if (services_to_cancel) services_to_cancel->request_cancel();  // an atomic store: safe here
    std::signal(signal, SIG_DFL);
}

}  // namespace

InterruptGuard::InterruptGuard(HostServices &services) {
    services_to_cancel = &services;
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);  // what scancel, systemd and `timeout` send
}

InterruptGuard::~InterruptGuard() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    services_to_cancel = nullptr;
}

}  // namespace dubhost::cli
