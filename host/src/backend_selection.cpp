#include "dubhost/host/backend_selection.hpp"

#include "dubhost/host/backend_call.hpp"

#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/language_codes.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dubhost {
namespace {

BackendCandidate query_status(const RegisteredBackend &backend, const HostServices &services) {
    const CallOutcome outcome = call_backend(backend, BackendEntry::status, services, nlohmann::json::object());
    BackendCandidate candidate{backend, false, outcome.document};
    if (outcome.ok()) {
        const auto installed = outcome.document.find("installed");
        candidate.installed = installed != outcome.document.end() && installed->is_boolean() && installed->get<bool>();
    }
    return candidate;
}

std::optional<std::size_t> index_of(const std::vector<BackendCandidate> &candidates, const std::string &id) {
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (candidates[i].backend.info->id == id) return i;
    return std::nullopt;
}

std::string installed_list(const std::vector<BackendCandidate> &candidates) {
    std::string list;
    for (const auto &candidate : candidates)
        if (candidate.installed) list += (list.empty() ? "" : ", ") + candidate.backend.info->id;
    return list.empty() ? "none" : list;
}

void select(BackendChoice &choice, const MachineProfile &profile, const std::map<std::string, std::string> &overrides) {
    std::string note;
    if (const auto wanted = overrides.find(choice.capability); wanted != overrides.end()) {
        const auto index = index_of(choice.candidates, wanted->second);
        if (!index)
            throw user_error("no-such-backend", "no " + choice.capability + " backend '" + wanted->second + "'",
                             "see `dubhost backends`; installed " + choice.capability +
                                 " backends here: " + installed_list(choice.candidates));
        choice.selected = index;
        choice.reason = "chosen with --backend";
        return;
    }
    if (const auto wanted = profile.preferred.find(choice.capability); wanted != profile.preferred.end()) {
        const auto index = index_of(choice.candidates, wanted->second);
        if (index && choice.candidates[*index].installed) {
            choice.selected = index;
            choice.reason = "preferred by the machine profile " + profile.path.string();
            return;
        }
        note = "; the machine profile prefers '" + wanted->second + "', which is " + (index ? "not installed" : "not available");
    }
    for (std::size_t i = 0; i < choice.candidates.size(); ++i) {
        if (choice.candidates[i].installed) {
            choice.selected = i;
            choice.reason = "highest priority installed backend" + note;
            return;
        }
    }
    choice.reason =
        (choice.candidates.empty() ? "no plugin provides this capability"
                                   : "no backend is installed (" + std::to_string(choice.candidates.size()) + " available)") +
        note;
}

}  // namespace

MachineProfile load_machine_profile(const std::filesystem::path &path) {
    MachineProfile profile{path, {}};
    std::ifstream in(path);
    if (!in) return profile;
    std::stringstream text;
    text << in.rdbuf();
    const auto document = nlohmann::json::parse(text.str(), nullptr, false);
    const bool valid = document.is_object() && (!document.contains("backends") || document["backends"].is_object());
    if (!valid)
        throw user_error(
            "bad-profile",
            "the machine profile " + path.string() + " is not valid: expected {\"backends\": {\"tts\": \"espeak-ng\", ...}}",
            "fix or delete " + path.string());
    const nlohmann::json backends = document.value("backends", nlohmann::json::object());
    for (const auto &[capability, backend] : backends.items())
        if (backend.is_string()) profile.preferred[capability] = backend.get<std::string>();
    return profile;
}

void save_machine_profile(const MachineProfile &profile) {
    nlohmann::json document = nlohmann::json::object();
    if (std::ifstream in(profile.path); in) {
        const auto existing = nlohmann::json::parse(in, nullptr, false);
        if (existing.is_object()) document = existing;
    }
    document["backends"] = profile.preferred;
    std::filesystem::create_directories(profile.path.parent_path());
    write_file_atomically(profile.path, document.dump(2) + "\n");
}

void to_json(nlohmann::json &out, const BackendChoice &choice) {
    nlohmann::json candidates = nlohmann::json::array();
    for (const auto &candidate : choice.candidates) {
        candidates.push_back({{"id", candidate.backend.info->id},
                              {"plugin", candidate.backend.plugin->manifest.id},
                              {"version", candidate.backend.info->version},
                              {"priority", candidate.backend.info->priority},
                              {"installed", candidate.installed},
                              {"status", candidate.status}});
    }
    out = nlohmann::json{{"capability", choice.capability},
                         {"backends", candidates},
                         {"selected", choice.selected ? nlohmann::json(choice.candidates[*choice.selected].backend.info->id)
                                                      : nlohmann::json(nullptr)},
                         {"reason", choice.reason}};
}

std::vector<BackendChoice> choose_backends(const PluginRegistry &registry, const HostServices &services,
                                           const MachineProfile &profile, const std::map<std::string, std::string> &overrides) {
    std::vector<BackendChoice> choices;
    for (const auto &capability : registry.capabilities()) {
        BackendChoice choice{capability, {}, std::nullopt, {}};
        for (const auto &backend : registry.backends(capability)) choice.candidates.push_back(query_status(backend, services));
        select(choice, profile, overrides);
        choices.push_back(std::move(choice));
    }
    return choices;
}

bool speaks(const BackendCandidate &candidate, const std::string &language) {
    const auto languages = candidate.status.find("languages");
    if (language.empty() || languages == candidate.status.end() || !languages->is_array()) return true;
    const std::string wanted = primary_language(language);
    return std::any_of(languages->begin(), languages->end(), [&](const nlohmann::json &spoken) {
        return spoken.is_string() && primary_language(spoken.get<std::string>()) == wanted;
    });
}

void prefer_speaker_of(BackendChoice &choice, const std::string &language) {
    if (!choice.selected || speaks(choice.candidates[*choice.selected], language)) return;
    const std::string passed_over = choice.candidates[*choice.selected].backend.info->id;
    for (std::size_t i = 0; i < choice.candidates.size(); ++i)
        if (choice.candidates[i].installed && speaks(choice.candidates[i], language)) {
            choice.selected = i;
            choice.reason = "the best installed backend that speaks '" + language + "' (" + passed_over + " does not)";
            return;
        }
}

}  // namespace dubhost
