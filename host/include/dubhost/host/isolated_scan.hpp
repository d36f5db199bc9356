// Loading a plugin library first in a child process, so a library that segfaults in a static
// initialiser, aborts or exits in init, or never returns costs the host nothing: the child is the
// dubhost binary re-executed as `dubhost __scan-plugin LIBRARY MANIFEST ORIGIN`, which loads the
// candidate exactly as the host would and sends its ScanReport on the protocol channel (fd 3,
// support/channel.hpp): {"type": "report", "report": {...}}. Its stdout is the plugin's own.
#pragma once

#include "dubhost/host/plugin_scan.hpp"

#include <chrono>
#include <filesystem>

namespace dubhost {

inline constexpr const char *scanner_mode_argument = "__scan-plugin";
inline constexpr int scanner_channel_protocol = 1;

// The verdict on `candidate` from a child `scanner` process: its report when it finished, or a
// `crashed` / `hung` report naming the signal or exit code and its last stderr lines.
ScanReport scan_in_child(const PluginCandidate &candidate, const std::filesystem::path &scanner,
                         std::chrono::milliseconds timeout);

// The child's side (argv as given to main, argv[1] == scanner_mode_argument): returns the exit code.
int run_scanner_mode(int argc, char **argv);

}  // namespace dubhost
