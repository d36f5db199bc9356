// Fuzzes what a pack plugin reads from its runner: each input line goes through the conversation as
// the channel delivers it; whatever the lines say, reading them never throws, and a conversation
// that is broken stays broken.
#include "fuzz_input.hpp"
#include "runner_conversation.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    dubhost::packs::RunnerEvents events;
    events.progress = [](double fraction, const std::string &) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) std::abort();
    };
    events.log = [](dubhost_log_level, const std::string &) {};
    dubhost::packs::RunnerConversation conversation(events);
    std::istringstream lines(dubhost::fuzz::as_text(data, size));
    for (std::string line; std::getline(lines, line);) {
        const bool was_broken = conversation.broken();
        conversation.receive(line);
        if (was_broken && !conversation.broken()) std::abort();
    }
    if (conversation.result() && !conversation.result()->is_object()) std::abort();
    return 0;
}
