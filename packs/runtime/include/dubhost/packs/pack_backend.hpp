// The base of a Python-backed backend: `status` and `install` answered by the pack runtime from the
// pack.json installed beside the plugin library; subclasses implement `run` with installed().
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
    // install request: {python, wheelhouse, index_url, offline, force}; answers with the receipt.
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

private:
    mutable std::optional<PackManifest> pack_;
};

// The folder of the shared library (plugin) this code is linked into.
std::filesystem::path this_library_folder();

}  // namespace dubhost::packs
