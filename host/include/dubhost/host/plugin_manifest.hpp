// plugin.json: what a plugin says about itself, read before any of its code is loaded.
// Used by the plugin scanner (cross-check against the descriptor) and by `dubhost plugins`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dubhost {

struct BackendInfo {
    std::string id;
    std::string capability;
    std::uint32_t capability_version = 1;
    std::string version;
    std::int32_t priority = 0;
    std::string parameters_json = "[]";
    std::string consumes_json = "[]";
    std::string produces_json = "[]";
};

struct PluginManifest {
    std::string id;
    std::string name;
    std::string version;
    std::string runtime = "native";
    std::string pack;  // the Python pack its backends run on ("pack" in plugin.json), if any
    std::uint32_t abi_major = 0;
    std::uint32_t abi_minor = 0;
    std::string library;  // file name beside plugin.json
    std::vector<BackendInfo> backends;
};

void to_json(nlohmann::json &out, const BackendInfo &backend);
void to_json(nlohmann::json &out, const PluginManifest &manifest);

// Parses a manifest document. Throws std::invalid_argument with a readable reason.
PluginManifest parse_plugin_manifest(const std::string &text);

// Differences between the manifest on disk and the descriptor compiled into the library, as
// readable sentences; empty when they agree on id, version, ABI and every backend's identity.
std::vector<std::string> manifest_differences(const PluginManifest &on_disk, const PluginManifest &in_library);

}  // namespace dubhost
