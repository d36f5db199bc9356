// espeak-ng voice variants (voice_variants.hpp): the automatic register list and moving chosen
// voices into the track's language.
#include "voice_variants.hpp"

namespace dubhost::espeak {

std::vector<std::string> automatic_voices(const std::string &base_voice) {
    std::vector<std::string> voices;
    for (const char *variant : {"m3", "f2", "m1", "f4", "m5", "f1", "m7", "f3", "m2", "f5", "m4", "m6"})
        voices.push_back(base_voice + "+" + variant);
    return voices;
}

std::vector<VoiceChange> move_to_language(std::map<std::string, std::string> &chosen, const std::string &base_voice,
                                          const std::function<bool(const std::string &identifier)> &speaks_language) {
    std::vector<VoiceChange> changes;
    for (auto &[speaker, voice] : chosen) {
        const auto plus = voice.find('+');
        const std::string identifier = voice.substr(0, plus);
        if (voice.empty() || speaks_language(identifier)) continue;
        const std::string used = base_voice + (plus == std::string::npos ? "" : voice.substr(plus));
        changes.push_back({speaker, voice, used});
        voice = used;
    }
    return changes;
}

}  // namespace dubhost::espeak
