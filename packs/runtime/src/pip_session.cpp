// Logged, cancellable, retried runs of Python and pip for one pack install (pip_session.hpp).
#include "pip_session.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

namespace dubhost::packs {

void PipSession::note(const std::string &line) const { std::ofstream(settings_.log, std::ios::app) << line << '\n'; }

void PipSession::throw_if_cancelled() const {
    if (settings_.cancelled && settings_.cancelled())
        throw sdk::CallError(DUBHOST_STATUS_CANCELLED, "cancelled",
                             "the install of pack " + settings_.pack_id + " was cancelled");
}

ProcessResult PipSession::run(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                              std::map<std::string, std::string> environment) const {
    note("$ " + joined(argv));
    environment["PYTHONNOUSERSITE"] = "1";
    ProcessRequest request;
    request.argv = std::move(argv);
    request.environment = std::move(environment);
    request.timeout = timeout;
    request.cancelled = settings_.cancelled;
    request.log = settings_.log;
    ProcessResult result = run_process(request);
    if (result.cancelled) throw_if_cancelled();
    if (!result.succeeded()) note("=> " + result.outcome());
    return result;
}

ProcessResult PipSession::install(const std::vector<std::string> &arguments, bool with_sources) const {
    std::vector<std::string> argv = {
        python_.string(), "-m", "pip", "install", "--isolated", "--disable-pip-version-check", "--no-input",
        "--progress-bar", "off"};
    if (with_sources) argv.insert(argv.end(), sources_.begin(), sources_.end());
    if (!constraints_.empty()) argv.insert(argv.end(), {"-c", constraints_.string()});
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    auto pause = settings_.first_backoff;
    for (int attempt = 1;; ++attempt) {
        ProcessResult result = run(argv, std::chrono::hours(1));
        if (result.succeeded() || attempt >= settings_.attempts || !transient(result)) return result;
        note("transient failure; retrying in " + std::to_string(pause.count()) + " ms");
        std::this_thread::sleep_for(pause);
        throw_if_cancelled();
        pause *= 2;
    }
}

bool transient(const ProcessResult &result) {
    // A wheel "is invalid" when its download was cut off: pip 24 does not check the length it was promised.
    for (const char *sign :
         {"ConnectionError", "Connection reset", "Read timed out", "ReadTimeoutError", "Temporary failure in name resolution",
          "ProtocolError", "HTTP error 5", "IncompleteRead", "Connection broken", ".whl is invalid"})
        if (result.err.find(sign) != std::string::npos) return true;
    return false;
}

std::string resolver_reason(const ProcessResult &result) {
    std::istringstream lines(result.err + "\n" + result.out);  // pip explains a conflict on stdout
    std::string reason;
    bool cause_next = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("ERROR: ", 0) == 0 && line.find("pip's dependency resolver does not currently") == std::string::npos)
            reason += (reason.empty() ? "" : " / ") + line.substr(7);
        else if (cause_next && line.find_first_not_of(' ') != std::string::npos)  // the first conflicting requirement
            reason += " / " + line.substr(line.find_first_not_of(' '));
        cause_next = line.rfind("The conflict is caused by:", 0) == 0;
    }
    return reason.empty() ? result.outcome() + ": " + result.last_lines(3) : reason;
}

std::string lower_dashed(std::string name) {
    for (auto &c : name) c = c == '_' || c == '.' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

std::string joined(const std::vector<std::string> &items, const char *separator) {
    std::string out;
    for (const auto &item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

}  // namespace dubhost::packs
