#include "voice_assignment.hpp"

#include <algorithm>
#include <set>

namespace dubhost::espeak {

const std::vector<std::string> &automatic_variants() {
    static const std::vector<std::string> variants = {"m3", "f2", "m1", "f4", "m5", "f1", "m7", "f3", "m2", "f5", "m4", "m6"};
    return variants;
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

std::map<std::string, std::string> assign_voices(const std::vector<std::string> &speakers,
                                                 const std::map<std::string, std::string> &chosen,
                                                 const std::string &base_voice) {
    std::vector<std::string> sorted = speakers;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::map<std::string, std::string> voices;
    std::set<std::string> taken;
    for (const auto &speaker : sorted) {
        const auto found = chosen.find(speaker);
        if (found != chosen.end() && !found->second.empty()) {
            voices[speaker] = found->second;
            taken.insert(found->second);
        }
    }
    std::size_t next = 0;
    const auto &variants = automatic_variants();
    for (const auto &speaker : sorted) {
        if (voices.count(speaker)) continue;
        std::string voice;
        do {  // skip variants a user already gave to someone; wrap around after the list
            voice = base_voice + "+" + variants[next % variants.size()];
            ++next;
        } while (taken.count(voice) && next < 2 * variants.size());
        voices[speaker] = voice;
        taken.insert(voice);
    }
    return voices;
}

}  // namespace dubhost::espeak
