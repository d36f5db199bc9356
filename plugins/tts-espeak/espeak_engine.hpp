// libespeak-ng in-process: initialisation that never exits the host, voice listing, and synthesis
// of one text to 16-bit mono samples. espeak-ng keeps global state, so there is one engine per
// process and calls are serialised. Used by the espeak-ng TTS backend.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dubhost::espeak {

struct VoiceInfo {
    std::string name;        // "English (Great Britain)"
    std::string identifier;  // "gmw/en", what espeak_SetVoiceByName takes
    std::vector<std::string> languages;
    int gender = 0;  // 0 unknown, 1 male, 2 female
};

class Engine {
public:
    static Engine &instance();

    // The problem that keeps espeak-ng from starting (e.g. its data is missing), if any.
    std::optional<std::string> start_problem();
    int sample_rate();
    std::string version();
    std::vector<VoiceInfo> voices();
    // The best voice identifier for a BCP 47 language ("en", "en-US", "de"), or nullopt.
    std::optional<std::string> voice_for_language(const std::string &language);

    // Speaks `text` (UTF-8) with `voice` ("gmw/en+f2") at `rate` words per minute.
    std::vector<std::int16_t> synthesize(const std::string &text, const std::string &voice, int rate);

private:
    Engine() = default;
    bool ensure_started();

    std::mutex mutex_;
    bool tried_ = false;
    int sample_rate_ = 0;
    std::string problem_;
};

}  // namespace dubhost::espeak
