// `dubhost pack list|status|install|remove|logs`. A pack belongs to the plugins whose plugin.json
// names it: everything goes through the owning backend's status and install entries (which run the
// pack runtime); only an orphaned pack (its plugin uninstalled) is removed by the host, which lent
// it the folder packs/<id>/.
#include "commands.hpp"

#include "dubhost/host/pack_owners.hpp"
#include "dubhost/host/paths.hpp"
#include "interrupt_guard.hpp"
#include "pack_summary.hpp"
#include "progress_display.hpp"

#include <CLI/CLI.hpp>
#include <dubhost/support/error.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>

namespace dubhost::cli {
namespace {

namespace fs = std::filesystem;

std::string megabytes(const nlohmann::json &bytes) {
    return bytes.is_number() ? std::to_string(bytes.get<std::uint64_t>() / (1024 * 1024)) + " MiB" : "?";
}

void print_status(const nlohmann::json &state) {
    std::cout << state["id"].get<std::string>() << ": " << state["state"].get<std::string>();
    if (!state.value("problem", std::string()).empty()) std::cout << " (" << state["problem"].get<std::string>() << ")";
    std::cout << "\n  plugin    " << state["plugin"].get<std::string>() << " (" << state["backends"].size() << " backend(s): ";
    for (std::size_t i = 0; i < state["backends"].size(); ++i)
        std::cout << (i ? ", " : "") << state["backends"][i].get<std::string>();
    std::cout << ")\n  python    " << state.value("python_range", std::string("?")) << "\n";
    if (state.contains("receipt") && state["receipt"].is_object()) {
        const auto &receipt = state["receipt"];
        std::cout << "  installed " << receipt.value("installed_at", std::string()) << " with Python "
                  << receipt["python"].value("version", std::string()) << " (" << receipt["python"].value("path", std::string())
                  << "), candidate " << receipt["candidate"].value("name", std::string()) << ", "
                  << megabytes(receipt["disk_bytes"]) << "\n  packages ";
        std::size_t shown = 0;
        for (const auto &[name, version] : receipt["packages"].items())
            if (name != "pip" && name != "setuptools")
                std::cout << (shown++ ? ", " : "") << name << " " << version.get<std::string>();
        std::cout << "\n";
    } else {
        std::cout << "  install   dubhost pack install " << state["id"].get<std::string>() << "\n";
    }
    std::cout << "  log       " << state.value("log", std::string()) << "\n";
}

struct InstallArguments {
    std::string id, wheelhouse, index_url, python, preinstall_index;
    std::vector<std::string> models, extras, model_dirs, model_archives;
    bool offline = false, force = false, dry_run = false;
};

// "[NAME=]PATH" values as {name: absolute path}; no name stands for the pack's default model.
nlohmann::json named_paths(const std::vector<std::string> &values) {
    nlohmann::json paths = nlohmann::json::object();
    for (const auto &value : values) {
        const auto equals = value.find('=');
        const bool named = equals != std::string::npos && value.find('/') > equals;
        paths[named ? value.substr(0, equals) : ""] = fs::absolute(named ? value.substr(equals + 1) : value).string();
    }
    return paths;
}

std::string figure(const nlohmann::json &megabytes) {
    return megabytes.is_number() && megabytes.get<double>() > 0 ? std::to_string(std::lround(megabytes.get<double>())) + " MB"
                                                                : "not measured";
}

void print_plan(const nlohmann::json &plan) {
    std::cout << "dry run: nothing was downloaded or changed\n"
              << "pack " << plan["pack"].get<std::string>() << (plan.value("already_installed", false) ? " (installed now)" : "")
              << "\n  python    " << plan["python"]["version"].get<std::string>() << " ("
              << plan["python"]["path"].get<std::string>() << ")\n";
    for (const auto &candidate : plan["candidates"]) {
        std::cout << "  candidate " << candidate["name"].get<std::string>() << ": ";
        if (candidate["usable"].get<bool>())
            std::cout << "download " << figure(candidate["download_mb"]) << ", disk " << figure(candidate["disk_mb"])
                      << (candidate.contains("needs_index") ? ", needs " + candidate["needs_index"].get<std::string>() : "")
                      << (plan["candidate"] == candidate["name"] ? "  <- would be tried first" : "") << "\n";
        else
            std::cout << "not usable: " << candidate["reason"].get<std::string>() << "\n";
    }
    for (const auto &model : plan["models"]) {
        std::cout << "  model     " << model["name"].get<std::string>() << " from " << model["from"].get<std::string>() << "\n";
        if (model.contains("without_network"))
            std::cout << "            without network: " << model["without_network"].get<std::string>() << "\n";
    }
    for (const auto &missing : plan["system_missing"])
        std::cout << "  missing   " << missing["name"].get<std::string>() << ": " << missing["install"].get<std::string>()
                  << "\n";
    if (plan["candidate"].is_null()) std::cout << "  no candidate is usable on this machine: see the reasons above\n";
}

void install(CliContext &context, const InstallArguments &arguments) {
    const auto owners = pack_owners(context.registry());
    const PackOwner &owner = require_pack_owner(owners, arguments.id);
    nlohmann::json request = {{"offline", arguments.offline}, {"force", arguments.force}};
    if (!arguments.wheelhouse.empty()) request["wheelhouse"] = fs::absolute(arguments.wheelhouse).string();
    if (!arguments.index_url.empty()) request["index_url"] = arguments.index_url;
    if (!arguments.python.empty()) request["python"] = arguments.python;
    if (!arguments.models.empty()) request["models"] = arguments.models;
    if (!arguments.extras.empty()) request["extras"] = arguments.extras;
    if (!arguments.preinstall_index.empty()) request["preinstall_index"] = arguments.preinstall_index;
    if (!arguments.model_dirs.empty()) request["model_dirs"] = named_paths(arguments.model_dirs);
    if (!arguments.model_archives.empty()) request["model_archives"] = named_paths(arguments.model_archives);
    if (arguments.dry_run) request["dry_run"] = true;

    HostServices &services = context.services();
    ProgressDisplay progress("pack " + arguments.id, context.options.json    ? ProgressDisplay::Mode::json_lines
                                                     : context.options.quiet ? ProgressDisplay::Mode::quiet
                                                                             : ProgressDisplay::Mode::automatic);
    const CallScope scope(
        services, {{}, [&progress](double fraction, const std::string &message) { progress.update(fraction, message); }, {}});
    nlohmann::json receipt;
    try {
        const InterruptGuard interrupts(services);
        receipt = install_pack(services, owner, request);
    } catch (...) {
        progress.finish();  // the progress line ends before the error is printed
        throw;
    }
    progress.finish();
    if (context.options.json) return CliContext::print_json(receipt);
    if (receipt.value("dry_run", false)) return print_plan(receipt);
    if (receipt.value("already_installed", false))
        std::cout << "pack " << arguments.id << " is already installed (" << receipt.value("installed_at", std::string())
                  << "); --force installs it again\n";
    else
        std::cout << "installed pack " << arguments.id << " in " << static_cast<int>(receipt.value("seconds", 0.0))
                  << " s: Python " << receipt["python"].value("version", std::string()) << ", candidate "
                  << receipt["candidate"].value("name", std::string()) << ", " << megabytes(receipt["disk_bytes"]) << "\n";
}

}  // namespace

void add_pack_commands(CLI::App &app, CliContext &context, Action &action) {
    auto *pack = app.add_subcommand("pack", "Python packs: list, status, install, remove, logs");
    pack->require_subcommand(1);

    auto *list = pack->add_subcommand("list", "Every pack the installed plugins provide, and its state");
    list->add_flag("--json", context.options.json, "Print a JSON document");
    list->callback([&context, &action] {
        action = [&context] {
            nlohmann::json packs = nlohmann::json::array();
            for (const auto &[id, owner] : pack_owners(context.registry()))
                packs.push_back(pack_state(context.services(), id, owner));
            if (context.options.json) return CliContext::print_json({{"packs", packs}});
            if (packs.empty()) std::cout << "no pack-backed plugin is installed (see `dubhost plugins`)\n";
            for (const auto &state : packs) print_pack_summary(std::cout, state, "");
        };
    });

    static std::string status_id;
    auto *status = pack->add_subcommand("status", "One pack: state, interpreter, packages, disk use, log");
    status->add_option("ID", status_id, "Pack id")->required();
    status->add_flag("--json", context.options.json, "Print a JSON document");
    status->callback([&context, &action] {
        action = [&context] {
            require_pack_id(status_id);
            const auto owners = pack_owners(context.registry());
            const nlohmann::json state = pack_state(context.services(), status_id, require_pack_owner(owners, status_id));
            if (context.options.json) return CliContext::print_json(state);
            print_status(state);
        };
    });

    static InstallArguments arguments;
    auto *install_command = pack->add_subcommand("install", "Install a pack: a venv of its own, checked before it is used");
    install_command->add_option("ID", arguments.id, "Pack id")->required();
    install_command->add_option("--wheelhouse", arguments.wheelhouse, "A folder of wheels to install from (pip --find-links)");
    install_command->add_option("--index-url", arguments.index_url, "A package index to install from");
    install_command->add_flag("--offline", arguments.offline, "Never use the network (needs --wheelhouse or --index-url)");
    install_command->add_option("--python", arguments.python, "The interpreter to build the venv with");
    install_command->add_flag("--force", arguments.force, "Install again even when installed");
    install_command->add_option("--model", arguments.models, "Also provision this optional model (repeatable)");
    install_command->add_option("--extra", arguments.extras, "Also install this extra of the pack, e.g. pyannote (repeatable)");
    install_command->add_option(
        "--model-dir", arguments.model_dirs,
        "[NAME=]DIR: use this folder as the model (default: the pack's main model) instead of a download");
    install_command->add_option("--model-archive", arguments.model_archives,
                                "[NAME=]FILE: the model's published archive, brought as a file (checked by sha256)");
    install_command->add_option("--preinstall-index", arguments.preinstall_index,
                                "The index a candidate's preinstall step uses (diarization: CPU-only torch wheels)");
    install_command->add_flag("--dry-run", arguments.dry_run,
                              "Say which interpreter and candidate would be used, the download and disk size, and what the "
                              "machine lacks; download nothing");
    install_command->add_flag("--json", context.options.json, "Print the receipt as JSON");
    install_command->callback([&context, &action] {
        action = [&context] {
            require_pack_id(arguments.id);
            install(context, arguments);
        };
    });

    static std::string remove_id;
    auto *remove = pack->add_subcommand("remove", "Delete a pack's venv, models and log from the workspace");
    remove->add_option("ID", remove_id, "Pack id")->required();
    remove->callback([&context, &action] {
        action = [&context] {
            require_pack_id(remove_id);
            const auto owners = pack_owners(context.registry());
            if (owners.count(remove_id)) {
                const nlohmann::json removed = remove_pack(context.services(), owners.at(remove_id));
                std::cout << (removed.value("removed", false) ? "removed pack " : "pack ") << remove_id
                          << (removed.value("removed", false) ? "" : " is not installed") << " ("
                          << removed.value("folder", std::string()) << ")\n";
                return;
            }
            // No plugin speaks for it any more: the host removes the folder it lent the pack.
            const fs::path packs = packs_folder(fs::absolute(context.workspace_path()));
            if (remove_orphaned_pack(packs, remove_id))
                std::cout << "removed pack " << remove_id << " (" << (packs / remove_id).string()
                          << "; no installed plugin provides it)\n";
            else
                std::cout << "pack " << remove_id << " is not installed in " << packs.string() << "\n";
        };
    });

    static std::string logs_id;
    auto *logs = pack->add_subcommand("logs", "Print a pack's install log (every install, appended)");
    logs->add_option("ID", logs_id, "Pack id")->required();
    logs->callback([&context, &action] {
        action = [&context] {
            require_pack_id(logs_id);
            const auto owners = pack_owners(context.registry());
            const nlohmann::json state = pack_state(context.services(), logs_id, require_pack_owner(owners, logs_id));
            std::ifstream in(state.value("log", std::string()));
            if (!in)
                throw user_error("no-pack-log", "pack " + logs_id + " has no install log in " + context.workspace_path().string(),
                                 "install it: `dubhost pack install " + logs_id + "`");
            std::cout << in.rdbuf();
        };
    });
}

}  // namespace dubhost::cli
