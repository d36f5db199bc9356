#include "dubhost/packs/pack_manifest.hpp"

#include <dubhost/plugin.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

namespace dubhost::packs {
namespace {

[[noreturn]] void bad(const std::string &origin, const std::string &problem) {
    throw sdk::CallError(DUBHOST_STATUS_ERROR, "bad-pack-manifest", origin + ": " + problem,
                         "this is a bug in the pack: report it to the plugin's author");
}

std::vector<std::string> strings(const nlohmann::json &value, const std::string &origin, const std::string &field) {
    std::vector<std::string> out;
    if (value.is_null()) return out;
    if (!value.is_array()) bad(origin, field + " must be a list of strings");
    for (const auto &item : value) {
        if (!item.is_string()) bad(origin, field + " must be a list of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

int minor_of(const std::string &version, const std::string &origin) {
    static const std::regex pattern(R"(^3\.(\d{1,3})$)");  // three digits at most: stoi cannot overflow (fuzz_pack_manifest)
    std::smatch match;
    if (!std::regex_match(version, match, pattern)) bad(origin, "python versions are written 3.N, not '" + version + "'");
    return std::stoi(match[1]);
}

// FNV-1a, 64 bit: enough to notice that a manifest changed (not a security measure).
std::string digest_of(const std::string &text) {
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    std::ostringstream out;
    out << std::hex << hash;
    return out.str();
}

}  // namespace

PackManifest parse_pack_manifest(const nlohmann::json &document, const std::string &origin) {
    if (!document.is_object()) bad(origin, "not a JSON object");
    PackManifest pack;
    try {
        pack.id = document.at("id").get<std::string>();
        pack.version = document.value("version", std::string("1"));
        const auto &python = document.at("python");
        pack.python.min_minor = minor_of(python.at("min").get<std::string>(), origin);
        pack.python.max_minor = minor_of(python.at("max").get<std::string>(), origin);
        for (const auto &entry : document.at("candidates")) {
            InstallCandidate candidate;
            candidate.name = entry.value("name", "candidate " + std::to_string(pack.candidates.size() + 1));
            candidate.requirements = strings(entry.at("requirements"), origin, "requirements");
            candidate.pip_arguments = strings(entry.value("pip_args", nlohmann::json()), origin, "pip_args");
            for (const auto &bootstrap : entry.value("bootstrap", nlohmann::json::array()))
                candidate.bootstraps.push_back(strings(bootstrap, origin, "bootstrap"));
            for (const auto &module : entry.value("system_modules", nlohmann::json::array()))
                candidate.system_modules.push_back({module.at("module").get<std::string>(),
                                                    module.value("install", std::string()), module.value("note", std::string())});
            if (entry.contains("preinstall")) {
                const auto &preinstall = entry["preinstall"];
                candidate.preinstall = Preinstall{strings(preinstall.at("requirements"), origin, "preinstall.requirements"),
                                                  preinstall.at("index_url").get<std::string>()};
                if (candidate.preinstall->requirements.empty()) bad(origin, candidate.name + ": preinstall has no requirements");
            }
            const auto size = entry.value("size", nlohmann::json::object());
            candidate.download_mb = size.value("download_mb", 0.0);
            candidate.disk_mb = size.value("disk_mb", 0.0);
            if (candidate.requirements.empty()) bad(origin, candidate.name + " has no requirements");
            pack.candidates.push_back(std::move(candidate));
        }
        pack.constraints = strings(document.value("constraints", nlohmann::json()), origin, "constraints");
        for (const auto &entry : document.value("models", nlohmann::json::array())) {
            ModelToProvision model;
            model.name = entry.at("name").get<std::string>();
            model.source = entry.value("source", std::string());
            model.fetch = entry.value("fetch", std::string());
            model.sha256 = entry.value("sha256", std::string());
            model.destination = entry.at("destination").get<std::string>();
            model.environment = entry.value("env", std::string());
            model.unpack = entry.value("unpack", std::string());
            model.files = entry.value("files", std::map<std::string, std::string>());
            model.optional = entry.value("optional", false);
            model.extra = entry.value("extra", std::string());
            if (model.source.empty() == model.fetch.empty()) bad(origin, "model " + model.name + " needs either source or fetch");
            if (!model.source.empty() && !std::regex_match(model.sha256, std::regex("^[0-9a-fA-F]{64}$")))
                bad(origin, "model " + model.name + " fetched from a URL needs its sha256");
            if (!model.unpack.empty() && model.unpack != "tar.gz" && model.unpack != "zip")
                bad(origin, "model " + model.name + ": unpack is tar.gz or zip");
            for (const auto &[name, content] : model.files)
                if (name.empty() || name.find('/') != std::string::npos)
                    bad(origin, "model " + model.name + ": bad file " + name);
            pack.models.push_back(std::move(model));
        }
        for (const auto &entry : document.value("extras", nlohmann::json::array())) {
            PackExtra extra{entry.at("name").get<std::string>(), strings(entry.at("requirements"), origin, "requirements"),
                            strings(entry.value("pip_args", nlohmann::json()), origin, "pip_args"),
                            entry.value("note", std::string())};
            if (extra.requirements.empty()) bad(origin, "extra " + extra.name + " has no requirements");
            pack.extras.push_back(std::move(extra));
        }
        pack.environment = document.value("environment", std::map<std::string, std::string>());
        for (const auto &entry : document.value("system", nlohmann::json::array())) {
            SystemRequirement requirement{entry.at("kind").get<std::string>(), entry.at("name").get<std::string>(),
                                          entry.value("install", std::string())};
            if (requirement.kind != "library" && requirement.kind != "program")
                bad(origin, "system requirement kinds are library and program, not " + requirement.kind);
            pack.system.push_back(std::move(requirement));
        }
        pack.health_check = document.at("health_check").get<std::string>();
        const auto size = document.value("size", nlohmann::json::object());
        // The first candidate's measured figures, unless the pack states its own.
        pack.download_mb = size.value("download_mb", pack.candidates.empty() ? 0.0 : pack.candidates.front().download_mb);
        pack.disk_mb = size.value("disk_mb", pack.candidates.empty() ? 0.0 : pack.candidates.front().disk_mb);
    } catch (const nlohmann::json::exception &error) {
        bad(origin, std::string("missing or mistyped field: ") + error.what());
    }
    if (!std::regex_match(pack.id, std::regex("^[a-z0-9][a-z0-9._-]*$")))
        bad(origin, "id must be lower-case letters, digits, . _ -");
    if (pack.candidates.empty()) bad(origin, "no install candidates");
    if (pack.python.min_minor > pack.python.max_minor) bad(origin, "python.min is above python.max");
    for (const auto &model : pack.models)
        if (!model.extra.empty() && std::none_of(pack.extras.begin(), pack.extras.end(),
                                                 [&](const PackExtra &extra) { return extra.name == model.extra; }))
            bad(origin, "model " + model.name + " belongs to an extra the pack does not have: " + model.extra);
    for (const auto &model : pack.models)
        if (model.destination.empty() || model.destination.find("..") != std::string::npos || model.destination.front() == '/')
            bad(origin, "model " + model.name + " needs a relative destination inside the pack");
    pack.digest = digest_of(document.dump());
    return pack;
}

namespace {

bool program_on_path(const std::string &name) {
    const char *path = std::getenv("PATH");
    std::stringstream folders(path ? path : "/usr/bin:/bin");
    for (std::string folder; std::getline(folders, folder, ':');)
        if (!folder.empty() && ::access((std::filesystem::path(folder) / name).c_str(), X_OK) == 0) return true;
    return false;
}

bool library_loads(const std::string &soname) {
    void *handle = ::dlopen(soname.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (!handle) return false;
    ::dlclose(handle);
    return true;
}

}  // namespace

std::vector<SystemRequirement> missing_system_requirements(const PackManifest &pack) {
    std::vector<SystemRequirement> missing;
    for (const auto &requirement : pack.system)
        if (!(requirement.kind == "program" ? program_on_path(requirement.name) : library_loads(requirement.name)))
            missing.push_back(requirement);
    return missing;
}

PackManifest read_pack_manifest(const std::filesystem::path &path) {
    std::ifstream in(path);
    if (!in)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "missing-pack-manifest", "cannot read " + path.string(),
                             "reinstall dubhost: the pack's files are missing");
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (document.is_discarded()) bad(path.string(), "not valid JSON");
    return parse_pack_manifest(document, path.string());
}

}  // namespace dubhost::packs
