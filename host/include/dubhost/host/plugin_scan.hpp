// Finding plugin files on the search path and turning one file into a loaded plugin or a rejection.
// Used by PluginRegistry, in-process or in a child scanner process (isolated_scan.hpp): the report is
// plain data with a JSON mapping.
#pragma once

#include "dubhost/host/host_services.hpp"
#include "dubhost/host/paths.hpp"
#include "dubhost/host/plugin_manifest.hpp"

#include <dubhost/plugin.h>
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dubhost {

// Why a plugin file was or was not accepted. Names are stable: they appear in `plugins --json`.
enum class ScanState {
    ok,
    not_a_library,         // empty, text, or not an ELF shared object
    missing_manifest,      // a library with no plugin.json naming it
    bad_manifest,          // plugin.json unreadable or missing fields
    load_failed,           // the dynamic loader refused it (e.g. an undefined symbol)
    missing_entry_symbol,  // no dubhost_plugin_entry
    incompatible,          // a different ABI major, or needs host extensions this host lacks
    bad_descriptor,        // the descriptor is NULL, too small, or inconsistent
    manifest_mismatch,     // plugin.json and the compiled descriptor disagree
    duplicate_id,          // another plugin (earlier on the search path) has the same id
    init_failed,           // the plugin's init refused to start
    crashed,               // loading it in the scanner process ended that process (signal, exit, abort)
    hung,                  // loading it in the scanner process did not finish in time
    disabled,              // turned off with `dubhost plugins disable ID`
    unsafe_permissions,    // the file or its folder is writable by other users (plugin_permissions.hpp)
};

// The state named `name` (as scan_state_name writes it), or nullopt.
std::optional<ScanState> scan_state_named(std::string_view name);

std::string_view scan_state_name(ScanState state);

struct PluginCandidate {
    std::filesystem::path library;        // the shared library (may not exist if a manifest names it)
    std::filesystem::path manifest_path;  // empty when no plugin.json names this library
    std::string origin;                   // which search-path entry found it
    std::filesystem::path search_folder;  // the search-path folder it was found under
};

struct ScanReport {
    PluginCandidate candidate;
    ScanState state = ScanState::ok;
    std::string reason;  // what is wrong and what to do, for the user
    std::optional<PluginManifest> manifest;
};

void to_json(nlohmann::json &out, const ScanReport &report);
// The report of a scanner child or of the scan cache (without the manifest); nullopt when malformed.
std::optional<ScanReport> scan_report_from_json(const nlohmann::json &document);

// Every plugin candidate below the search path, in search-path order: plugin.json folders and
// loose *.so files, in each search folder and its immediate subfolders. Missing folders are skipped.
std::vector<PluginCandidate> find_plugin_candidates(const std::vector<PluginSearchDir> &search_path);

// A library that passed every check. Libraries stay loaded until the process exits, because code
// from them (deleters, exception tables, threads) may still run until then. A registry may list a
// plugin from its plugin.json and its cached scan verdict alone and load the library only when one
// of its backends is called (plugin_registry.hpp): until then `descriptor` is null and `backends` empty.
struct LoadedPlugin {
    ScanReport report;
    PluginManifest manifest;  // as the descriptor states it, agreed with plugin.json
    const dubhost_plugin_descriptor *descriptor = nullptr;
    std::vector<const dubhost_backend *> backends;  // parallel to manifest.backends
};

// Reads the manifest, checks the file, loads it (RTLD_NOW | RTLD_LOCAL), checks the ABI major
// first, then the descriptor, cross-checks it with the manifest and runs init. `taken_ids` holds the
// ids of plugins already accepted; a candidate repeating one is rejected before its code is loaded.
// Never throws: every problem is a ScanReport with state and reason.
struct LoadResult {
    ScanReport report;
    std::unique_ptr<LoadedPlugin> plugin;  // set when report.state == ok
};
LoadResult load_plugin(const PluginCandidate &candidate, const std::vector<std::string> &taken_ids, const HostServices &services);
// Step 1 alone (plugin.json read and checked, the file's header checked, no code loaded): a plugin
// listed from its plugin.json, with no descriptor yet, or the rejection.
LoadResult describe_plugin(const PluginCandidate &candidate, const std::vector<std::string> &taken_ids);

}  // namespace dubhost
