// Which espeak-ng voice speaks for which speaker: the user's choices first, then distinct
// variants of the language's voice for everyone else, so two speakers never sound the same.
// Pure logic; used by the espeak-ng TTS backend and unit-tested on its own.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dubhost::espeak {

// `base_voice` is the language's voice identifier (e.g. "gmw/en"); variants are espeak-ng's
// "+variant" suffixes. Speakers are taken in sorted order so the result is stable.
std::map<std::string, std::string> assign_voices(const std::vector<std::string> &speakers,
                                                 const std::map<std::string, std::string> &chosen, const std::string &base_voice);

struct VoiceChange {
    std::string speaker, chosen, used;
};

// Chosen voices of another language than the track's move to the track's language with their
// variant kept ("gmw/en+f3" for a Spanish track becomes "roa/es+f3"): a translated dub keeps each
// speaker's register instead of reading Spanish with English rules. `speaks_language` says whether
// a voice identifier ("gmw/en") speaks the track's language; `base_voice` is that language's voice.
std::vector<VoiceChange> move_to_language(std::map<std::string, std::string> &chosen, const std::string &base_voice,
                                          const std::function<bool(const std::string &identifier)> &speaks_language);

// The variants used for automatic assignment, alternating male and female registers.
const std::vector<std::string> &automatic_variants();

}  // namespace dubhost::espeak
