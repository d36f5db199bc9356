// Finding the Python interpreters on this machine and what each can do (version, venv support).
// Used by `dubhost doctor` now and by the pack runtime's interpreter choice later.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace dubhost {

struct PythonInterpreter {
    std::filesystem::path path;      // as found (PATH entry or well-known location)
    std::filesystem::path resolved;  // after following links; duplicates are folded by this
    std::string version;             // "3.11.2", empty when it did not run
    bool runs = false;
    bool has_venv = false;  // venv + ensurepip importable (Debian: python3-venv)
    std::string problem;    // why it did not run, or what is missing
};

void to_json(nlohmann::json &out, const PythonInterpreter &interpreter);

// python3 and python3.8 ... python3.13 on PATH, in /usr/bin, /usr/local/bin and ~/.pyenv/versions.
std::vector<PythonInterpreter> discover_python_interpreters();

}  // namespace dubhost
