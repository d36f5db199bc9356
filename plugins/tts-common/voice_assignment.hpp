// Which voice speaks for which speaker: the user's choices first, then the engine's automatic voices
// for everyone else, so two speakers never sound the same. Pure logic shared by every native TTS
// backend and unit-tested on its own.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dubhost::tts {

// `automatic` lists the engine's voices for speakers nobody chose one for, most distinct first
// (e.g. a female voice, a male one, then variants). Speakers are taken in sorted order so the
// result is stable; a voice a user gave someone is not given again until the list runs out.
std::map<std::string, std::string> assign_voices(const std::vector<std::string> &speakers,
                                                 const std::map<std::string, std::string> &chosen,
                                                 const std::vector<std::string> &automatic);

}  // namespace dubhost::tts
