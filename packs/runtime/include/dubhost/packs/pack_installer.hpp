// Installing, checking and removing a Python pack: one venv per pack under <packs>/<id>/, built in a
// fresh env-<stamp>/ folder and switched in (an atomic symlink swap) only after its health check
// passes, so a failed or interrupted install never breaks a working pack.
//
//   <packs>/<id>/install.log      every install's full output, appended
//   <packs>/<id>/receipt.json     what the current install is (python, packages, models, size)
//   <packs>/<id>/current -> env-<stamp>/{venv/, models/, receipt.json}
#pragma once

#include "dubhost/packs/pack_manifest.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dubhost::packs {

struct InstallOptions {
    std::filesystem::path packs_dir;                  // <workspace>/packs
    std::optional<std::filesystem::path> python;      // --python
    std::optional<std::filesystem::path> wheelhouse;  // --wheelhouse: a folder of wheels (pip --find-links)
    std::optional<std::string> index_url;             // --index-url
    bool offline = false;                             // --offline: never touch the network (pip --no-index)
    bool force = false;                               // reinstall even when the receipt matches
    std::vector<std::string> models;                  // --model: optional models to provision too
    std::vector<std::string> extras;                  // --extra: the pack's extras to install too
    std::optional<std::string> preinstall_index;      // --preinstall-index: replaces a candidate's preinstall index
    // --model-dir [NAME=]DIR / --model-archive [NAME=]FILE: a model the user brings instead of a download
    // (NAME empty: the pack's default model). An archive is checked against the pack's sha256 when it has one.
    std::map<std::string, std::filesystem::path> model_dirs, model_archives;
    bool dry_run = false;  // say what an install would use, download and occupy; change nothing
    std::function<void(double, const std::string &)> progress;
    std::function<bool()> cancelled;
    int attempts = 3;  // per pip call, for transient (network) failures
    std::chrono::milliseconds first_backoff = std::chrono::seconds(2);
};

struct PackLayout {
    PackLayout(const std::filesystem::path &packs_dir, const std::string &id);
    std::filesystem::path root, log, receipt, current;
    std::filesystem::path python() const { return current / "venv" / "bin" / "python"; }
    std::filesystem::path models() const { return current / "models"; }
};

// Installs (or, when the receipt matches the manifest and the venv is there, returns the receipt at
// once without running pip; "already_installed" is then true). Throws sdk::CallError with a hint.
// With options.dry_run: {dry_run: true, candidates: [{name, usable, reason, python, download_mb, disk_mb}],
// candidate, download_mb, disk_mb, models: [...], already_installed}, from local checks only.
nlohmann::json install_pack(const PackManifest &pack, const InstallOptions &options);

// {id, state: installed|not-installed|outdated|broken, problem, receipt, log, python_range, size}.
nlohmann::json pack_status(const PackManifest &pack, const std::filesystem::path &packs_dir);

// Deletes the pack's folder; returns whether there was one.
bool remove_pack(const PackManifest &pack, const std::filesystem::path &packs_dir);

// For running the pack: its interpreter and the model variables, or nullopt when not installed.
struct InstalledPack {
    std::filesystem::path python;
    std::map<std::string, std::string> environment;
};
std::optional<InstalledPack> installed_pack(const PackManifest &pack, const std::filesystem::path &packs_dir);

// The variables a pack's Python code gets: each model's `env`, and the manifest's `environment`
// with {models} and {venv} expanded to these folders.
std::map<std::string, std::string> pack_environment(const PackManifest &pack, const std::filesystem::path &venv,
                                                    const std::filesystem::path &models);

}  // namespace dubhost::packs
