// Bringing a pack's models into a new environment (model_provisioning.hpp).
#include "model_provisioning.hpp"

#include "pack_helper_scripts.hpp"

#include <algorithm>
#include <fstream>

namespace dubhost::packs {
namespace fs = std::filesystem;
using nlohmann::json;
using sdk::CallError;

const ModelToProvision &ModelProvisioner::model_named(const std::string &name) const {
    for (const auto &model : pack_.models)
        if (name.empty() ? (!model.optional && model.extra.empty()) : model.name == name) return model;
    std::string names;
    for (const auto &model : pack_.models) names += (names.empty() ? "" : ", ") + model.name;
    throw CallError(DUBHOST_STATUS_BAD_REQUEST, "unknown-model",
                    name.empty() ? "pack " + pack_.id + " has no default model to bring"
                                 : "pack " + pack_.id + " has no model '" + name + "'",
                    names.empty() ? "this pack has no models" : "its models: " + names + " (write --model-dir NAME=DIR)");
}

// Where the user brought this model from (--model-dir / --model-archive), or an empty path.
fs::path ModelProvisioner::brought(const ModelToProvision &model, bool archive) const {
    for (const auto &[name, path] : archive ? options_.model_archives : options_.model_dirs)
        if (&model_named(name) == &model) return fs::absolute(path);
    return {};
}

bool ModelProvisioner::wanted(const ModelToProvision &model) const {
    auto asked = [](const std::vector<std::string> &names, const std::string &name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    if (!brought(model, false).empty() || !brought(model, true).empty()) return true;
    if (!model.extra.empty()) return asked(options_.extras, model.extra);
    return !model.optional || asked(options_.models, model.name);
}

void ModelProvisioner::check_brought() const {
    for (const auto *given : {&options_.model_dirs, &options_.model_archives})
        for (const auto &[name, path] : *given) {
            model_named(name);
            std::error_code error;
            if (!fs::exists(path, error))
                throw CallError(
                    DUBHOST_STATUS_BAD_REQUEST, "model-source-missing",
                    "the model " + (name.empty() ? std::string("file") : name) + " given as " + path.string() + " does not exist",
                    "pass the path of the model's folder (--model-dir) or archive (--model-archive)");
        }
}

json ModelProvisioner::plan() const {
    json models = json::array();
    for (const auto &model : pack_.models) {
        if (!wanted(model)) continue;
        json entry = {{"name", model.name}, {"destination", model.destination}};
        if (options_.model_dirs.count(model.name) || options_.model_archives.count(model.name)) {
            entry["from"] = options_.model_dirs.count(model.name) ? options_.model_dirs.at(model.name).string()
                                                                  : options_.model_archives.at(model.name).string();
        } else {
            entry["from"] = model.source.empty() ? "the library's own downloader (a model hub)" : model.source;
            entry["without_network"] = "dubhost pack install " + pack_.id + " --model-" +
                                       (model.unpack.empty() && model.source.empty() ? "dir " : "archive ") + model.name + "=" +
                                       (model.source.empty() ? "DIR" : "FILE") +
                                       (model.sha256.empty() ? "" : " (checked against sha256 " + model.sha256 + ")");
        }
        models.push_back(std::move(entry));
    }
    return models;
}

json ModelProvisioner::provision(const fs::path &models_dir, const std::function<void(double, const std::string &)> &progress) {
    json models = json::array();
    std::vector<const ModelToProvision *> chosen;
    for (const auto &model : pack_.models)
        if (wanted(model)) chosen.push_back(&model);
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const auto &model = *chosen[i];
        progress(0.72 + 0.15 * static_cast<double>(i) / static_cast<double>(chosen.size()), "provisioning model " + model.name);
        const fs::path destination = models_dir / model.destination;
        const fs::path folder = brought(model, false), archive = brought(model, true);
        std::string origin = model.source.empty() ? "its fetch step" : model.source;
        ProcessResult fetched;
        const fs::path staging = destination.string() + ".part";
        fs::create_directories(destination.parent_path());
        if (!folder.empty()) {
            // A folder the user made or copied: taken as it is, its files hashed into the receipt.
            origin = folder.string();
            std::error_code error;
            fs::remove_all(staging, error);
            fs::copy(folder, staging, fs::copy_options::recursive, error);
            if (error)
                throw CallError(DUBHOST_STATUS_BAD_REQUEST, "model-copy-failed",
                                "cannot copy model " + model.name + " from " + folder.string() + ": " + error.message(),
                                "pass --model-dir a readable folder holding the model");
            for (const auto &[name, content] : model.files) std::ofstream(staging / name) << content;
            fs::rename(staging, destination);
            fetched.started = true;
            fetched.exit_code = 0;
        } else if (!archive.empty() || !model.source.empty()) {
            // The published archive, downloaded or brought as a file: the same sha256 check either way.
            if (!archive.empty()) origin = archive.string();
            const std::string url = archive.empty() ? model.source : "file://" + archive.string();
            const std::string archive_name = archive.filename().string();
            const std::string unpack = !archive.empty() && model.unpack.empty()
                                           ? (archive_name.ends_with(".zip")                                        ? "zip"
                                              : archive_name.ends_with(".tar.gz") || archive_name.ends_with(".tgz") ? "tar.gz"
                                                                                                                    : "")
                                           : model.unpack;
            fetched = session_.run({session_.python().string(), "-c", fetch_model_script, url, destination.string(), model.sha256,
                                    unpack, json(model.files).dump()},
                                   std::chrono::hours(2));
        } else {
            // The library's own downloader (e.g. faster-whisper's): into a temporary folder, then renamed.
            // Not the pack's `environment`: that is for runs (HF_HUB_OFFLINE=1 would forbid this very download).
            fetched = session_.run({session_.python().string(), "-c", model.fetch, staging.string()}, std::chrono::hours(2));
            if (fetched.succeeded()) {
                for (const auto &[name, content] : model.files) std::ofstream(staging / name) << content;
                fs::rename(staging, destination);
            }
        }
        if (!fetched.succeeded()) {
            std::error_code ignored;
            fs::remove_all(staging, ignored);
            const bool mismatch = fetched.err.find("sha256 mismatch") != std::string::npos;
            throw CallError(DUBHOST_STATUS_ERROR, mismatch ? "model-hash-mismatch" : "model-failed",
                            "cannot provision model " + model.name + " from " + origin + ": " + fetched.last_lines(2),
                            mismatch ? "the file is not the published " + model.name +
                                           " model (or is damaged): download it again; nothing was changed"
                                     : "check the network and run the install again, or bring the model yourself: `dubhost pack "
                                       "install " +
                                           pack_.id + " --model-" + (model.source.empty() ? "dir " : "archive ") + model.name +
                                           "=" + (model.source.empty() ? "DIR" : "FILE") + "`; nothing was changed");
        }
        json entry = {{"name", model.name}, {"path", model.destination}, {"source", origin}};
        if (!model.sha256.empty() && folder.empty()) {
            entry["sha256"] = model.sha256;
        } else {
            const ProcessResult hashed = session_.run({session_.python().string(), "-c", hash_files_script, destination.string()},
                                                      std::chrono::minutes(10));
            entry["files_sha256"] = hashed.succeeded() ? json::parse(hashed.out, nullptr, false) : json(nullptr);
        }
        models.push_back(std::move(entry));
    }
    return models;
}

}  // namespace dubhost::packs
