// The base of a Python-backed backend: `status` and `install` answered by the pack runtime from the
// pack.json installed beside the plugin library; `run` usually hands the job to the pack's runner.py
// (PackRunnerBackend), or a subclass does its own work with require_installed().
//
//   class WhisperAsr : public dubhost::packs::PackBackend {
//       json run(const sdk::Host &host, const json &job) override { auto pack = require_installed(host); ... }
//   };
#pragma once

#include "dubhost/packs/pack_installer.hpp"

#include <dubhost/plugin.hpp>

#include <filesystem>
#include <optional>

namespace dubhost::packs {

class PackBackend : public sdk::Backend {
public:
    // status: {installed, version, missing, notes, pack: pack_status(...)}
    sdk::json status(const sdk::Host &host, const sdk::json &request) override;
    // install request: {python, wheelhouse, index_url, offline, force, ...}; answers with the receipt.
    // {"remove": true} deletes the pack's folder instead: {removed: bool, folder}.
    sdk::json install(const sdk::Host &host, const sdk::json &request) override;

protected:
    // The pack's manifest: <folder of this plugin library>/pack.json unless overridden.
    virtual std::filesystem::path manifest_path() const;
    const PackManifest &pack() const;
    // The installed pack, or a CallError(NOT_INSTALLED) whose hint is the install command.
    InstalledPack require_installed(const sdk::Host &host) const;
    std::filesystem::path packs_dir(const sdk::Host &host) const;
    // The version reported in status: the manifest's, with the installed candidate when there is one.
    virtual std::string backend_version() const { return "pack " + pack().version; }
    // Runs runner.py (beside this plugin library) in the installed pack for `job`: progress, logs
    // and cancellation go through `host`; the runner's output is appended to the job's log.
    sdk::json run_runner(const sdk::Host &host, const sdk::json &job) const;

private:
    mutable std::optional<PackManifest> pack_;
};

// A backend that is all runner: each job goes to runner.py as the host sent it.
class PackRunnerBackend : public PackBackend {
public:
    sdk::json run(const sdk::Host &host, const sdk::json &job) override { return run_runner(host, job); }
};

// The folder of the shared library (plugin) this code is linked into.
std::filesystem::path this_library_folder();

}  // namespace dubhost::packs
