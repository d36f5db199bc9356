// Bringing a pack's models into a new environment: downloaded from their published archive (sha256
// checked), fetched by the library's own downloader, or brought by the user as a folder or archive;
// each recorded with where it came from and its hashes. Private to the pack installer.
#pragma once

#include "dubhost/packs/pack_installer.hpp"
#include "pip_session.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace dubhost::packs {

class ModelProvisioner {
public:
    ModelProvisioner(const PackManifest &pack, const InstallOptions &options, const PipSession &session)
        : pack_(pack), options_(options), session_(session) {}

    // The model `name` names (empty: the pack's default model); a CallError listing the models otherwise.
    const ModelToProvision &model_named(const std::string &name) const;
    // Whether this install provisions the model: required ones, asked-for optional ones and extras'
    // ones, and every model the user brought.
    bool wanted(const ModelToProvision &model) const;
    // Refuses a brought model whose name is unknown or whose path does not exist (before any work).
    void check_brought() const;
    // For a dry run: each wanted model, where it would come from, and how to bring it without network.
    nlohmann::json plan() const;
    // Provisions every wanted model under `models_dir` with the session's interpreter; the receipt's
    // `models` list. Throws CallError naming the model and the way to bring it.
    nlohmann::json provision(const std::filesystem::path &models_dir,
                             const std::function<void(double, const std::string &)> &progress);

private:
    std::filesystem::path brought(const ModelToProvision &model, bool archive) const;

    const PackManifest &pack_;
    const InstallOptions &options_;
    const PipSession &session_;
};

}  // namespace dubhost::packs
