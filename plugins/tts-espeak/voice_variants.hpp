// espeak-ng's voices for speakers: the language's voice with its "+variant" registers (m1..m7,
// f1..f5), and chosen voices of another language moved to the track's language with their variant
// kept. Pure logic; used by the espeak-ng TTS backend and unit-tested on its own.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dubhost::espeak {

// The automatic voices for a language's voice identifier (e.g. "gmw/en"): its variants,
// alternating male and female registers ("gmw/en+m3", "gmw/en+f2", ...).
std::vector<std::string> automatic_voices(const std::string &base_voice);

struct VoiceChange {
    std::string speaker, chosen, used;
};

// Chosen voices of another language than the track's move to the track's language with their
// variant kept ("gmw/en+f3" for a Spanish track becomes "roa/es+f3"): a translated dub keeps each
// speaker's register instead of reading Spanish with English rules. `speaks_language` says whether
// a voice identifier ("gmw/en") speaks the track's language; `base_voice` is that language's voice.
std::vector<VoiceChange> move_to_language(std::map<std::string, std::string> &chosen, const std::string &base_voice,
                                          const std::function<bool(const std::string &identifier)> &speaks_language);

}  // namespace dubhost::espeak
