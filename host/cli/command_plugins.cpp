// `dubhost plugins` and `dubhost backends`.
#include "commands.hpp"

#include "dubhost/host/backend_selection.hpp"
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/isolated_scan.hpp"
#include "dubhost/host/paths.hpp"
#include "dubhost/host/plugin_settings.hpp"
#include "dubhost/host/record_json.hpp"
#include "dubhost/host/stage_table.hpp"

#include <CLI/CLI.hpp>
#include <dubhost/support/error.hpp>

#include <iostream>

namespace dubhost::cli {
namespace {

nlohmann::json plugins_document(CliContext &context) {
    nlohmann::json document = plugins_json(context.registry());
    nlohmann::json search = nlohmann::json::array();
    std::vector<std::filesystem::path> dirs(context.options.plugin_paths.begin(), context.options.plugin_paths.end());
    for (const auto &dir : plugin_search_path(dirs, context.options.safe_mode))
        search.push_back({{"path", dir.path.string()}, {"origin", dir.origin}});
    document["search_path"] = search;
    return document;
}

void print_plugins(const nlohmann::json &document, bool verbose) {
    if (verbose) {
        std::cout << "Search path:\n";
        for (const auto &dir : document["search_path"])
            std::cout << "  " << dir["path"].get<std::string>() << "  (" << dir["origin"].get<std::string>() << ")\n";
    }
    std::cout << "Plugins (" << document["plugins"].size() << " loaded):\n";
    if (document["plugins"].empty()) std::cout << "  none found on the search path (dubhost plugins --verbose shows it)\n";
    for (const auto &plugin : document["plugins"]) {
        std::cout << "  " << plugin["id"].get<std::string>() << " " << plugin["version"].get<std::string>() << "  ("
                  << plugin["runtime"].get<std::string>() << ")  " << plugin["path"].get<std::string>() << "\n";
        for (const auto &backend : plugin["backends"])
            std::cout << "    " << backend["capability"].get<std::string>() << "/" << backend["id"].get<std::string>()
                      << "  version " << backend["version"].get<std::string>() << ", priority " << backend["priority"].get<int>()
                      << "\n";
    }
    if (!document["rejected"].empty()) {
        std::cout << "Rejected (" << document["rejected"].size() << "):\n";
        for (const auto &rejected : document["rejected"])
            std::cout << "  " << rejected["path"].get<std::string>() << "\n    " << rejected["state"].get<std::string>() << ": "
                      << rejected["reason"].get<std::string>() << "\n";
    }
    if (!document["rejected_backends"].empty()) {
        std::cout << "Backends not used (" << document["rejected_backends"].size() << "):\n";
        for (const auto &backend : document["rejected_backends"])
            std::cout << "  " << backend["capability"].get<std::string>() << "/" << backend["id"].get<std::string>() << " of "
                      << backend["plugin"].get<std::string>() << ": " << backend["reason"].get<std::string>() << "\n";
    }
}

void print_backends(const std::vector<BackendChoice> &choices) {
    for (const auto &choice : choices) {
        std::cout << choice.capability << ": ";
        if (choice.selected)
            std::cout << choice.candidates[*choice.selected].backend.info->id << " (" << choice.reason << ")\n";
        else
            std::cout << "none (" << choice.reason << ")\n";
        for (std::size_t i = 0; i < choice.candidates.size(); ++i) {
            const auto &candidate = choice.candidates[i];
            std::cout << "  " << (choice.selected == i ? "* " : "  ") << candidate.backend.info->id << "  ["
                      << candidate.backend.plugin->manifest.id << " " << candidate.backend.info->version << ", priority "
                      << candidate.backend.info->priority << "]  " << (candidate.installed ? "installed" : "not installed");
            const auto missing = candidate.status.find("missing");
            if (!candidate.installed && missing != candidate.status.end() && missing->is_array() && !missing->empty())
                std::cout << ": missing " << missing->dump();
            else if (!candidate.installed && candidate.status.contains("message"))
                std::cout << ": " << candidate.status.value("message", std::string());
            std::cout << "\n";
        }
    }
}

// `plugins disable|enable ID`: the id must be one a plugin on the search path has (loaded or not).
void set_plugin_disabled(CliContext &context, const std::string &id, bool disable) {
    bool known = false;
    for (const auto &plugin : context.registry().plugins()) known = known || plugin->manifest.id == id;
    for (const auto &rejected : context.registry().rejected())
        known = known || (rejected.manifest && rejected.manifest->id == id);
    const auto settings = plugin_settings_path();
    std::set<std::string> disabled = load_disabled_plugins(settings);
    if (!known && !disabled.count(id))
        throw user_error("no-such-plugin", "no plugin with id '" + id + "' is on the search path",
                         "see the ids with `dubhost plugins`");
    const bool changed = disable ? disabled.insert(id).second : disabled.erase(id) > 0;
    if (changed) save_disabled_plugins(settings, disabled);
    std::cout << "plugin " << id << (changed ? " is now " : " was already ") << (disable ? "disabled" : "enabled")
              << " on this machine (" << settings.string() << ")\n";
}

// `plugin check PATH`: the isolated verdict on one file; when it passes, its backends' status too.
void check_plugin(CliContext &context, const std::filesystem::path &path) {
    const std::filesystem::path library = std::filesystem::absolute(path);
    const std::filesystem::path manifest = library.parent_path() / "plugin.json";
    std::error_code error;
    const PluginCandidate candidate{
        library, std::filesystem::exists(manifest, error) ? manifest : std::filesystem::path(), "plugin check", {}};
    const ScanReport verdict = scan_in_child(candidate, executable_path(), std::chrono::seconds(10));
    nlohmann::json document = {{"verdict", verdict}, {"backends", nlohmann::json::array()}};
    if (verdict.state == ScanState::ok) {
        LoadResult loaded = load_plugin(candidate, {}, context.services());
        if (loaded.plugin)
            for (std::size_t i = 0; i < loaded.plugin->backends.size(); ++i) {
                const CallOutcome status =
                    call_backend(*loaded.plugin->backends[i], BackendEntry::status, context.services(), nlohmann::json::object());
                document["backends"].push_back({{"capability", loaded.plugin->manifest.backends[i].capability},
                                                {"id", loaded.plugin->manifest.backends[i].id},
                                                {"status_ok", status.ok()},
                                                {"status", status.document}});
            }
    }
    if (context.options.json) {
        CliContext::print_json(document);
    } else {
        std::cout << library.string() << ": " << (verdict.state == ScanState::ok ? "ok" : scan_state_name(verdict.state)) << "\n";
        if (!verdict.reason.empty()) std::cout << "  " << verdict.reason << "\n";
        for (const auto &backend : document["backends"])
            std::cout << "  " << backend["capability"].get<std::string>() << "/" << backend["id"].get<std::string>()
                      << ": status " << (backend["status_ok"].get<bool>() ? "answers " : "fails: ") << backend["status"].dump()
                      << "\n";
    }
    if (verdict.state != ScanState::ok)
        throw Failure(ErrorKind::backend, "plugin-rejected",
                      library.string() + " would be rejected (" + std::string(scan_state_name(verdict.state)) + ")",
                      "fix what the reason says, then run `dubhost plugin check " + path.string() + "` again");
}

}  // namespace

void add_plugin_commands(CLI::App &app, CliContext &context, Action &action) {
    auto *plugins = app.add_subcommand("plugins", "List loaded plugins, their backends, and rejected files with reasons");
    static bool verbose = false;
    plugins->add_flag("--json", context.options.json, "Print JSON: {plugins, rejected, search_path}");
    plugins->add_flag("--verbose", verbose, "Also show the plugin search path");
    static std::string toggled_id;
    auto *disable = plugins->add_subcommand("disable", "Stop loading a plugin on this machine (kept on disk)");
    disable->add_option("ID", toggled_id, "Plugin id (see `dubhost plugins`)")->required();
    disable->callback([&context, &action] { action = [&context] { set_plugin_disabled(context, toggled_id, true); }; });
    auto *enable = plugins->add_subcommand("enable", "Load a disabled plugin again");
    enable->add_option("ID", toggled_id, "Plugin id")->required();
    enable->callback([&context, &action] { action = [&context] { set_plugin_disabled(context, toggled_id, false); }; });

    auto *plugin = app.add_subcommand("plugin", "One plugin file");
    plugin->require_subcommand(1);
    static std::string checked_path;
    auto *check = plugin->add_subcommand("check", "Load a plugin file in isolation and print the verdict (nothing installed)");
    check->add_option("PATH", checked_path, "The plugin's shared library")->required();
    check->add_flag("--json", context.options.json, "Print JSON: {verdict, backends}");
    check->callback([&context, &action] { action = [&context] { check_plugin(context, checked_path); }; });

    plugins->callback([&context, &action, disable, enable] {
        if (disable->parsed() || enable->parsed()) return;
        action = [&context] {
            const auto document = plugins_document(context);
            if (context.options.json)
                CliContext::print_json(document);
            else
                print_plugins(document, verbose);
        };
    });

    auto *backends =
        app.add_subcommand("backends", "Per capability: available backends, installed or not, and which is selected and why");
    backends->add_flag("--json", context.options.json, "Print JSON: {backends: [{capability, backends, selected, reason}]}");
    static std::string set_capability, set_backend;
    auto *set = backends->add_subcommand("set", "Prefer a backend for a capability on this machine (the machine profile)");
    set->add_option("CAPABILITY", set_capability, "A stage (" + stage_list() + ") or another capability")->required();
    set->add_option("ID", set_backend, "Backend id (see `dubhost backends`)")->required();
    set->callback([&context, &action] {
        action = [&context] {
            if (!context.registry().find(set_capability, set_backend))
                throw user_error("no-such-backend", "no " + set_capability + " backend '" + set_backend + "' is loaded here",
                                 "see the available ones with `dubhost backends`");
            const auto path = profile_path();
            MachineProfile profile = load_machine_profile(path);
            profile.preferred[set_capability] = set_backend;
            save_machine_profile(profile);
            std::cout << set_capability << " now prefers " << set_backend << " on this machine (" << path.string() << ")\n";
        };
    });
    backends->callback([&context, &action, set] {
        if (set->parsed()) return;
        action = [&context] {
            const auto choices = choose_backends(context.registry(), context.services(), load_machine_profile(profile_path()));
            if (context.options.json)
                CliContext::print_json({{"backends", choices}, {"profile", profile_path().string()}});
            else
                print_backends(choices);
        };
    });
}

}  // namespace dubhost::cli
