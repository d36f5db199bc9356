// plugin.json, read and written: what a plugin says it is and provides, before its library is
// loaded; and how what is on disk differs from what the library says of itself.
#include "dubhost/host/plugin_manifest.hpp"

#include <dubhost/support/json_fields.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
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

namespace {

// A whole number field of plugin.json within [low, high] (required when there is no fallback);
// anything else is refused by name.
std::int64_t whole_field(const nlohmann::json &object, const char *key, std::optional<std::int64_t> fallback, std::int64_t low,
                         std::int64_t high, const std::string &where) {
    const auto found = object.find(key);
    if (found == object.end()) {
        if (fallback) return *fallback;
        throw std::invalid_argument("plugin.json: " + where + key + " is missing");
    }
    if (const auto number = whole_number(*found, low, high)) return *number;
    throw std::invalid_argument("plugin.json: " + where + key + " must be a whole number from " + std::to_string(low) + " to " +
                                std::to_string(high) + ", not " + found->dump());
}

}  // namespace

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
        constexpr std::int64_t largest_abi = 0xffffffff;
        const auto &abi = document.at("abi");
        if (!abi.is_object()) throw std::invalid_argument("plugin.json: abi must be {\"major\": N, \"minor\": N}");
        manifest.abi_major = static_cast<std::uint32_t>(whole_field(abi, "major", std::nullopt, 0, largest_abi, "abi."));
        manifest.abi_minor = static_cast<std::uint32_t>(whole_field(abi, "minor", std::nullopt, 0, largest_abi, "abi."));
        manifest.library = document.at("library").get<std::string>();
        for (const auto &entry : document.at("backends")) {
            BackendInfo backend;
            backend.id = entry.at("id").get<std::string>();
            backend.capability = entry.at("capability").get<std::string>();
            if (!entry.is_object()) throw std::invalid_argument("plugin.json: every backend must be an object");
            const std::string where = "backend " + entry.value("id", std::string("?")) + ": ";
            backend.capability_version =
                static_cast<std::uint32_t>(whole_field(entry, "capability_version", 1, 0, 0xffffffff, where));
            backend.version = entry.value("version", manifest.version);
            backend.priority = static_cast<int>(whole_field(entry, "priority", 0, -1000000, 1000000, where));
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
