// `dubhost doctor`: one document describing whether this machine can dub, and what to do if not.
// Used by the CLI (human and --json output) and later by the Python module.
#pragma once

#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace dubhost {

struct DoctorInputs {
    std::filesystem::path workspace;  // need not exist: doctor never creates it
    const PluginRegistry *registry = nullptr;
    const std::vector<BackendChoice> *choices = nullptr;
    HostServices *services = nullptr;  // packs are asked of their plugins
};

// Sections: version, workspace (paths, disk used), plugins, backends, packs, python, checks.
// Each check is {name, ok, message, hint}; `ok` false marks something the user should act on.
nlohmann::json build_doctor_report(const DoctorInputs &inputs);

}  // namespace dubhost
