// libflite in-process: the Debian voices registered once, and synthesis of one text to 16-bit mono
// samples at a speaking rate and pitch. flite keeps global state (its error jump, the voices'
// features), so there is one engine per process and calls are serialised. Used by the flite backend.
#pragma once

#include "flite_voices.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

struct cst_voice_struct;

namespace dubhost::flite {

class Engine {
public:
    static Engine &instance();

    // Every Debian flite voice speaks at 16 kHz; speech of another rate is refused, never mislabelled.
    static constexpr int sample_rate = 16000;
    static std::string version();  // "flite 2.2"

    // Speaks `text` (UTF-8; typographic punctuation read as its ASCII form) with `voice`; `rate`
    // scales the voice's own pace (1.25 = a quarter faster), `pitch` its pitch (times the register's).
    std::vector<std::int16_t> synthesize(const std::string &text, const VoiceChoice &voice, double rate, double pitch);

private:
    Engine();
    cst_voice_struct *voice(const std::string &name);

    std::mutex mutex_;
    std::map<std::string, cst_voice_struct *> voices_;
};

}  // namespace dubhost::flite
