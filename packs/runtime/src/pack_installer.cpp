#include "dubhost/packs/pack_installer.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/clock.hpp>
#include <dubhost/support/disk_usage.hpp>
#include <dubhost/support/process.hpp>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace dubhost::packs {
namespace fs = std::filesystem;
using nlohmann::json;
using sdk::CallError;

namespace {

const char *const default_index = "https://pypi.org/simple/";

// Fetches a model with the pack's own interpreter (an https:// or file:// URL): a temporary file, a
// sha256 check when the hash is known, then either a
// rename or an archive unpacked into a temporary folder (members that would land outside it are
// refused) that is renamed into place with its marker files.
constexpr const char *fetch_script = R"PY(import hashlib, json, os, shutil, sys, tarfile, urllib.request, zipfile
source, destination, expected, unpack, files = sys.argv[1:6]
os.makedirs(os.path.dirname(destination), exist_ok=True)
download = destination + '.download.part'
digest = hashlib.sha256()
with urllib.request.urlopen(source, timeout=60) as response, open(download, 'wb') as out:
    while True:
        block = response.read(1 << 20)
        if not block:
            break
        digest.update(block)
        out.write(block)
if expected and digest.hexdigest() != expected.lower():
    os.remove(download)
    sys.exit('sha256 mismatch for %s: got %s, expected %s' % (source, digest.hexdigest(), expected))
if not unpack:
    os.replace(download, destination)
    sys.exit(0)
staging = destination + '.part'
shutil.rmtree(staging, ignore_errors=True)
os.makedirs(staging)
top = os.path.realpath(staging)
def inside(name):
    target = os.path.realpath(os.path.join(staging, name))
    return target == top or target.startswith(top + os.sep)
if unpack == 'tar.gz':
    with tarfile.open(download, 'r:gz') as archive:
        for member in archive.getmembers():
            if not inside(member.name) or member.issym() or member.islnk() or member.isdev():
                sys.exit('refusing archive member %s of %s' % (member.name, source))
        archive.extractall(staging)
else:
    with zipfile.ZipFile(download) as archive:
        for name in archive.namelist():
            if not inside(name):
                sys.exit('refusing archive member %s of %s' % (name, source))
        archive.extractall(staging)
os.remove(download)
for name, content in json.loads(files).items():
    with open(os.path.join(staging, name), 'w') as marker:
        marker.write(content)
shutil.rmtree(destination, ignore_errors=True)
os.replace(staging, destination)
)PY";

// The sha256 of every file under a folder (or of one file), as JSON: what a `fetch` model brought.
constexpr const char *hash_script = R"PY(import hashlib, json, os, sys
top = sys.argv[1]
paths = [top] if os.path.isfile(top) else sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs)
hashes = {}
for path in paths:
    digest = hashlib.sha256()
    with open(path, 'rb') as data:
        for block in iter(lambda: data.read(1 << 20), b''):
            digest.update(block)
    hashes[os.path.relpath(path, top) if path != top else os.path.basename(top)] = digest.hexdigest()
print(json.dumps(hashes))
)PY";

constexpr const char *reach_script = R"PY(import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=5).close()
except Exception as error:
    sys.exit('%s: %s' % (type(error).__name__, error))
)PY";

std::string joined(const std::vector<std::string> &items, const char *separator = " ") {
    std::string out;
    for (const auto &item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

void append_log(const fs::path &log, const std::string &text) {
    std::ofstream out(log, std::ios::app);
    out << text << '\n';
}

std::optional<json> read_json(const fs::path &path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    auto document = json::parse(in, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return std::nullopt;
    return document;
}

// Requirement specs as a user pastes them into a shell: `>` and `<` must not become redirections.
std::string shell_quoted(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &item : items) out += (out.empty() ? "'" : " '") + item + "'";
    return out;
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

// "Faster_Whisper" and "faster-whisper" name one distribution.
std::string lower_dashed(std::string name) {
    for (auto &c : name) c = c == '_' || c == '.' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

// Network trouble that a second try may not have: worth retrying with a pause.
bool transient(const ProcessResult &result) {
    // A wheel "is invalid" when its download was cut off: pip 24 does not check the length it was promised.
    for (const char *sign :
         {"ConnectionError", "Connection reset", "Read timed out", "ReadTimeoutError", "Temporary failure in name resolution",
          "ProtocolError", "HTTP error 5", "IncompleteRead", "Connection broken", ".whl is invalid"})
        if (result.err.find(sign) != std::string::npos) return true;
    return false;
}

// Why pip refused, in a line or two: its ERROR lines (the resolver's reason), else the last lines.
std::string resolver_reason(const ProcessResult &result) {
    std::istringstream lines(result.err + "\n" + result.out);  // pip explains a conflict on stdout
    std::string reason;
    bool cause_next = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("ERROR: ", 0) == 0 && line.find("pip's dependency resolver does not currently") == std::string::npos)
            reason += (reason.empty() ? "" : " / ") + line.substr(7);
        else if (cause_next && line.find_first_not_of(' ') != std::string::npos)  // the first conflicting requirement
            reason += " / " + line.substr(line.find_first_not_of(' '));
        cause_next = line.rfind("The conflict is caused by:", 0) == 0;
    }
    return reason.empty() ? result.outcome() + ": " + result.last_lines(3) : reason;
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
        : pack_(pack), options_(options), layout_(options.packs_dir, pack.id) {}

    json run();

private:
    void progress(double fraction, const std::string &message) {
        append_log(layout_.log, "--- " + message);
        if (options_.progress) options_.progress(fraction, message);
    }
    void throw_if_cancelled() {
        if (options_.cancelled && options_.cancelled())
            throw CallError(DUBHOST_STATUS_CANCELLED, "cancelled", "the install of pack " + pack_.id + " was cancelled");
    }
    ProcessResult run_logged(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                             std::map<std::string, std::string> environment = {}) {
        append_log(layout_.log, "$ " + joined(argv));
        environment["PYTHONNOUSERSITE"] = "1";
        ProcessRequest request;
        request.argv = std::move(argv);
        request.environment = std::move(environment);
        request.timeout = timeout;
        request.cancelled = options_.cancelled;
        request.log = layout_.log;
        ProcessResult result = run_process(request);
        if (result.cancelled) throw_if_cancelled();
        if (!result.succeeded()) append_log(layout_.log, "=> " + result.outcome());
        return result;
    }
    // A pip call with retries (and a growing pause) for transient network failures. Without the install's
    // sources, the arguments must name the index themselves.
    ProcessResult pip(const std::vector<std::string> &arguments, bool with_sources = true) {
        std::vector<std::string> argv = {
            python_.string(), "-m", "pip", "install", "--isolated", "--disable-pip-version-check", "--no-input",
            "--progress-bar", "off"};
        if (with_sources) argv.insert(argv.end(), source_arguments_.begin(), source_arguments_.end());
        if (!pack_.constraints.empty()) argv.insert(argv.end(), {"-c", (environment_ / "constraints.txt").string()});
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        auto pause = options_.first_backoff;
        for (int attempt = 1;; ++attempt) {
            ProcessResult result = run_logged(argv, std::chrono::hours(1));
            if (result.succeeded() || attempt >= options_.attempts || !transient(result)) return result;
            append_log(layout_.log, "transient failure; retrying in " + std::to_string(pause.count()) + " ms");
            std::this_thread::sleep_for(pause);
            throw_if_cancelled();
            pause *= 2;
        }
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
    const ModelToProvision &model_named(const std::string &name) const;
    fs::path brought_model(const ModelToProvision &model, bool archive) const;
    json provision_models();
    json system_module_versions(const json &candidate);
    json install_extras(const json &system_packages);
    bool wanted(const ModelToProvision &model) const;
    void check_request() const;
    void check_system_requirements() const;
    void check_health();
    json switch_in(json receipt);

    const PackManifest &pack_;
    const InstallOptions &options_;
    PackLayout layout_;
    InterpreterChoice choice_;
    std::optional<PythonInterpreter> base_;  // the chosen interpreter; a candidate may use another in range
    fs::path environment_, python_;
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
    append_log(layout_.log, "interpreters (" + choice.origin + "):" + (considered.empty() ? " none found" : considered));
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
    }
}

// An index that cannot be reached fails here in seconds, not after pip's own retries.
void Installer::check_index_reachable() {
    if (!source_["index"].is_string()) return;
    const std::string index = source_["index"];
    progress(0.06, "checking that " + index + " can be reached");
    const ProcessResult reach = run_logged({base_->path.string(), "-c", reach_script, index}, std::chrono::seconds(20));
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
    const ProcessResult venv = run_logged(argv, std::chrono::minutes(5));
    if (!venv.succeeded())
        throw CallError(
            DUBHOST_STATUS_ERROR, "venv-failed",
            "cannot create a venv with " + interpreter.path.string() + " (" + venv.outcome() + "): " + venv.last_lines(3),
            "install the venv module (`apt-get install python3-venv`) or pass --python PATH to another interpreter");
    python_ = environment_ / "venv" / "bin" / "python";
    // The pip that comes with an older interpreter's ensurepip resolves worse and explains less; a newer
    // one is worth its 2 MB when an index is at hand. Not fatal: the old pip still installs.
    if (source_["index"].is_string()) {
        const ProcessResult upgraded = pip({"--upgrade", "pip>=24.1"});
        if (!upgraded.succeeded()) append_log(layout_.log, "keeping the venv's own pip (the upgrade failed)");
    }
    throw_if_cancelled();
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
        const ProcessResult probe = run_logged({interpreter.path.string(), "-c", imports}, std::chrono::minutes(2));
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
    const ProcessResult reach = run_logged({python_.string(), "-c", reach_script, index}, std::chrono::seconds(20));
    if (!reach.succeeded())
        return "the index " + index + " for " + joined(candidate.preinstall->requirements) + " cannot be reached (" +
               reach.last_lines(1) + "); pass --preinstall-index URL of a mirror you can reach";
    append_log(layout_.log, "--- installing " + joined(candidate.preinstall->requirements) + " from " + index);
    std::vector<std::string> arguments = {"--only-binary=:all:", "--index-url", index};
    arguments.insert(arguments.end(), candidate.preinstall->requirements.begin(), candidate.preinstall->requirements.end());
    if (ProcessResult result = pip(arguments, false); !result.succeeded())
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
            if (ProcessResult result = pip(arguments); !result.succeeded()) reason = resolver_reason(result);
        }
        if (reason.empty()) {
            std::vector<std::string> arguments = candidate.pip_arguments;
            arguments.insert(arguments.end(), candidate.requirements.begin(), candidate.requirements.end());
            if (ProcessResult result = pip(arguments); !result.succeeded()) reason = resolver_reason(result);
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
        append_log(layout_.log, "candidate " + candidate.name + " failed (" + reason + "); trying the next one");
        throw_if_cancelled();
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

bool Installer::wanted(const ModelToProvision &model) const {
    auto asked = [](const std::vector<std::string> &names, const std::string &name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    if (!brought_model(model, false).empty() || !brought_model(model, true).empty()) return true;
    if (!model.extra.empty()) return asked(options_.extras, model.extra);
    return !model.optional || asked(options_.models, model.name);
}

// The versions of the modules the installed candidate takes from the system ({} for other candidates).
json Installer::system_module_versions(const json &candidate) {
    json versions = json::object();
    if (!candidate["system_site_packages"].get<bool>()) return versions;
    for (const auto &module : pack_.candidates[candidate["index"].get<std::size_t>()].system_modules) {
        const ProcessResult version =
            run_logged({python_.string(), "-c", "import importlib.metadata, sys; print(importlib.metadata.version(sys.argv[1]))",
                        module.module},
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
        if (ProcessResult result = pip(arguments); !result.succeeded())
            throw CallError(DUBHOST_STATUS_ERROR, "extra-failed",
                            "the extra " + extra.name + " of pack " + pack_.id +
                                " could not be installed: " + resolver_reason(result) +
                                (pins.empty() ? "" : " (kept from the system: " + joined(pins, ", ") + ")"),
                            "install the pack without it, or see `dubhost pack logs " + pack_.id + "`; nothing was changed");
        installed.push_back(extra.name);
    }
    return installed;
}

const ModelToProvision &Installer::model_named(const std::string &name) const {
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
fs::path Installer::brought_model(const ModelToProvision &model, bool archive) const {
    for (const auto &[name, path] : archive ? options_.model_archives : options_.model_dirs)
        if (&model_named(name) == &model) return fs::absolute(path);
    return {};
}

json Installer::provision_models() {
    json models = json::array();
    std::vector<const ModelToProvision *> chosen;
    for (const auto &model : pack_.models)
        if (wanted(model)) chosen.push_back(&model);
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const auto &model = *chosen[i];
        progress(0.72 + 0.15 * static_cast<double>(i) / static_cast<double>(chosen.size()), "provisioning model " + model.name);
        const fs::path destination = environment_ / "models" / model.destination;
        const fs::path folder = brought_model(model, false), archive = brought_model(model, true);
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
            fetched = run_logged(
                {python_.string(), "-c", fetch_script, url, destination.string(), model.sha256, unpack, json(model.files).dump()},
                std::chrono::hours(2));
        } else {
            // The library's own downloader (e.g. faster-whisper's): into a temporary folder, then renamed.
            // Not the pack's `environment`: that is for runs (HF_HUB_OFFLINE=1 would forbid this very download).
            fetched = run_logged({python_.string(), "-c", model.fetch, staging.string()}, std::chrono::hours(2));
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
            const ProcessResult hashed =
                run_logged({python_.string(), "-c", hash_script, destination.string()}, std::chrono::minutes(10));
            entry["files_sha256"] = hashed.succeeded() ? json::parse(hashed.out, nullptr, false) : json(nullptr);
        }
        models.push_back(std::move(entry));
    }
    return models;
}

void Installer::check_health() {
    progress(0.9, "checking that the pack works");
    const ProcessResult health = run_logged({python_.string(), "-c", pack_.health_check}, std::chrono::minutes(5),
                                            pack_environment(pack_, environment_ / "venv", environment_ / "models"));
    if (!health.succeeded())
        throw CallError(
            DUBHOST_STATUS_ERROR, "health-check-failed",
            "pack " + pack_.id + " installed but its health check failed (" + health.outcome() + "): " + health.last_lines(4),
            "nothing was changed (a previous install stays in use); see `dubhost pack logs " + pack_.id + "`");
}

json Installer::switch_in(json receipt) {
    const fs::path previous = [&] {
        std::error_code error;
        const fs::path target = fs::read_symlink(layout_.current, error);
        return error ? fs::path() : layout_.root / target.filename();
    }();
    sdk::write_file_atomically(environment_ / "receipt.json", receipt.dump(2));
    // The swap: a new link renamed over the old one.
    const fs::path link = layout_.root / "current.new";
    std::error_code ignored;
    fs::remove(link, ignored);
    fs::create_directory_symlink(environment_.filename(), link);
    fs::rename(link, layout_.current);
    sdk::write_file_atomically(layout_.receipt, receipt.dump(2));
    if (!previous.empty() && previous != environment_) fs::remove_all(previous, ignored);
    return receipt;
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
    for (const auto *brought : {&options_.model_dirs, &options_.model_archives})
        for (const auto &[name, path] : *brought) {
            model_named(name);
            std::error_code error;
            if (!fs::exists(path, error))
                throw CallError(
                    DUBHOST_STATUS_BAD_REQUEST, "model-source-missing",
                    "the model " + (name.empty() ? std::string("file") : name) + " given as " + path.string() + " does not exist",
                    "pass the path of the model's folder (--model-dir) or archive (--model-archive)");
        }
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
    if (const auto receipt = read_json(layout_.receipt); receipt && receipt->value("manifest_digest", "") == pack_.digest) {
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
    append_log(layout_.log, "=== install of pack " + pack_.id + " (manifest " + pack_.version + "), " + utc_timestamp());
    choose_sources();  // a missing source is known without probing any interpreter
    choose_python();
    throw_if_cancelled();
    check_index_reachable();
    prepare_environment_folder();
    json candidate = install_candidates();
    const json system_packages = system_module_versions(candidate);
    json extras = install_extras(system_packages);
    json models = provision_models();
    check_health();
    progress(0.95, "recording the install");
    // The venv's own packages, named as pip compares them (the system's are in system_packages).
    json packages = json::object();
    const ProcessResult listed = run_logged(
        {python_.string(), "-m", "pip", "list", "--local", "--format", "json", "--disable-pip-version-check", "--isolated"},
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
    receipt = switch_in(std::move(receipt));
    guard_->commit();
    append_log(layout_.log, "=== installed");
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

PackLayout::PackLayout(const fs::path &packs_dir, const std::string &id)
    : root(packs_dir / id), log(root / "install.log"), receipt(root / "receipt.json"), current(root / "current") {}

json install_pack(const PackManifest &pack, const InstallOptions &options) { return Installer(pack, options).run(); }

json pack_status(const PackManifest &pack, const fs::path &packs_dir) {
    const PackLayout layout(packs_dir, pack.id);
    json status = {{"id", pack.id},
                   {"python_range", pack.python.text()},
                   {"size", {{"download_mb", pack.download_mb}, {"disk_mb", pack.disk_mb}}},
                   {"log", layout.log.string()},
                   {"receipt", nullptr},
                   {"problem", ""}};
    const auto receipt = read_json(layout.receipt);
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
