// Which espeak-ng voice speaks for which speaker: the user's choices first, then distinct
// variants of the language's voice for everyone else, so two speakers never sound the same.
// Pure logic; used by the espeak-ng TTS backend and unit-tested on its own.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dubhost::espeak {

// `base_voice` is the language's voice identifier (e.g. "gmw/en"); variants are espeak-ng's
// "+variant" suffixes. Speakers are taken in sorted order so the result is stable.
std::map<std::string, std::string> assign_voices(const std::vector<std::string> &speakers,
                                                 const std::map<std::string, std::string> &chosen, const std::string &base_voice);

// The variants used for automatic assignment, alternating male and female registers.
const std::vector<std::string> &automatic_variants();

}  // namespace dubhost::espeak
