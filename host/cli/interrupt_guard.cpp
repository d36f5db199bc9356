#include "interrupt_guard.hpp"

#include <csignal>

namespace dubhost::cli {
namespace {

HostServices *services_to_cancel = nullptr;

void on_interrupt(int) {
    if (services_to_cancel) services_to_cancel->request_cancel();  // an atomic store: safe here
    std::signal(SIGINT, SIG_DFL);
}

}  // namespace

InterruptGuard::InterruptGuard(HostServices &services) {
    services_to_cancel = &services;
    std::signal(SIGINT, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
    std::signal(SIGINT, SIG_DFL);
    services_to_cancel = nullptr;
}

}  // namespace dubhost::cli
