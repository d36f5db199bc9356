// What a pack's runner says on its protocol channel, read without trusting it (runner_conversation.hpp).
#include "runner_conversation.hpp"

#include <dubhost/support/channel.hpp>
#include <dubhost/support/json_fields.hpp>

#include <algorithm>
#include <cmath>

namespace dubhost::packs {
namespace {

dubhost_log_level level_named(const std::string &name) {
    if (name == "debug") return DUBHOST_LOG_DEBUG;
    if (name == "warning" || name == "warn") return DUBHOST_LOG_WARNING;
    if (name == "error") return DUBHOST_LOG_ERROR;
    return DUBHOST_LOG_INFO;
}

dubhost_status status_for_kind(const std::string &kind) {
    if (kind == "bad-request") return DUBHOST_STATUS_BAD_REQUEST;
    if (kind == "not-installed") return DUBHOST_STATUS_NOT_INSTALLED;
    return DUBHOST_STATUS_ERROR;
}

}  // namespace

void RunnerConversation::receive(const std::string &line) {
    if (broken_ || line.find_first_not_of(" \t\r") == std::string::npos) return;
    const ChannelRead read = read_channel_line(line, runner_protocol_version);
    if (!read.message) return fail(read.problem);
    const sdk::json &message = *read.message;
    const std::string type = text_field(message, "type");
    if (type == "progress") {
        const double fraction = number_field(message, "fraction", NAN);
        if (events_.progress && std::isfinite(fraction))
            events_.progress(std::clamp(fraction, 0.0, 1.0), text_field(message, "message"));
    } else if (type == "log") {
        if (events_.log) events_.log(level_named(text_field(message, "level", "info")), text_field(message, "message"));
    } else if (type == "result") {
        if (!message.contains("result") || !message["result"].is_object()) return fail("sent a result that is not a JSON object");
        result_ = message["result"];
    } else if (type == "error") {
        error_ = RunnerError{status_for_kind(text_field(message, "kind", "error")), text_field(message, "code", "runner-error"),
                             text_field(message, "message", "the runner reported an error"), text_field(message, "hint")};
    } else if (events_.log) {
        // A newer runner of the same protocol may say more than this plugin understands.
        events_.log(DUBHOST_LOG_DEBUG, "runner message of unknown type '" + type + "' ignored");
    }
}

}  // namespace dubhost::packs
