// Interpreter discovery (python_interpreters.hpp): each candidate is run once to learn its version
// and whether it can make a venv.
#include <dubhost/support/python_interpreters.hpp>

#include <dubhost/support/process.hpp>

#include <algorithm>
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

std::pair<int, int> minor_and_micro(const std::string &version) {
    int major = 0, minor = -1, micro = 0;
    char dot = 0;
    std::istringstream in(version);
    in >> major >> dot >> minor >> dot >> micro;
    return {major == 3 ? minor : -1, micro};
}

}  // namespace

void to_json(nlohmann::json &out, const PythonInterpreter &interpreter) {
    out = nlohmann::json{{"path", interpreter.path.string()}, {"resolved", interpreter.resolved.string()},
                         {"version", interpreter.version},    {"runs", interpreter.runs},
                         {"venv", interpreter.has_venv},      {"problem", interpreter.problem}};
}

void to_json(nlohmann::json &out, const InterpreterChoice &choice) {
    out = nlohmann::json{{"chosen", choice.chosen ? nlohmann::json(*choice.chosen) : nlohmann::json()},
                         {"origin", choice.origin},
                         {"considered", nlohmann::json::array()}};
    for (const auto &candidate : choice.considered)
        out["considered"].push_back({{"interpreter", candidate.interpreter}, {"verdict", candidate.verdict}});
}

bool PythonRange::contains(const std::string &version) const {
    const int minor = minor_and_micro(version).first;
    return minor >= min_minor && minor <= max_minor;
}

PythonInterpreter probe_python(const fs::path &path) {
    std::error_code error;
    PythonInterpreter interpreter{path, fs::canonical(path, error), {}, false, false, {}};
    if (error) interpreter.resolved = path;
    ProcessRequest request;
    request.argv = {path.string(), "-c", probe_script};
    request.timeout = std::chrono::seconds(10);
    const ProcessResult result = run_process(request);
    if (!result.started) {
        interpreter.problem = result.start_error;
    } else if (!result.succeeded()) {
        const std::string last_line = result.last_lines(1);
        interpreter.problem = result.outcome() + (last_line.empty() ? "" : ": " + last_line);
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
            found.push_back(probe_python(candidate));
        }
    }
    return found;
}

InterpreterChoice choose_interpreter(const PythonRange &range, const std::optional<fs::path> &explicit_python) {
    InterpreterChoice choice;
    std::vector<PythonInterpreter> candidates;
    if (explicit_python) {
        choice.origin = "--python";
        candidates.push_back(probe_python(*explicit_python));
    } else if (const char *variable = std::getenv("DUBHOST_PYTHON"); variable && *variable) {
        choice.origin = "DUBHOST_PYTHON";
        candidates.push_back(probe_python(variable));
    } else {
        choice.origin = "search";
        candidates = discover_python_interpreters();
    }
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto &candidate = candidates[i];
        std::string verdict;
        if (!candidate.runs)
            verdict = "does not run: " + candidate.problem;
        else if (!range.contains(candidate.version))
            verdict = "Python " + candidate.version + " is outside this pack's range " + range.text();
        else if (!candidate.has_venv)
            verdict = candidate.problem;
        choice.considered.push_back({candidate, verdict});
        if (!verdict.empty()) continue;
        if (!best || minor_and_micro(candidate.version) > minor_and_micro(candidates[*best].version)) best = i;
    }
    for (std::size_t i = 0; i < choice.considered.size(); ++i) {
        if (best && i == *best)
            choice.considered[i].verdict = "chosen";
        else if (choice.considered[i].verdict.empty())
            choice.considered[i].verdict = "in range, but a newer one was found";
    }
    if (best) choice.chosen = candidates[*best];
    return choice;
}

}  // namespace dubhost
