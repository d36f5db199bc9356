// pack.json: what a Python pack needs and how to install it (docs/reference/packs.md).
#pragma once

#include <dubhost/support/python_interpreters.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dubhost::packs {

// A Python module the candidate takes from the interpreter's own site-packages (e.g. Debian's CPU
// build of torch, python3-torch) instead of downloading it: the venv is made with
// --system-site-packages on an interpreter that imports it.
struct SystemModule {
    std::string module;   // importable name, e.g. "torch"
    std::string install;  // e.g. "apt-get install python3-torch"
    std::string note;     // what that costs, shown by --dry-run and in errors
};

// Packages installed from one index only, before the rest (e.g. torch from PyTorch's CPU index, so
// the package index's multi-GB CUDA build can never be chosen instead).
struct Preinstall {
    std::vector<std::string> requirements;
    std::string index_url;  // overridden by `dubhost pack install ID --preinstall-index URL`
};

struct InstallCandidate {
    std::string name;                                  // shown in logs and errors
    std::vector<std::string> requirements;             // pip requirement specs
    std::vector<std::string> pip_arguments;            // e.g. "--no-deps", "--only-binary=:all:"
    std::vector<std::vector<std::string>> bootstraps;  // installed first, each its own pip call (--no-deps)
    std::vector<SystemModule> system_modules;          // non-empty: a venv that sees the interpreter's packages
    std::optional<Preinstall> preinstall;
    double download_mb = 0, disk_mb = 0;  // measured on a real install (docs/reference/packs.md)
};

struct ModelToProvision {
    std::string name;
    std::string source;                        // URL (https://, file://) fetched by the pack's interpreter, or
    std::string fetch;                         // Python code run by the pack's interpreter with the destination as argv[1]
    std::string sha256;                        // of the downloaded file (required with `source`)
    std::string destination;                   // relative to the pack's models/ folder
    std::string environment;                   // variable the backend reads: the model's absolute path
    std::string unpack;                        // "tar.gz" or "zip": the download is an archive unpacked into destination/
    std::map<std::string, std::string> files;  // written into destination/ after unpacking (markers)
    bool optional = false;                     // only with `dubhost pack install ID --model NAME`
    std::string extra;                         // provisioned when this extra is installed (then implied)
};

// Packages installed on request on top of the chosen candidate (`dubhost pack install ID --extra
// NAME`), e.g. the diarization pack's pyannote.audio variant.
struct PackExtra {
    std::string name;
    std::vector<std::string> requirements;
    std::vector<std::string> pip_arguments;
    std::string note;  // what it needs from the user (a token, accepted terms), shown by status and errors
};

// Something outside the venv the pack's library loads or runs (libespeak-ng for pyttsx3, ffmpeg for
// spleeter): checked by status and before an install, with the command that provides it.
struct SystemRequirement {
    std::string kind;  // "library" (dlopen-able soname) or "program" (on PATH)
    std::string name;
    std::string install;  // e.g. "apt-get install libespeak-ng1"
};

struct PackManifest {
    std::string id;
    std::string version;  // of the manifest: a new version means a new install
    PythonRange python;
    std::vector<InstallCandidate> candidates;
    std::vector<std::string> constraints;
    std::vector<ModelToProvision> models;
    std::vector<PackExtra> extras;
    // Variables the health check and the runner get; "{models}" and "{venv}" expand to the
    // installed pack's folders (e.g. spleeter's MODEL_PATH = "{models}/pretrained_models").
    std::map<std::string, std::string> environment;
    std::vector<SystemRequirement> system;
    std::string health_check;  // Python source; exit code 0 = healthy
    double download_mb = 0, disk_mb = 0;
    std::string digest;  // sha-like digest of the manifest text: receipts record it
};

// Throws sdk::CallError (code "bad-pack-manifest") naming the file and the problem.
PackManifest read_pack_manifest(const std::filesystem::path &path);
PackManifest parse_pack_manifest(const nlohmann::json &document, const std::string &origin);

// The system requirements this machine lacks (empty when all are there).
std::vector<SystemRequirement> missing_system_requirements(const PackManifest &pack);

}  // namespace dubhost::packs
