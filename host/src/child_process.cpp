#include "dubhost/host/child_process.hpp"

#include <dubhost/packs/process.hpp>

namespace dubhost {

ChildResult run_child(const std::vector<std::string> &argv, std::chrono::milliseconds timeout) {
    packs::ProcessRequest request;
    request.argv = argv;
    request.timeout = timeout;
    const packs::ProcessResult result = packs::run_process(request);
    return {result.started, result.start_error, result.exit_code, result.signal, result.timed_out, result.out, result.err};
}

}  // namespace dubhost
