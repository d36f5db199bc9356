// Where a pack lives in the workspace and what its receipt says: the layout, the state `status`
// reports, the switch that puts a finished install in place, removal, and the installed pack's
// interpreter and environment for running it.
#include "pack_receipt.hpp"

#include "pip_session.hpp"

#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>

#include <fstream>

namespace dubhost::packs {
namespace fs = std::filesystem;
using nlohmann::json;
using sdk::CallError;

PackLayout::PackLayout(const fs::path &packs_dir, const std::string &id)
    : root(packs_dir / id), log(root / "install.log"), receipt(root / "receipt.json"), current(root / "current") {}

std::optional<json> read_receipt(const fs::path &path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    auto document = json::parse(in, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return std::nullopt;
    return document;
}

// Whether the receipt's models (or extras) include every name asked for.
bool receipt_has(const json &receipt, const char *list, const std::vector<std::string> &names) {
    for (const auto &name : names) {
        bool found = false;
        for (const auto &entry : receipt.value(list, json::array()))
            found = found || (entry.is_object() && entry.value("name", std::string()) == name) || entry == name;
        if (!found) return false;
    }
    return true;
}

void switch_in(const PackLayout &layout, const fs::path &environment, const json &receipt) {
    const fs::path previous = [&] {
        std::error_code error;
        const fs::path target = fs::read_symlink(layout.current, error);
        return error ? fs::path() : layout.root / target.filename();
    }();
    try {
        write_file_atomically(environment / "receipt.json", receipt.dump(2));
    } catch (const Failure &failure) {  // a full disk: the same code and hint across the ABI
        throw CallError(DUBHOST_STATUS_ERROR, failure.code(), failure.what(), failure.hint());
    }
    // The swap: a new link renamed over the old one.
    const fs::path link = layout.root / "current.new";
    std::error_code ignored;
    fs::remove(link, ignored);
    fs::create_directory_symlink(environment.filename(), link);
    fs::rename(link, layout.current);
    try {
        write_file_atomically(layout.receipt, receipt.dump(2));
    } catch (const Failure &failure) {
        throw CallError(DUBHOST_STATUS_ERROR, failure.code(), failure.what(), failure.hint());
    }
    if (!previous.empty() && previous != environment) fs::remove_all(previous, ignored);
}

std::map<std::string, std::string> pack_environment(const PackManifest &pack, const fs::path &venv, const fs::path &models) {
    std::map<std::string, std::string> environment;
    for (const auto &model : pack.models)
        if (!model.environment.empty()) environment[model.environment] = (models / model.destination).string();
    auto expand = [&](std::string value) {
        for (const auto &[placeholder, folder] : {std::pair<std::string, fs::path>{"{models}", models}, {"{venv}", venv}})
            for (std::size_t at; (at = value.find(placeholder)) != std::string::npos;)
                value.replace(at, placeholder.size(), folder.string());
        return value;
    };
    for (const auto &[name, value] : pack.environment) environment[name] = expand(value);
    return environment;
}

json pack_status(const PackManifest &pack, const fs::path &packs_dir) {
    const PackLayout layout(packs_dir, pack.id);
    json status = {{"id", pack.id},
                   {"python_range", pack.python.text()},
                   {"size", {{"download_mb", pack.download_mb}, {"disk_mb", pack.disk_mb}}},
                   {"log", layout.log.string()},
                   {"receipt", nullptr},
                   {"problem", ""}};
    const auto receipt = read_receipt(layout.receipt);
    std::error_code error;
    if (!receipt) {
        status["state"] = "not-installed";
    } else if (!fs::exists(layout.python(), error)) {
        status["state"] = "broken";
        status["problem"] = "the venv is missing (" + layout.python().string() + ")";
    } else if (receipt->value("manifest_digest", "") != pack.digest) {
        status["state"] = "outdated";
        status["problem"] = "installed for an older pack manifest";
    } else {
        status["state"] = "installed";
    }
    if (receipt) {
        status["receipt"] = *receipt;
        // What the install resolved to, and what it occupied when it was made (measured, not the manifest's
        // estimate). Not walked again here: backend selection asks every pack's status on every command;
        // `pack list` and the doctor add what the pack's folder holds now.
        json resolved = json::object();
        const json packages = receipt->value("packages", json::object());
        const json candidate = receipt->value("candidate", json::object());
        for (const auto &requirement : candidate.value("requirements", json::array())) {
            const std::string text = requirement.get<std::string>();
            const std::string name = text.substr(0, text.find_first_of("<>=!~[ ;"));
            for (const auto &[installed, version] : packages.items())
                if (lower_dashed(installed) == lower_dashed(name)) resolved[installed] = version;
        }
        status["installed"] = {{"python", receipt->value("python", json::object())},
                               {"candidate", candidate.value("name", std::string())},
                               {"resolved", resolved},
                               {"download_mb", receipt->value("download_mb", json(nullptr))},
                               {"disk_bytes", receipt->value("disk_bytes", json(nullptr))}};
    }
    json system_missing = json::array();
    for (const auto &requirement : missing_system_requirements(pack))
        system_missing.push_back({{"kind", requirement.kind}, {"name", requirement.name}, {"install", requirement.install}});
    status["system_missing"] = system_missing;
    if (!system_missing.empty() && status["state"] == "installed") {
        status["state"] = "broken";
        status["problem"] =
            "needs " + system_missing[0]["name"].get<std::string>() + ": " + system_missing[0]["install"].get<std::string>();
    }
    // What the user still has to provide, each with the command that does it.
    json provide = json::array();
    if (status["state"] != "installed")
        provide.push_back({{"what", receipt ? "an install for this version of the pack"
                                            : "the pack itself (`--dry-run` first says what this machine would use)"},
                           {"command", "dubhost pack install " + pack.id + (receipt ? " --force" : "")}});
    for (const auto &model : pack.models) {
        if (model.optional || !model.extra.empty()) continue;
        const bool provisioned = receipt && receipt_has(*receipt, "models", {model.name});
        if (provisioned) continue;
        provide.push_back(
            {{"what", "model " + model.name + ", fetched at install from " +
                          (model.source.empty() ? std::string("its hub") : model.source) +
                          "; where that cannot be reached, bring it"},
             {"command", "dubhost pack install " + pack.id + (model.source.empty() ? " --model-dir " : " --model-archive ") +
                             model.name + (model.source.empty() ? "=DIR" : "=FILE")}});
    }
    status["provide"] = provide;
    return status;
}

bool remove_pack(const PackManifest &pack, const fs::path &packs_dir) {
    const PackLayout layout(packs_dir, pack.id);
    std::error_code error;
    const bool existed = fs::exists(layout.root, error);
    fs::remove_all(layout.root, error);
    if (error)
        throw CallError(DUBHOST_STATUS_ERROR, "remove-failed", "cannot remove " + layout.root.string() + ": " + error.message(),
                        "check the folder's permissions");
    return existed;
}

std::optional<InstalledPack> installed_pack(const PackManifest &pack, const fs::path &packs_dir) {
    const json status = pack_status(pack, packs_dir);
    if (status["state"] != "installed") return std::nullopt;
    const PackLayout layout(packs_dir, pack.id);
    return InstalledPack{layout.python(), pack_environment(pack, layout.current / "venv", layout.models())};
}

}  // namespace dubhost::packs
