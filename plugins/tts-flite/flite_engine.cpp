// The flite engine (flite_engine.hpp): voices registered on first use, per-call rate and pitch set
// on the voice's features (duration_stretch, f0_shift), text made readable for flite's English
// front end, the wave checked for its rate and copied out.
#include "flite_engine.hpp"

#include "flite_call.h"

#include <dubhost/plugin.hpp>

#include <memory>
#include <string_view>

extern "C" {
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
}

#ifndef DUBHOST_FLITE_VERSION
#error "DUBHOST_FLITE_VERSION comes from CMake (FindFlite)"
#endif

namespace dubhost::flite {
namespace {

struct WaveFree {
    void operator()(cst_wave *wave) const { delete_wave(wave); }
};

// Typographic punctuation subtitles carry, as the ASCII flite's tokenizer knows: a curly apostrophe
// inside "don't" otherwise splits the word and the lexicon spells it out.
std::string speakable(const std::string &text) {
    static const std::pair<const char *, const char *> replacements[] = {
        {"\xE2\x80\x98", "'"},  {"\xE2\x80\x99", "'"},   {"\xE2\x80\x9C", "\""}, {"\xE2\x80\x9D", "\""}, {"\xE2\x80\x93", ", "},
        {"\xE2\x80\x94", ", "}, {"\xE2\x80\xA6", "..."}, {"\xC2\xA0", " "},      {"\xC2\xBF", ""},       {"\xC2\xA1", ""},
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        for (const auto &[from, to] : replacements) {
            const std::string_view pattern(from);
            if (text.compare(i, pattern.size(), pattern) == 0) {
                out += to;
                i += pattern.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

}  // namespace

Engine &Engine::instance() {
    static Engine engine;
    return engine;
}

Engine::Engine() { flite_init(); }

std::string Engine::version() { return std::string("flite ") + DUBHOST_FLITE_VERSION; }

cst_voice *Engine::voice(const std::string &name) {
    if (const auto found = voices_.find(name); found != voices_.end()) return found->second;
    using Register = cst_voice *(*)(const char *);
    static const std::map<std::string, Register> registrations = {{"slt", register_cmu_us_slt},
                                                                  {"rms", register_cmu_us_rms},
                                                                  {"awb", register_cmu_us_awb},
                                                                  {"kal16", register_cmu_us_kal16}};
    const auto registration = registrations.find(name);
    cst_voice *made = registration == registrations.end() ? nullptr : registration->second(nullptr);
    if (!made)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "voice-unavailable", "flite could not load its voice '" + name + "'",
                             "reinstall flite's voices: apt-get install --reinstall libflite1");
    voices_[name] = made;
    return made;
}

std::vector<std::int16_t> Engine::synthesize(const std::string &text, const VoiceChoice &choice, double rate, double pitch) {
    const std::lock_guard lock(mutex_);
    cst_voice *speaker = voice(choice.voice->name);
    // The voice's features persist between calls: every call sets both, so none inherits another's.
    flite_feat_set_float(speaker->features, "duration_stretch", static_cast<float>(1.0 / rate));
    flite_feat_set_float(speaker->features, "f0_shift", static_cast<float>(pitch * choice.pitch_factor));
    const std::unique_ptr<cst_wave, WaveFree> wave(dubhost_flite_text_to_wave(speakable(text).c_str(), speaker));
    if (!wave)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "synthesis-failed", "flite failed to speak a segment: \"" + text + "\"",
                             "see the job log for flite's message; speak this line with --backend tts=espeak-ng");
    if (wave->sample_rate != sample_rate || wave->num_channels != 1)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "unexpected-audio",
                             "flite's voice " + choice.voice->name + " spoke at " + std::to_string(wave->sample_rate) + " Hz, " +
                                 std::to_string(wave->num_channels) + " channel(s); dubhost expects 16000 Hz mono",
                             "report this with `dubhost doctor` output; --backend tts=espeak-ng speaks meanwhile");
    return {wave->samples, wave->samples + wave->num_samples};
}

}  // namespace dubhost::flite
