// State shared by the dubhost CLI commands: global options, and the workspace and plugin registry,
// each built on first use so `dubhost --version` or `dubhost items` load no plugin code.
#pragma once

#include "dubhost/host/host_services.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "dubhost/host/workspace.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dubhost::cli {

struct GlobalOptions {
    std::string workspace;                  // --workspace; empty means the default
    std::vector<std::string> plugin_paths;  // --plugin-path (repeatable)
    bool safe_mode = false;                 // --safe-mode
    bool in_process = false;                // --in-process: jobs run inside this process (debugging)
    int verbosity = 0;                      // -v count
    bool quiet = false;                     // --quiet
    bool json = false;                      // --json on the chosen command
};

class CliContext {
public:
    GlobalOptions options;
    // What the process exits with when the action returns normally (a batch with failed tasks
    // reports them, then exits 2).
    int exit_code = 0;

    std::filesystem::path workspace_path() const;
    Workspace &workspace();  // opens (and creates) it
    HostServices &services();
    const PluginRegistry &registry();

    // Prints a document as the command's --json output (stable; docs/reference/cli.md).
    static void print_json(const nlohmann::json &document);

private:
    std::optional<Workspace> workspace_;
    std::unique_ptr<HostServices> services_;
    std::optional<PluginRegistry> registry_;
};

}  // namespace dubhost::cli
