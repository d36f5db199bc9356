#include "dubhost/packs/pack_backend.hpp"

#include "dubhost/packs/pack_runner.hpp"

#include <dlfcn.h>

namespace dubhost::packs {
namespace fs = std::filesystem;
using sdk::CallError;
using sdk::json;

fs::path this_library_folder() {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<const void *>(&this_library_folder), &info) == 0 || !info.dli_fname)
        throw CallError(DUBHOST_STATUS_ERROR, "no-plugin-path", "cannot tell where this plugin is installed",
                        "reinstall the plugin");
    return fs::absolute(info.dli_fname).parent_path();
}

fs::path PackBackend::manifest_path() const { return this_library_folder() / "pack.json"; }

const PackManifest &PackBackend::pack() const {
    if (!pack_) pack_ = read_pack_manifest(manifest_path());
    return *pack_;
}

fs::path PackBackend::packs_dir(const sdk::Host &host) const {
    const std::string dir = host.path("packs");
    if (dir.empty())
        throw CallError(DUBHOST_STATUS_ERROR, "no-packs-dir", "the host did not say where packs live",
                        "update dubhost: this plugin needs a host that provides the `packs` path");
    return dir;
}

InstalledPack PackBackend::require_installed(const sdk::Host &host) const {
    if (auto installed = installed_pack(pack(), packs_dir(host))) return *installed;
    const json status = pack_status(pack(), packs_dir(host));
    const std::string state = status["state"];
    throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "pack-not-installed",
                    "the " + pack().id + " pack is " + (state == "not-installed" ? "not installed" : state) +
                        (status["problem"].get<std::string>().empty() ? "" : " (" + status["problem"].get<std::string>() + ")"),
                    "run `dubhost pack install " + pack().id + "`");
}

json PackBackend::status(const sdk::Host &host, const json &) {
    const json pack_state = pack_status(pack(), packs_dir(host));
    const bool installed = pack_state["state"] == "installed";
    json missing = json::array(), notes = json::array();
    for (const auto &requirement : pack_state["system_missing"]) {
        missing.push_back(requirement["name"]);
        notes.push_back(requirement["install"]);
    }
    if (!installed) {
        missing.push_back("the " + pack().id + " pack");
        notes.push_back("run `dubhost pack install " + pack().id + "`");
    }
    if (!pack_state["problem"].get<std::string>().empty()) notes.push_back(pack_state["problem"]);
    return {
        {"installed", installed}, {"version", backend_version()}, {"missing", missing}, {"notes", notes}, {"pack", pack_state}};
}

json PackBackend::install(const sdk::Host &host, const json &request) {
    if (request.value("remove", false)) {
        const bool existed = remove_pack(pack(), packs_dir(host));
        return {{"removed", existed}, {"folder", PackLayout(packs_dir(host), pack().id).root.string()}};
    }
    InstallOptions options;
    options.packs_dir = packs_dir(host);
    if (request.contains("python") && request["python"].is_string()) options.python = request["python"].get<std::string>();
    if (request.contains("wheelhouse") && request["wheelhouse"].is_string())
        options.wheelhouse = request["wheelhouse"].get<std::string>();
    if (request.contains("index_url") && request["index_url"].is_string())
        options.index_url = request["index_url"].get<std::string>();
    if (request.contains("preinstall_index") && request["preinstall_index"].is_string())
        options.preinstall_index = request["preinstall_index"].get<std::string>();
    options.offline = request.value("offline", false);
    options.force = request.value("force", false);
    options.dry_run = request.value("dry_run", false);
    // {"model_dirs": {"small": "/path"}}; the name "" stands for the pack's default model.
    for (const auto &[field, paths] :
         {std::pair<const char *, std::map<std::string, fs::path> *>{"model_dirs", &options.model_dirs},
          {"model_archives", &options.model_archives}})
        if (request.contains(field) && request[field].is_object())
            for (const auto &[name, path] : request[field].items())
                if (path.is_string()) (*paths)[name] = path.get<std::string>();
    for (const auto &[field, names] :
         {std::pair<const char *, std::vector<std::string> *>{"models", &options.models}, {"extras", &options.extras}})
        if (request.contains(field) && request[field].is_array())
            for (const auto &name : request[field])
                if (name.is_string()) names->push_back(name.get<std::string>());
    options.progress = [&host](double fraction, const std::string &message) { host.progress(fraction, message); };
    options.cancelled = [&host] { return host.cancelled(); };
    return install_pack(pack(), options);
}

json PackBackend::run_runner(const sdk::Host &host, const json &job) const {
    const InstalledPack installed = require_installed(host);
    RunnerRequest request;
    request.pack_id = pack().id;
    request.python = installed.python;
    request.script = this_library_folder() / "runner.py";
    request.python_path = {this_library_folder()};
    request.environment = installed.environment;
    request.job = job;
    if (job.contains("log") && job["log"].is_string()) request.log = job["log"].get<std::string>();
    RunnerEvents events;
    events.progress = [&host](double fraction, const std::string &message) { host.progress(fraction, message); };
    events.log = [&host](dubhost_log_level level, const std::string &message) { host.log(level, message); };
    events.cancelled = [&host] { return host.cancelled(); };
    return run_pack_runner(request, events);
}

}  // namespace dubhost::packs
