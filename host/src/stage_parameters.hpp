// Checking `--param name=value` against what the chosen backend declares, before any work: a typo
// in a name or a word where a number belongs is an error the user sees, not a silently ignored value.
#pragma once

#include "dubhost/host/plugin_manifest.hpp"
#include "dubhost/host/stage_table.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace dubhost {

// Throws a user error naming the parameter, the backend and what it accepts. `track` (set by the
// host) and the stage's own parameters (stage_table.hpp, checked there) are always allowed.
void check_stage_parameters(const StageSpec &stage, const BackendInfo &backend, const nlohmann::json &params);

}  // namespace dubhost
