// flite's English voices as dubhost names them: the four Debian ships (slt female, rms, awb and
// kal16 male), each with "+high"/"+low" registers where the voice's pitch can move, and the order
// speakers get them in. Pure logic; used by the flite engine and backend, unit-tested on its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dubhost::flite {

struct VoiceInfo {
    std::string name;         // "slt": what a voice id starts with
    std::string gender;       // "female" or "male"
    std::string description;  // for `dubhost backends --json`
    bool pitch_adjustable;    // rms ignores flite's pitch setting, so it has no registers
};

// The voices, in the order of their table (slt, rms, awb, kal16).
const std::vector<VoiceInfo> &voice_table();

struct VoiceChoice {
    const VoiceInfo *voice = nullptr;
    double pitch_factor = 1.0;  // the register: 1.0 plain, 1.2 "+high", 0.83 "+low"
};

// "slt", "SLT+high", "cmu_us_awb+low" -> the voice and its register; nullopt for anything else
// (another engine's voice, an unknown register, a register on a voice whose pitch cannot move).
std::optional<VoiceChoice> parse_voice(const std::string &id);

// Every voice id parse_voice accepts, plain voices first.
std::vector<std::string> voice_ids();

// The voices speakers get when nobody chose one: female and male alternating, plain voices before
// registers, so two to four speakers sound clearly apart.
const std::vector<std::string> &automatic_voices();

}  // namespace dubhost::flite
