// A plugin library is started (its init) once per process and stopped (its shutdown) once when the
// process exits, as the ABI promises, however many registries load it (the Python module may make
// several). Private to the plugin loader.
#pragma once

#include "dubhost/host/host_services.hpp"

#include <dubhost/plugin.h>

#include <cstdint>
#include <string>

namespace dubhost {

struct InitAnswer {
    int32_t status = DUBHOST_STATUS_OK;
    std::string document;  // init's response JSON (an error document when it refused)
};

// Runs the descriptor's init the first time this descriptor is seen in the process and returns its
// answer; later calls return the first answer. When it succeeded, the descriptor's shutdown runs
// once at exit, after main returns (plugins started later are stopped first).
InitAnswer start_plugin_once(const dubhost_plugin_descriptor &descriptor, const HostServices &services);

}  // namespace dubhost
