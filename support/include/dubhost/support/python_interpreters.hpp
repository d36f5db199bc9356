// Finding Python interpreters and choosing one for a pack: `--python PATH` > `DUBHOST_PYTHON` > the
// newest interpreter on PATH and the usual locations whose version is inside the pack's range and
// that can make a venv. Every candidate is reported with why it was or was not used.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
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

// Runs `path` to learn its version and whether it can make venvs.
PythonInterpreter probe_python(const std::filesystem::path &path);

// python3 and python3.8 ... python3.13 on PATH, in /usr/bin, /usr/local/bin and ~/.pyenv/versions.
std::vector<PythonInterpreter> discover_python_interpreters();

// An inclusive range of minor versions, e.g. 3.8 to 3.11.
struct PythonRange {
    int min_minor = 8, max_minor = 13;  // Python 3 only
    std::string text() const { return "3." + std::to_string(min_minor) + "-3." + std::to_string(max_minor); }
    bool contains(const std::string &version) const;
};

struct ConsideredInterpreter {
    PythonInterpreter interpreter;
    std::string verdict;  // "chosen", or why not
};

struct InterpreterChoice {
    std::optional<PythonInterpreter> chosen;
    std::string origin;  // "--python", "DUBHOST_PYTHON" or "search"
    std::vector<ConsideredInterpreter> considered;
};

void to_json(nlohmann::json &out, const InterpreterChoice &choice);

// `explicit_python` is the --python value. An explicit or DUBHOST_PYTHON interpreter is the only
// candidate: when it does not fit, the choice is empty (the user asked for that one).
InterpreterChoice choose_interpreter(const PythonRange &range, const std::optional<std::filesystem::path> &explicit_python);

}  // namespace dubhost
