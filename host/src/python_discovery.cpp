#include "dubhost/host/python_discovery.hpp"

#include "dubhost/host/child_process.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <set>
#include <sstream>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

// One line: "<major>.<minor>.<micro> <venv 0|1>".
constexpr const char *probe_script =
    "import sys, importlib.util as u\n"
    "ok = all(u.find_spec(m) is not None for m in ('venv', 'ensurepip'))\n"
    "print('%d.%d.%d %d' % (sys.version_info[0], sys.version_info[1], sys.version_info[2], ok))\n";

std::vector<std::string> interpreter_names() {
    std::vector<std::string> names = {"python3"};
    for (int minor = 8; minor <= 13; ++minor) names.push_back("python3." + std::to_string(minor));
    return names;
}

std::vector<fs::path> search_folders() {
    std::vector<fs::path> folders;
    if (const char *path = std::getenv("PATH")) {
        std::stringstream entries(path);
        for (std::string entry; std::getline(entries, entry, ':');)
            if (!entry.empty()) folders.emplace_back(entry);
    }
    folders.emplace_back("/usr/bin");
    folders.emplace_back("/usr/local/bin");
    if (const char *home = std::getenv("HOME")) {
        std::error_code error;
        for (fs::directory_iterator it(fs::path(home) / ".pyenv" / "versions", error), end; !error && it != end;
             it.increment(error))
            folders.push_back(it->path() / "bin");
    }
    return folders;
}

PythonInterpreter probe(const fs::path &path, const fs::path &resolved) {
    PythonInterpreter interpreter{path, resolved, {}, false, false, {}};
    const ChildResult result = run_child({path.string(), "-c", probe_script}, std::chrono::seconds(10));
    if (!result.started) {
        interpreter.problem = result.start_error;
    } else if (result.timed_out) {
        interpreter.problem = "did not answer within 10 s";
    } else if (result.exit_code != 0) {
        std::string last_line = result.err.substr(0, result.err.find('\n'));
        interpreter.problem = "exited with " + std::to_string(result.exit_code) + (last_line.empty() ? "" : ": " + last_line);
    } else {
        std::istringstream answer(result.out);
        int venv = 0;
        answer >> interpreter.version >> venv;
        interpreter.runs = !interpreter.version.empty();
        interpreter.has_venv = venv == 1;
        if (!interpreter.has_venv)
            interpreter.problem = "no venv/ensurepip module: install python3-venv (apt-get install python3-venv)";
    }
    return interpreter;
}

}  // namespace

void to_json(nlohmann::json &out, const PythonInterpreter &interpreter) {
    out = nlohmann::json{{"path", interpreter.path.string()}, {"resolved", interpreter.resolved.string()},
                         {"version", interpreter.version},    {"runs", interpreter.runs},
                         {"venv", interpreter.has_venv},      {"problem", interpreter.problem}};
}

std::vector<PythonInterpreter> discover_python_interpreters() {
    std::vector<PythonInterpreter> found;
    std::set<fs::path> seen;
    for (const auto &folder : search_folders()) {
        for (const auto &name : interpreter_names()) {
            const fs::path candidate = folder / name;
            std::error_code error;
            if (!fs::exists(candidate, error)) continue;
            const fs::path resolved = fs::canonical(candidate, error);
            if (error || !seen.insert(resolved).second) continue;
            found.push_back(probe(candidate, resolved));
        }
    }
    return found;
}

}  // namespace dubhost
