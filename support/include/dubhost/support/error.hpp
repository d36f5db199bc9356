// Errors the host reports to users: what failed, why, and the exact command that fixes it.
// Used by every host component (and the support library's files) and mapped to the CLI's exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace dubhost {

// Who has to act, which is also the process exit code (docs/reference/cli.md).
enum class ErrorKind {
    user = 1,      // bad input, missing file, wrong order of commands: the user can fix it
    backend = 2,   // a plugin or job failed
    internal = 3,  // a bug or an environment the host cannot work in
};

int exit_code(ErrorKind kind);

// A complete user-facing error. Thrown where C++ calls C++ and the caller (ultimately the CLI or
// the Python module) is ready; never across the plugin ABI.
class Failure : public std::runtime_error {
public:
    Failure(ErrorKind kind, std::string code, const std::string &message, std::string hint = {});

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &code() const noexcept { return code_; }
    const std::string &hint() const noexcept { return hint_; }

private:
    ErrorKind kind_;
    std::string code_;
    std::string hint_;
};

inline Failure user_error(std::string code, const std::string &message, std::string hint = {}) {
    return Failure(ErrorKind::user, std::move(code), message, std::move(hint));
}

}  // namespace dubhost
