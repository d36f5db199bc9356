// The pack installer (pack_installer.hpp): choose an interpreter and the sources, build a venv per
// install candidate until one installs, add extras and models, check health, record and switch in.
// pip runs through PipSession, models through ModelProvisioner, the receipt through pack_receipt.
#include "dubhost/packs/pack_installer.hpp"

#include "model_provisioning.hpp"
#include "pack_helper_scripts.hpp"
#include "pack_receipt.hpp"
#include "pip_session.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/clock.hpp>
#include <dubhost/support/disk_usage.hpp>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>

namespace dubhost::packs {
namespace fs = std::filesystem;
using nlohmann::json;
using sdk::CallError;

namespace {

const char *const default_index = "https://pypi.org/simple/";

// Requirement specs as a user pastes them into a shell: `>` and `<` must not become redirections.
std::string shell_quoted(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &item : items) out += (out.empty() ? "'" : " '") + item + "'";
    return out;
}

// Removes the new environment unless the install completes.
class EnvironmentGuard {
public:
    explicit EnvironmentGuard(fs::path dir) : dir_(std::move(dir)) {}
    EnvironmentGuard(const EnvironmentGuard &) = delete;
    EnvironmentGuard &operator=(const EnvironmentGuard &) = delete;
    ~EnvironmentGuard() {
        if (committed_) return;
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    void commit() { committed_ = true; }

private:
    fs::path dir_;
    bool committed_ = false;
};

class Installer {
public:
    Installer(const PackManifest &pack, const InstallOptions &options)
        : pack_(pack),
          options_(options),
          layout_(options.packs_dir, pack.id),
          session_({pack.id, layout_.log, options.cancelled, options.attempts, options.first_backoff}),
          models_(pack, options, session_) {}

    json run();

private:
    void progress(double fraction, const std::string &message) {
        session_.note("--- " + message);
        if (options_.progress) options_.progress(fraction, message);
    }
    void choose_python();
    void choose_sources();
    void prepare_environment_folder();
    void check_index_reachable();
    void create_venv(const PythonInterpreter &interpreter, bool system_site_packages, double fraction);
    std::optional<PythonInterpreter> interpreter_for(const InstallCandidate &candidate, std::string &reason);
    std::optional<std::string> preinstall(const InstallCandidate &candidate);
    json install_candidates();
    json plan();
    json system_module_versions(const json &candidate);
    json install_extras(const json &system_packages);
    void check_request() const;
    void check_system_requirements() const;
    void check_health();

    const PackManifest &pack_;
    const InstallOptions &options_;
    PackLayout layout_;
    PipSession session_;
    ModelProvisioner models_;
    InterpreterChoice choice_;
    std::optional<PythonInterpreter> base_;  // the chosen interpreter; a candidate may use another in range
    fs::path environment_;
    std::vector<std::string> source_arguments_;
    json source_ = json::object();
    std::optional<EnvironmentGuard> guard_;  // removes environment_ unless the install completes
};

void Installer::choose_python() {
    progress(0.02, "choosing a Python interpreter (" + pack_.python.text() + ")");
    const InterpreterChoice choice = choose_interpreter(pack_.python, options_.python);
    std::string considered;
    for (const auto &candidate : choice.considered)
        considered += "\n  " + candidate.interpreter.path.string() +
                      (candidate.interpreter.version.empty() ? "" : " (" + candidate.interpreter.version + ")") + ": " +
                      candidate.verdict;
    session_.note("interpreters (" + choice.origin + "):" + (considered.empty() ? " none found" : considered));
    if (!choice.chosen && choice.origin != "search") {
        // The user named an interpreter that does not fit: name one that does, and the command to use it.
        if (const auto fitting = choose_interpreter(pack_.python, std::nullopt).chosen)
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "no-python",
                            "pack " + pack_.id + " needs Python " + pack_.python.text() + "; " + choice.origin + " names " +
                                considered.substr(3),
                            "use " + fitting->path.string() + " (Python " + fitting->version + "): `dubhost pack install " +
                                pack_.id + " --python " + fitting->path.string() + "`" +
                                (choice.origin == "DUBHOST_PYTHON" ? " (and unset DUBHOST_PYTHON)" : ""));
    }
    if (!choice.chosen)
        throw CallError(
            DUBHOST_STATUS_NOT_INSTALLED, "no-python",
            "no Python " + pack_.python.text() + " that can make a venv was found for pack " + pack_.id +
                (choice.origin == "search" ? "" : " (" + choice.origin + " names the only candidate)") + ":" +
                (considered.empty() ? " none on PATH or in /usr/bin, /usr/local/bin, ~/.pyenv" : considered),
            "install one (e.g. `apt-get install python3.11 python3.11-venv`) or pass --python PATH to an interpreter in " +
                pack_.python.text());
    base_ = choice.chosen;
    choice_ = choice;
}

void Installer::choose_sources() {
    if (options_.offline && !options_.wheelhouse && !options_.index_url)
        throw CallError(DUBHOST_STATUS_BAD_REQUEST, "offline-without-source",
                        "--offline was given and there is nothing to install pack " + pack_.id + " from",
                        "pass --wheelhouse DIR (a folder holding the pack's wheels) or --index-url URL (a package index you "
                        "can reach)");
    if (options_.wheelhouse) {
        std::error_code error;
        if (!fs::is_directory(*options_.wheelhouse, error))
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-wheelhouse", options_.wheelhouse->string() + " is not a folder",
                            "pass --wheelhouse DIR, a folder of .whl files");
        source_arguments_ = {"--find-links", fs::absolute(*options_.wheelhouse).string()};
        source_["wheelhouse"] = fs::absolute(*options_.wheelhouse).string();
    }
    if (options_.offline || (options_.wheelhouse && !options_.index_url)) {
        source_arguments_.insert(source_arguments_.begin(), "--no-index");
        source_["index"] = nullptr;
    } else {
        const std::string index = options_.index_url.value_or(default_index);
        source_arguments_.insert(source_arguments_.end(), {"--index-url", index});
        source_["index"] = index;
    }
    session_.use_sources(source_arguments_);
}

void Installer::prepare_environment_folder() {
    // Environments of earlier installs that failed or were killed.
    std::error_code error;
    const fs::path current = fs::read_symlink(layout_.current, error);
    for (fs::directory_iterator it(layout_.root, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.rfind("env-", 0) == 0 && it->path().filename() != current.filename()) {
            std::error_code ignored;
            fs::remove_all(it->path(), ignored);
        }
    }
    environment_ = layout_.root / ("env-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(::getpid()));
    guard_.emplace(environment_);
    fs::create_directories(environment_);
    if (!pack_.constraints.empty()) {
        std::ofstream constraints(environment_ / "constraints.txt");
        for (const auto &line : pack_.constraints) constraints << line << '\n';
        session_.use_constraints(environment_ / "constraints.txt");
    }
}

// An index that cannot be reached fails here in seconds, not after pip's own retries.
void Installer::check_index_reachable() {
    if (!source_["index"].is_string()) return;
    const std::string index = source_["index"];
    progress(0.06, "checking that " + index + " can be reached");
    const ProcessResult reach = session_.run({base_->path.string(), "-c", reach_url_script, index}, std::chrono::seconds(20));
    if (!reach.succeeded())
        throw CallError(DUBHOST_STATUS_ERROR, "index-unreachable",
                        "the package index " + index + " cannot be reached (" + reach.last_lines(1) + ")",
                        "on a machine with network access, run `pip download --only-binary=:all: --python-version " +
                            base_->version.substr(0, base_->version.rfind('.')) + " -d wheels " +
                            shell_quoted(pack_.candidates.front().requirements) +
                            "`, copy the wheels folder here, and pass --wheelhouse wheels --offline (or --index-url URL of a "
                            "mirror you can reach)");
}

void Installer::create_venv(const PythonInterpreter &interpreter, bool system_site_packages, double fraction) {
    std::error_code ignored;
    fs::remove_all(environment_ / "venv", ignored);  // a venv an earlier candidate left behind
    progress(fraction, "creating a venv with Python " + interpreter.version + " (" + interpreter.path.string() + ")" +
                           (system_site_packages ? " that sees its system packages" : ""));
    std::vector<std::string> argv = {interpreter.path.string(), "-m", "venv"};
    if (system_site_packages) argv.push_back("--system-site-packages");
    argv.push_back((environment_ / "venv").string());
    const ProcessResult venv = session_.run(argv, std::chrono::minutes(5));
    if (!venv.succeeded())
        throw CallError(
            DUBHOST_STATUS_ERROR, "venv-failed",
            "cannot create a venv with " + interpreter.path.string() + " (" + venv.outcome() + "): " + venv.last_lines(3),
            "install the venv module (`apt-get install python3-venv`) or pass --python PATH to another interpreter");
    session_.use_python(environment_ / "venv" / "bin" / "python");
    // The pip that comes with an older interpreter's ensurepip resolves worse and explains less; a newer
    // one is worth its 2 MB when an index is at hand. Not fatal: the old pip still installs.
    if (source_["index"].is_string()) {
        const ProcessResult upgraded = session_.install({"--upgrade", "pip>=24.1"});
        if (!upgraded.succeeded()) session_.note("keeping the venv's own pip (the upgrade failed)");
    }
    session_.throw_if_cancelled();
}

std::optional<PythonInterpreter> Installer::interpreter_for(const InstallCandidate &candidate, std::string &reason) {
    if (candidate.system_modules.empty()) return base_;
    // The chosen interpreter first, then every other one in range: the module may live with only one of them
    // (Debian's python3-torch is importable by /usr/bin/python3 alone).
    std::vector<PythonInterpreter> in_range = {*base_};
    for (const auto &considered : choice_.considered)
        if (considered.verdict.rfind("in range", 0) == 0) in_range.push_back(considered.interpreter);
    std::string modules, imports = "import ";
    for (const auto &module : candidate.system_modules) {
        modules += (modules.empty() ? "" : ", ") + module.module;
        imports += module.module + (&module == &candidate.system_modules.back() ? "" : ", ");
    }
    std::string tried;
    for (const auto &interpreter : in_range) {
        const ProcessResult probe = session_.run({interpreter.path.string(), "-c", imports}, std::chrono::minutes(2));
        if (probe.succeeded()) return interpreter;
        tried += (tried.empty() ? "" : ", ") + interpreter.path.string();
    }
    std::string install;
    for (const auto &module : candidate.system_modules)
        install += (install.empty() ? "" : "; ") + module.install + (module.note.empty() ? "" : " (" + module.note + ")");
    reason = "needs " + modules + " from the system: no interpreter in range imports it (tried " + tried + "); " + install;
    return std::nullopt;
}

// Installs the candidate's preinstall packages from their own index alone; the reason it could not, or nothing.
std::optional<std::string> Installer::preinstall(const InstallCandidate &candidate) {
    if (!candidate.preinstall) return std::nullopt;
    const std::string index = options_.preinstall_index.value_or(candidate.preinstall->index_url);
    const ProcessResult reach =
        session_.run({session_.python().string(), "-c", reach_url_script, index}, std::chrono::seconds(20));
    if (!reach.succeeded())
        return "the index " + index + " for " + joined(candidate.preinstall->requirements) + " cannot be reached (" +
               reach.last_lines(1) + "); pass --preinstall-index URL of a mirror you can reach";
    session_.note("--- installing " + joined(candidate.preinstall->requirements) + " from " + index);
    std::vector<std::string> arguments = {"--only-binary=:all:", "--index-url", index};
    arguments.insert(arguments.end(), candidate.preinstall->requirements.begin(), candidate.preinstall->requirements.end());
    if (ProcessResult result = session_.install(arguments, false); !result.succeeded())
        return "pip could not install " + joined(candidate.preinstall->requirements) + " from " + index + ": " +
               resolver_reason(result);
    return std::nullopt;
}

json Installer::install_candidates() {
    std::string failures;
    for (std::size_t i = 0; i < pack_.candidates.size(); ++i) {
        const auto &candidate = pack_.candidates[i];
        const double share = 0.1 + 0.6 * static_cast<double>(i) / static_cast<double>(pack_.candidates.size());
        progress(share, "installing " + candidate.name + ": " + joined(candidate.requirements));
        std::string reason;
        const auto interpreter = interpreter_for(candidate, reason);
        if (interpreter) {
            create_venv(*interpreter, !candidate.system_modules.empty(), share + 0.01);
            if (auto refused = preinstall(candidate)) reason = *refused;
        }
        for (const auto &bootstrap : candidate.bootstraps) {
            if (!reason.empty()) break;
            std::vector<std::string> arguments = {"--no-deps"};
            arguments.insert(arguments.end(), bootstrap.begin(), bootstrap.end());
            if (ProcessResult result = session_.install(arguments); !result.succeeded()) reason = resolver_reason(result);
        }
        if (reason.empty()) {
            std::vector<std::string> arguments = candidate.pip_arguments;
            arguments.insert(arguments.end(), candidate.requirements.begin(), candidate.requirements.end());
            if (ProcessResult result = session_.install(arguments); !result.succeeded()) reason = resolver_reason(result);
        }
        if (reason.empty()) {
            base_ = interpreter;
            std::vector<std::string> requirements;
            for (const auto &bootstrap : candidate.bootstraps)
                requirements.insert(requirements.end(), bootstrap.begin(), bootstrap.end());
            requirements.insert(requirements.end(), candidate.requirements.begin(), candidate.requirements.end());
            return {{"name", candidate.name},
                    {"index", i},
                    {"requirements", requirements},
                    {"system_site_packages", !candidate.system_modules.empty()}};
        }
        failures += "\n  " + candidate.name + ": " + reason;
        session_.note("candidate " + candidate.name + " failed (" + reason + "); trying the next one");
        session_.throw_if_cancelled();
    }
    std::string hint = "see the full log: `dubhost pack logs " + pack_.id + "`";
    if (failures.find("requires a different Python") != std::string::npos)
        hint =
            "pass --python PATH to another interpreter in " + pack_.python.text() + " (" + base_->version + " was used); " + hint;
    else if (failures.find("No matching distribution") != std::string::npos && source_.contains("wheelhouse"))
        hint = "the wheelhouse " + source_["wheelhouse"].get<std::string>() + " lacks a wheel for this Python (" +
               base_->version + "); add it, or pass --index-url URL; " + hint;
    if (failures.find(".whl is invalid") != std::string::npos || failures.find("IncompleteRead") != std::string::npos)
        hint =
            "a download was cut off or damaged, even after retries: run the same command again when the network is "
            "steady (nothing was changed); " +
            hint;
    for (const auto &candidate : pack_.candidates)
        for (const auto &module : candidate.system_modules)
            if (failures.find("needs " + module.module) != std::string::npos)
                hint = module.install + " to use " + candidate.name + "; " + hint;
    throw CallError(
        DUBHOST_STATUS_ERROR, "install-failed",
        "no install candidate of pack " + pack_.id + " could be installed with Python " + base_->version + ":" + failures, hint);
}

// The versions of the modules the installed candidate takes from the system ({} for other candidates).
json Installer::system_module_versions(const json &candidate) {
    json versions = json::object();
    if (!candidate["system_site_packages"].get<bool>()) return versions;
    for (const auto &module : pack_.candidates[candidate["index"].get<std::size_t>()].system_modules) {
        const ProcessResult version =
            session_.run({session_.python().string(), "-c",
                          "import importlib.metadata, sys; print(importlib.metadata.version(sys.argv[1]))", module.module},
                         std::chrono::minutes(1));
        if (version.succeeded() && !version.out.empty())
            versions[lower_dashed(module.module)] = version.out.substr(0, version.out.find_first_of("\r\n"));
    }
    return versions;
}

json Installer::install_extras(const json &system_packages) {
    json installed = json::array();
    // What the candidate took from the system stays as it is: an extra that needs another version of it
    // (pyannote.audio 4 wants torch >= 2.8; Debian has 1.13) is refused by the resolver, instead of pip
    // quietly downloading the index's multi-GB build over it.
    std::vector<std::string> pins;
    for (const auto &[name, version] : system_packages.items()) pins.push_back(name + "==" + version.get<std::string>());
    for (const auto &extra : pack_.extras) {
        if (std::find(options_.extras.begin(), options_.extras.end(), extra.name) == options_.extras.end()) continue;
        progress(0.68, "installing the extra " + extra.name + ": " + joined(extra.requirements));
        std::vector<std::string> arguments = extra.pip_arguments;
        if (!pins.empty()) {
            std::ofstream(environment_ / "system-pins.txt") << joined(pins, "\n") << '\n';
            arguments.insert(arguments.end(), {"-c", (environment_ / "system-pins.txt").string()});
        }
        arguments.insert(arguments.end(), extra.requirements.begin(), extra.requirements.end());
        if (ProcessResult result = session_.install(arguments); !result.succeeded())
            throw CallError(DUBHOST_STATUS_ERROR, "extra-failed",
                            "the extra " + extra.name + " of pack " + pack_.id +
                                " could not be installed: " + resolver_reason(result) +
                                (pins.empty() ? "" : " (kept from the system: " + joined(pins, ", ") + ")"),
                            "install the pack without it, or see `dubhost pack logs " + pack_.id + "`; nothing was changed");
        installed.push_back(extra.name);
    }
    return installed;
}

void Installer::check_health() {
    progress(0.9, "checking that the pack works");
    const ProcessResult health = session_.run({session_.python().string(), "-c", pack_.health_check}, std::chrono::minutes(5),
                                              pack_environment(pack_, environment_ / "venv", environment_ / "models"));
    if (!health.succeeded())
        throw CallError(
            DUBHOST_STATUS_ERROR, "health-check-failed",
            "pack " + pack_.id + " installed but its health check failed (" + health.outcome() + "): " + health.last_lines(4),
            "nothing was changed (a previous install stays in use); see `dubhost pack logs " + pack_.id + "`");
}

// Problems known without touching Python or the network: an unknown model name, a missing system library.
void Installer::check_request() const {
    for (const auto &name : options_.extras) {
        std::string names;
        bool known = false;
        for (const auto &extra : pack_.extras) {
            names += (names.empty() ? "" : ", ") + extra.name;
            known = known || extra.name == name;
        }
        if (!known)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "unknown-extra", "pack " + pack_.id + " has no extra '" + name + "'",
                            names.empty() ? "this pack has no extras" : "its extras: " + names);
    }
    for (const auto &name : options_.models) {
        std::string optional;
        bool known = false;
        for (const auto &model : pack_.models) {
            if (model.optional) optional += (optional.empty() ? "" : ", ") + model.name;
            known = known || (model.optional && model.name == name);
        }
        if (!known)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "unknown-model",
                            "pack " + pack_.id + " has no optional model '" + name + "'",
                            optional.empty() ? "this pack has no optional models" : "its optional models: " + optional);
    }
    models_.check_brought();
}

void Installer::check_system_requirements() const {
    const auto missing = missing_system_requirements(pack_);
    if (!missing.empty()) {
        std::string what, fix;
        for (const auto &requirement : missing) {
            what += (what.empty() ? "" : ", ") + requirement.name + " (" + requirement.kind + ")";
            if (!requirement.install.empty()) fix += (fix.empty() ? "" : "; ") + requirement.install;
        }
        throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "system-requirement-missing",
                        "pack " + pack_.id + " needs " + what + ", which this machine lacks",
                        (fix.empty() ? "install it" : fix) + ", then run `dubhost pack install " + pack_.id + "` again");
    }
}

json Installer::run() {
    fs::create_directories(layout_.root);
    std::optional<json> current_receipt;
    if (const auto receipt = read_receipt(layout_.receipt); receipt && receipt->value("manifest_digest", "") == pack_.digest) {
        std::error_code error;
        const fs::path target = fs::read_symlink(layout_.current, error);
        if (!error && target.filename() == receipt->value("environment", "") && fs::exists(layout_.python(), error) &&
            receipt_has(*receipt, "models", options_.models) && receipt_has(*receipt, "extras", options_.extras))
            current_receipt = *receipt;
    }
    if (current_receipt && !options_.force && !options_.dry_run && options_.model_dirs.empty() &&
        options_.model_archives.empty()) {
        json answer = *current_receipt;
        answer["already_installed"] = true;
        return answer;
    }
    check_request();
    if (options_.dry_run) {
        json answer = plan();
        answer["already_installed"] = current_receipt.has_value();
        return answer;
    }
    check_system_requirements();
    const auto started = std::chrono::steady_clock::now();
    session_.note("=== install of pack " + pack_.id + " (manifest " + pack_.version + "), " + utc_timestamp());
    choose_sources();  // a missing source is known without probing any interpreter
    choose_python();
    session_.throw_if_cancelled();
    check_index_reachable();
    prepare_environment_folder();
    json candidate = install_candidates();
    const json system_packages = system_module_versions(candidate);
    json extras = install_extras(system_packages);
    json models = models_.provision(environment_ / "models",
                                    [this](double fraction, const std::string &message) { progress(fraction, message); });
    check_health();
    progress(0.95, "recording the install");
    // The venv's own packages, named as pip compares them (the system's are in system_packages).
    json packages = json::object();
    const ProcessResult listed = session_.run({session_.python().string(), "-m", "pip", "list", "--local", "--format", "json",
                                               "--disable-pip-version-check", "--isolated"},
                                              std::chrono::minutes(2));
    if (listed.succeeded())
        for (const auto &entry : json::parse(listed.out, nullptr, false))
            if (entry.is_object()) packages[lower_dashed(entry.value("name", ""))] = entry.value("version", "");
    json receipt = {{"pack", pack_.id},
                    {"manifest_version", pack_.version},
                    {"manifest_digest", pack_.digest},
                    {"python", {{"path", base_->path.string()}, {"version", base_->version}}},
                    {"candidate", candidate},
                    {"extras", extras},
                    {"packages", packages},
                    {"system_packages", system_packages},
                    {"models", models},
                    {"source", source_},
                    {"environment", environment_.filename().string()},
                    {"installed_at", utc_timestamp()},
                    {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
                    {"download_mb", pack_.candidates[candidate["index"].get<std::size_t>()].download_mb},
                    {"disk_bytes", disk_usage(environment_)}};
    switch_in(layout_, environment_, receipt);
    guard_->commit();
    session_.note("=== installed");
    progress(1.0, "pack " + pack_.id + " installed");
    receipt["already_installed"] = false;
    return receipt;
}

// What an install would do, from local checks only: which interpreter and candidate, what each candidate
// downloads and occupies (measured on a real install), what the system must provide, where models come from.
json Installer::plan() {
    choose_sources();
    choose_python();
    json candidates = json::array();
    json chosen;
    for (const auto &candidate : pack_.candidates) {
        std::string reason;
        const auto interpreter = interpreter_for(candidate, reason);
        json entry = {{"name", candidate.name},
                      {"usable", interpreter.has_value()},
                      {"reason", reason},
                      {"python", interpreter ? json(interpreter->path.string()) : json(nullptr)},
                      {"system_site_packages", !candidate.system_modules.empty()},
                      {"download_mb", candidate.download_mb},
                      {"disk_mb", candidate.disk_mb}};
        if (candidate.preinstall) entry["needs_index"] = options_.preinstall_index.value_or(candidate.preinstall->index_url);
        if (interpreter && chosen.is_null()) chosen = entry;
        candidates.push_back(std::move(entry));
    }
    const json models = models_.plan();
    json system = json::array();
    for (const auto &requirement : missing_system_requirements(pack_))
        system.push_back({{"kind", requirement.kind}, {"name", requirement.name}, {"install", requirement.install}});
    return {{"pack", pack_.id},
            {"dry_run", true},
            {"python", {{"path", base_->path.string()}, {"version", base_->version}}},
            {"source", source_},
            {"candidates", candidates},
            {"candidate", chosen.is_null() ? json(nullptr) : chosen["name"]},
            {"download_mb", chosen.is_null() ? json(nullptr) : chosen["download_mb"]},
            {"disk_mb", chosen.is_null() ? json(nullptr) : chosen["disk_mb"]},
            {"models", models},
            {"system_missing", system}};
}

}  // namespace

json install_pack(const PackManifest &pack, const InstallOptions &options) { return Installer(pack, options).run(); }

}  // namespace dubhost::packs
