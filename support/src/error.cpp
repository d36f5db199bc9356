// The user-facing error type (error.hpp) and its exit codes.
#include <dubhost/support/error.hpp>

namespace dubhost {

int exit_code(ErrorKind kind) { return static_cast<int>(kind); }

Failure::Failure(ErrorKind kind, std::string code, const std::string &message, std::string hint)
    : std::runtime_error(message), kind_(kind), code_(std::move(code)), hint_(std::move(hint)) {}

}  // namespace dubhost
