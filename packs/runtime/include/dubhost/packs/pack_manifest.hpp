// pack.json: what a Python pack needs and how to install it (docs/reference/packs.md).
#pragma once

#include "dubhost/packs/python_interpreters.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace dubhost::packs {

struct InstallCandidate {
    std::string name;                                  // shown in logs and errors
    std::vector<std::string> requirements;             // pip requirement specs
    std::vector<std::string> pip_arguments;            // e.g. "--no-deps", "--only-binary=:all:"
    std::vector<std::vector<std::string>> bootstraps;  // installed first, each its own pip call (--no-deps)
};

struct ModelToProvision {
    std::string name;
    std::string source;       // URL (https://, file://) fetched by the pack's interpreter
    std::string sha256;       // of the downloaded file
    std::string destination;  // relative to the pack's models/ folder
    std::string environment;  // variable the backend reads: the model's absolute path
};

struct PackManifest {
    std::string id;
    std::string version;  // of the manifest: a new version means a new install
    PythonRange python;
    std::vector<InstallCandidate> candidates;
    std::vector<std::string> constraints;
    std::vector<ModelToProvision> models;
    std::string health_check;  // Python source; exit code 0 = healthy
    double download_mb = 0, disk_mb = 0;
    std::string digest;  // sha-like digest of the manifest text: receipts record it
};

// Throws sdk::CallError (code "bad-pack-manifest") naming the file and the problem.
PackManifest read_pack_manifest(const std::filesystem::path &path);
PackManifest parse_pack_manifest(const nlohmann::json &document, const std::string &origin);

}  // namespace dubhost::packs
