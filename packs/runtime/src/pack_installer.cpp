#include "dubhost/packs/pack_installer.hpp"

#include "dubhost/packs/process.hpp"

#include <dubhost/plugin.hpp>
#include <unistd.h>

#include <algorithm>
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

// Fetches a model with the pack's own interpreter: a temporary file, a sha256 check, then either a
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
if digest.hexdigest() != expected.lower():
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

std::string now_text() {
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

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

std::uintmax_t disk_bytes(const fs::path &dir) {
    std::uintmax_t total = 0;
    std::error_code error;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error), end; !error && it != end;
         it.increment(error))
        if (it->is_regular_file(error) && !it->is_symlink(error)) total += it->file_size(error);
    return total;
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

// Network trouble that a second try may not have: worth retrying with a pause.
bool transient(const ProcessResult &result) {
    for (const char *sign : {"ConnectionError", "Connection reset", "Read timed out", "ReadTimeoutError",
                             "Temporary failure in name resolution", "ProtocolError", "HTTP error 5", "IncompleteRead"})
        if (result.err.find(sign) != std::string::npos) return true;
    return false;
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
    // A pip call with retries (and a growing pause) for transient network failures.
    ProcessResult pip(const std::vector<std::string> &arguments) {
        std::vector<std::string> argv = {
            python_.string(), "-m", "pip", "install", "--isolated", "--disable-pip-version-check", "--no-input",
            "--progress-bar", "off"};
        argv.insert(argv.end(), source_arguments_.begin(), source_arguments_.end());
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
    void create_environment();
    json install_candidates();
    json provision_models();
    json install_extras();
    bool wanted(const ModelToProvision &model) const;
    void check_request() const;
    void check_health();
    json switch_in(json receipt);

    const PackManifest &pack_;
    const InstallOptions &options_;
    PackLayout layout_;
    std::optional<PythonInterpreter> base_;
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
    if (!choice.chosen)
        throw CallError(
            DUBHOST_STATUS_NOT_INSTALLED, "no-python",
            "no Python " + pack_.python.text() + " that can make a venv was found for pack " + pack_.id +
                (choice.origin == "search" ? "" : " (" + choice.origin + " names the only candidate)") + ":" +
                (considered.empty() ? " none on PATH or in /usr/bin, /usr/local/bin, ~/.pyenv" : considered),
            "install one (e.g. `apt-get install python3.11 python3.11-venv`) or pass --python PATH to an interpreter in " +
                pack_.python.text());
    base_ = choice.chosen;
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

void Installer::create_environment() {
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
    progress(0.08, "creating a venv with Python " + base_->version);
    const ProcessResult venv =
        run_logged({base_->path.string(), "-m", "venv", (environment_ / "venv").string()}, std::chrono::minutes(5));
    if (!venv.succeeded())
        throw CallError(DUBHOST_STATUS_ERROR, "venv-failed",
                        "cannot create a venv with " + base_->path.string() + " (" + venv.outcome() + "): " + venv.last_lines(3),
                        "install the venv module (`apt-get install python3-venv`) or pass --python PATH to another interpreter");
    python_ = environment_ / "venv" / "bin" / "python";
    if (!pack_.constraints.empty()) {
        std::ofstream constraints(environment_ / "constraints.txt");
        for (const auto &line : pack_.constraints) constraints << line << '\n';
    }
    throw_if_cancelled();
    // An index that cannot be reached fails here in seconds, not after pip's own retries.
    if (source_["index"].is_string()) {
        progress(0.12, "checking that " + source_["index"].get<std::string>() + " can be reached");
        const ProcessResult reach =
            run_logged({python_.string(), "-c", reach_script, source_["index"].get<std::string>()}, std::chrono::seconds(20));
        if (!reach.succeeded())
            throw CallError(
                DUBHOST_STATUS_ERROR, "index-unreachable",
                "the package index " + source_["index"].get<std::string>() + " cannot be reached (" + reach.last_lines(1) + ")",
                "on a machine with network access, run `pip download --only-binary=:all: --python-version " +
                    base_->version.substr(0, base_->version.rfind('.')) + " -d wheels " +
                    shell_quoted(pack_.candidates.front().requirements) +
                    "`, copy the wheels folder here, and pass --wheelhouse wheels --offline (or --index-url URL of a "
                    "mirror you can reach)");
    }
}

json Installer::install_candidates() {
    std::string failures;
    for (std::size_t i = 0; i < pack_.candidates.size(); ++i) {
        const auto &candidate = pack_.candidates[i];
        progress(0.15 + 0.55 * static_cast<double>(i) / static_cast<double>(pack_.candidates.size()),
                 "installing " + candidate.name + ": " + joined(candidate.requirements));
        std::optional<ProcessResult> failed;
        for (const auto &bootstrap : candidate.bootstraps) {
            std::vector<std::string> arguments = {"--no-deps"};
            arguments.insert(arguments.end(), bootstrap.begin(), bootstrap.end());
            if (ProcessResult result = pip(arguments); !result.succeeded()) {
                failed = std::move(result);
                break;
            }
        }
        if (!failed) {
            std::vector<std::string> arguments = candidate.pip_arguments;
            arguments.insert(arguments.end(), candidate.requirements.begin(), candidate.requirements.end());
            if (ProcessResult result = pip(arguments); !result.succeeded()) failed = std::move(result);
        }
        if (!failed) return {{"name", candidate.name}, {"index", i}, {"requirements", candidate.requirements}};
        failures += "\n  " + candidate.name + " (" + failed->outcome() + "):\n    " + failed->last_lines(4);
        append_log(layout_.log, "candidate " + candidate.name + " failed; trying the next one");
        throw_if_cancelled();
    }
    std::string hint = "see the full log: `dubhost pack logs " + pack_.id + "`";
    if (failures.find("requires a different Python") != std::string::npos)
        hint =
            "pass --python PATH to another interpreter in " + pack_.python.text() + " (" + base_->version + " was used); " + hint;
    else if (failures.find("No matching distribution") != std::string::npos && source_.contains("wheelhouse"))
        hint = "the wheelhouse " + source_["wheelhouse"].get<std::string>() + " lacks a wheel for this Python (" +
               base_->version + "); add it, or pass --index-url URL; " + hint;
    throw CallError(
        DUBHOST_STATUS_ERROR, "install-failed",
        "no install candidate of pack " + pack_.id + " could be installed with Python " + base_->version + ":" + failures, hint);
}

bool Installer::wanted(const ModelToProvision &model) const {
    auto asked = [](const std::vector<std::string> &names, const std::string &name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    if (!model.extra.empty()) return asked(options_.extras, model.extra);
    return !model.optional || asked(options_.models, model.name);
}

json Installer::install_extras() {
    json installed = json::array();
    for (const auto &extra : pack_.extras) {
        if (std::find(options_.extras.begin(), options_.extras.end(), extra.name) == options_.extras.end()) continue;
        progress(0.68, "installing the extra " + extra.name + ": " + joined(extra.requirements));
        std::vector<std::string> arguments = extra.pip_arguments;
        arguments.insert(arguments.end(), extra.requirements.begin(), extra.requirements.end());
        if (ProcessResult result = pip(arguments); !result.succeeded())
            throw CallError(DUBHOST_STATUS_ERROR, "extra-failed",
                            "the extra " + extra.name + " of pack " + pack_.id + " could not be installed (" + result.outcome() +
                                "):\n    " + result.last_lines(4),
                            "install the pack without it, or see `dubhost pack logs " + pack_.id + "`; nothing was changed");
        installed.push_back(extra.name);
    }
    return installed;
}

json Installer::provision_models() {
    json models = json::array();
    std::vector<const ModelToProvision *> chosen;
    for (const auto &model : pack_.models)
        if (wanted(model)) chosen.push_back(&model);
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const auto &model = *chosen[i];
        progress(0.72 + 0.15 * static_cast<double>(i) / static_cast<double>(chosen.size()), "fetching model " + model.name);
        const fs::path destination = environment_ / "models" / model.destination;
        const std::string origin = model.source.empty() ? "its fetch step" : model.source;
        ProcessResult fetched;
        if (!model.source.empty()) {
            fetched = run_logged({python_.string(), "-c", fetch_script, model.source, destination.string(), model.sha256,
                                  model.unpack, json(model.files).dump()},
                                 std::chrono::hours(2));
        } else {
            // The library's own downloader (e.g. faster-whisper's): into a temporary folder, then renamed.
            const fs::path staging = destination.string() + ".part";
            fs::create_directories(destination.parent_path());
            // Not the pack's `environment`: that is for runs (HF_HUB_OFFLINE=1 would forbid this very download).
            fetched = run_logged({python_.string(), "-c", model.fetch, staging.string()}, std::chrono::hours(2));
            if (fetched.succeeded()) {
                for (const auto &[name, content] : model.files) std::ofstream(staging / name) << content;
                fs::rename(staging, destination);
            }
        }
        if (!fetched.succeeded())
            throw CallError(DUBHOST_STATUS_ERROR, "model-failed",
                            "cannot fetch model " + model.name + " from " + origin + ": " + fetched.last_lines(2),
                            "check the network (or the file) and run the install again; nothing was changed");
        json entry = {{"name", model.name}, {"path", model.destination}, {"source", origin}};
        if (!model.sha256.empty()) {
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
    if (!options_.force)
        if (const auto receipt = read_json(layout_.receipt); receipt && receipt->value("manifest_digest", "") == pack_.digest) {
            std::error_code error;
            const fs::path target = fs::read_symlink(layout_.current, error);
            if (!error && target.filename() == receipt->value("environment", "") && fs::exists(layout_.python(), error) &&
                receipt_has(*receipt, "models", options_.models) && receipt_has(*receipt, "extras", options_.extras)) {
                json answer = *receipt;
                answer["already_installed"] = true;
                return answer;
            }
        }
    check_request();
    const auto started = std::chrono::steady_clock::now();
    append_log(layout_.log, "=== install of pack " + pack_.id + " (manifest " + pack_.version + "), " + now_text());
    choose_sources();  // a missing source is known without probing any interpreter
    choose_python();
    throw_if_cancelled();
    create_environment();
    json candidate = install_candidates();
    json extras = install_extras();
    json models = provision_models();
    check_health();
    progress(0.95, "recording the install");
    ProcessResult listed =
        run_logged({python_.string(), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check", "--isolated"},
                   std::chrono::minutes(2));
    json packages = json::object();
    if (listed.succeeded())
        for (const auto &entry : json::parse(listed.out, nullptr, false))
            if (entry.is_object()) packages[entry.value("name", "")] = entry.value("version", "");
    json receipt = {{"pack", pack_.id},
                    {"manifest_version", pack_.version},
                    {"manifest_digest", pack_.digest},
                    {"python", {{"path", base_->path.string()}, {"version", base_->version}}},
                    {"candidate", candidate},
                    {"extras", extras},
                    {"packages", packages},
                    {"models", models},
                    {"source", source_},
                    {"environment", environment_.filename().string()},
                    {"installed_at", now_text()},
                    {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
                    {"disk_bytes", disk_bytes(environment_)}};
    receipt = switch_in(std::move(receipt));
    guard_->commit();
    append_log(layout_.log, "=== installed");
    progress(1.0, "pack " + pack_.id + " installed");
    receipt["already_installed"] = false;
    return receipt;
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
    if (receipt) status["receipt"] = *receipt;
    json system_missing = json::array();
    for (const auto &requirement : missing_system_requirements(pack))
        system_missing.push_back({{"kind", requirement.kind}, {"name", requirement.name}, {"install", requirement.install}});
    status["system_missing"] = system_missing;
    if (!system_missing.empty() && status["state"] == "installed") {
        status["state"] = "broken";
        status["problem"] =
            "needs " + system_missing[0]["name"].get<std::string>() + ": " + system_missing[0]["install"].get<std::string>();
    }
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
