// The flite voice table and voice ids (flite_voices.hpp). Registers were measured on the Debian
// voices: flite's f0_shift moves slt, awb and kal16 (slt 167 -> 219 Hz at 1.3) and not rms.
#include "flite_voices.hpp"

#include <algorithm>
#include <cctype>

namespace dubhost::flite {
namespace {

struct Register {
    const char *suffix;
    double factor;
};
constexpr Register registers[] = {{"high", 1.2}, {"low", 0.83}};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

const std::vector<VoiceInfo> &voice_table() {
    static const std::vector<VoiceInfo> table = {
        {"slt", "female", "US English female (CMU ARCTIC slt, statistical parametric)", true},
        {"rms", "male", "US English male (CMU ARCTIC rms, statistical parametric; fixed pitch)", false},
        {"awb", "male", "Scottish English male (CMU ARCTIC awb, statistical parametric)", true},
        {"kal16", "male", "US English male (diphone)", true},
    };
    return table;
}

std::optional<VoiceChoice> parse_voice(const std::string &id) {
    std::string text = lower(id);
    if (text.rfind("cmu_us_", 0) == 0) text.erase(0, 7);
    const auto plus = text.find('+');
    const std::string name = text.substr(0, plus);
    const auto &table = voice_table();
    const auto voice = std::find_if(table.begin(), table.end(), [&](const VoiceInfo &info) { return info.name == name; });
    if (voice == table.end()) return std::nullopt;
    if (plus == std::string::npos) return VoiceChoice{&*voice, 1.0};
    if (!voice->pitch_adjustable) return std::nullopt;
    const std::string suffix = text.substr(plus + 1);
    for (const auto &shift : registers)
        if (suffix == shift.suffix) return VoiceChoice{&*voice, shift.factor};
    return std::nullopt;
}

std::vector<std::string> voice_ids() {
    std::vector<std::string> ids;
    for (const auto &voice : voice_table()) ids.push_back(voice.name);
    for (const auto &voice : voice_table())
        if (voice.pitch_adjustable)
            for (const auto &shift : registers) ids.push_back(voice.name + "+" + shift.suffix);
    return ids;
}

const std::vector<std::string> &automatic_voices() {
    static const std::vector<std::string> voices = {"slt",   "rms",      "slt+low",   "awb",     "slt+high",
                                                    "kal16", "awb+high", "kal16+low", "awb+low", "kal16+high"};
    return voices;
}

}  // namespace dubhost::flite
