#include "dubhost/host/plugin_manifest.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <tuple>

namespace dubhost {

void to_json(nlohmann::json &out, const BackendInfo &backend) {
    auto parse_or_raw = [](const std::string &text) {
        auto parsed = nlohmann::json::parse(text, nullptr, false);
        return parsed.is_discarded() ? nlohmann::json(text) : parsed;
    };
    out = nlohmann::json{{"id", backend.id},
                         {"capability", backend.capability},
                         {"capability_version", backend.capability_version},
                         {"version", backend.version},
                         {"priority", backend.priority},
                         {"parameters", parse_or_raw(backend.parameters_json)},
                         {"consumes", parse_or_raw(backend.consumes_json)},
                         {"produces", parse_or_raw(backend.produces_json)}};
}

void to_json(nlohmann::json &out, const PluginManifest &manifest) {
    out = nlohmann::json{{"id", manifest.id},
                         {"name", manifest.name},
                         {"version", manifest.version},
                         {"runtime", manifest.runtime},
                         {"pack", manifest.pack.empty() ? nlohmann::json() : nlohmann::json(manifest.pack)},
                         {"abi", {{"major", manifest.abi_major}, {"minor", manifest.abi_minor}}},
                         {"library", manifest.library},
                         {"backends", manifest.backends}};
}

PluginManifest parse_plugin_manifest(const std::string &text) {
    const auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) throw std::invalid_argument("plugin.json is not a JSON object");
    try {
        PluginManifest manifest;
        manifest.id = document.at("id").get<std::string>();
        manifest.name = document.value("name", manifest.id);
        manifest.version = document.at("version").get<std::string>();
        manifest.runtime = document.value("runtime", "native");
        manifest.pack = document.value("pack", "");
        manifest.abi_major = document.at("abi").at("major").get<std::uint32_t>();
        manifest.abi_minor = document.at("abi").at("minor").get<std::uint32_t>();
        manifest.library = document.at("library").get<std::string>();
        for (const auto &entry : document.at("backends")) {
            BackendInfo backend;
            backend.id = entry.at("id").get<std::string>();
            backend.capability = entry.at("capability").get<std::string>();
            backend.capability_version = entry.value("capability_version", 1u);
            backend.version = entry.value("version", manifest.version);
            backend.priority = entry.value("priority", 0);
            backend.parameters_json = entry.value("parameters", nlohmann::json::array()).dump();
            backend.consumes_json = entry.value("consumes", nlohmann::json::array()).dump();
            backend.produces_json = entry.value("produces", nlohmann::json::array()).dump();
            manifest.backends.push_back(std::move(backend));
        }
        if (manifest.id.empty()) throw std::invalid_argument("plugin.json has an empty id");
        return manifest;
    } catch (const nlohmann::json::exception &error) {
        throw std::invalid_argument(std::string("plugin.json is missing a field or has a wrong type: ") + error.what());
    }
}

std::vector<std::string> manifest_differences(const PluginManifest &disk, const PluginManifest &library) {
    std::vector<std::string> differences;
    auto compare = [&](const std::string &what, const std::string &a, const std::string &b) {
        if (a != b) differences.push_back(what + ": plugin.json says '" + a + "', the library says '" + b + "'");
    };
    compare("id", disk.id, library.id);
    compare("version", disk.version, library.version);
    compare("runtime", disk.runtime, library.runtime);
    compare("ABI", std::to_string(disk.abi_major) + "." + std::to_string(disk.abi_minor),
            std::to_string(library.abi_major) + "." + std::to_string(library.abi_minor));
    std::map<std::string, const BackendInfo *> in_library;
    for (const auto &backend : library.backends) in_library[backend.capability + "/" + backend.id] = &backend;
    for (const auto &backend : disk.backends) {
        const std::string key = backend.capability + "/" + backend.id;
        const auto found = in_library.find(key);
        if (found == in_library.end()) {
            differences.push_back("backend " + key + " is in plugin.json but not in the library");
            continue;
        }
        compare("backend " + key + " version", backend.version, found->second->version);
        compare("backend " + key + " priority", std::to_string(backend.priority), std::to_string(found->second->priority));
        // Compared as JSON: a C plugin spells its schema by hand, whitespace may differ.
        const auto declared = nlohmann::json::parse(backend.parameters_json, nullptr, false);
        const auto compiled = nlohmann::json::parse(found->second->parameters_json, nullptr, false);
        if (declared != compiled) compare("backend " + key + " parameters", declared.dump(), compiled.dump());
        // What it consumes and produces decides whether its stage can use it (stage_table.hpp), and is
        // read from plugin.json alone while the library is not loaded.
        for (const auto &[what, on_disk, built] :
             {std::tuple{"consumes", &backend.consumes_json, &found->second->consumes_json},
              std::tuple{"produces", &backend.produces_json, &found->second->produces_json}}) {
            const auto a = nlohmann::json::parse(*on_disk, nullptr, false), b = nlohmann::json::parse(*built, nullptr, false);
            if (a != b) compare("backend " + key + " " + what, a.dump(), b.dump());
        }
        in_library.erase(found);
    }
    for (const auto &[key, backend] : in_library)
        differences.push_back("backend " + key + " is in the library but not in plugin.json");
    return differences;
}

}  // namespace dubhost
