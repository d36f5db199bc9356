// Which backend serves each capability, and why: --backend > machine profile > best installed.
// Used by `dubhost backends`, `dubhost doctor` and (later) the pipeline.
#pragma once

#include "dubhost/host/host_services.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

// $XDG_CONFIG_HOME/dubhost/profile.json: {"backends": {"tts": "espeak-ng", ...}}
struct MachineProfile {
    std::filesystem::path path;
    std::map<std::string, std::string> preferred;  // capability -> backend id
};

// A missing file is an empty profile; a malformed one is a Failure(user) naming the file.
MachineProfile load_machine_profile(const std::filesystem::path &path);
// Writes the profile to its path atomically, keeping any other fields the file had.
void save_machine_profile(const MachineProfile &profile);

struct BackendCandidate {
    RegisteredBackend backend;
    bool installed = false;
    nlohmann::json status;  // the backend's status document, or its error document
};

struct BackendChoice {
    std::string capability;
    std::vector<BackendCandidate> candidates;  // ranked
    std::optional<std::size_t> selected;       // index into candidates
    std::string reason;                        // why this one (or why none)
};

void to_json(nlohmann::json &out, const BackendChoice &choice);

// Asks each backend for its status (cheap by contract) and applies the selection order.
// `overrides` are --backend choices (capability -> backend id).
std::vector<BackendChoice> choose_backends(const PluginRegistry &registry, const HostServices &services,
                                           const MachineProfile &profile,
                                           const std::map<std::string, std::string> &overrides = {});

// Whether a backend's status says it works in `language` (its "languages" list of primary codes,
// e.g. flite's ["en"]); a status without the list works in any language.
bool speaks(const BackendCandidate &candidate, const std::string &language);

// For work in `language` (the track a TTS stage speaks): when the selected backend does not speak
// the language, the best installed candidate that does is selected instead and the reason says
// why. Nothing changes when none does (the backend refuses). Not for a backend named with --backend.
void prefer_speaker_of(BackendChoice &choice, const std::string &language);

}  // namespace dubhost
