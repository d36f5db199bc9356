// Voice assignment (voice_assignment.hpp): chosen voices kept, the automatic list walked in order
// past voices already taken, wrapping around when there are more speakers than voices.
#include "voice_assignment.hpp"

#include <algorithm>
#include <set>

namespace dubhost::tts {

std::map<std::string, std::string> assign_voices(const std::vector<std::string> &speakers,
                                                 const std::map<std::string, std::string> &chosen,
                                                 const std::vector<std::string> &automatic) {
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
    if (automatic.empty()) return voices;
    std::size_t next = 0;
    for (const auto &speaker : sorted) {
        if (voices.count(speaker)) continue;
        std::string voice;
        do {  // skip voices a user already gave to someone; wrap around after the list
            voice = automatic[next % automatic.size()];
            ++next;
        } while (taken.count(voice) && next < 2 * automatic.size());
        voices[speaker] = voice;
        taken.insert(voice);
    }
    return voices;
}

}  // namespace dubhost::tts
