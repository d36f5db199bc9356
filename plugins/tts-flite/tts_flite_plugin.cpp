// The flite TTS backend: English subtitle tracks spoken with flite's voices (one per speaker, see
// flite_voices.hpp), one WAV per segment and the manifest the mix reads (tts-common). Its status
// says it speaks English, so the host gives other languages to a backend that speaks them.
#include "flite_engine.hpp"
#include "flite_voices.hpp"
#include "track_speech.hpp"
#include "voice_assignment.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/language_codes.hpp>

#include "dubhost_manifest.h"

namespace {

using dubhost::flite::Engine;
using dubhost::sdk::CallError;
using dubhost::sdk::json;

std::string voice_list() {
    std::string list;
    for (const auto &id : dubhost::flite::voice_ids()) list += (list.empty() ? "" : ", ") + id;
    return list;
}

double factor_parameter(const json &params, const char *name) {
    const auto found = params.find(name);
    if (found == params.end()) return 1.0;
    if (!found->is_number() || found->get<double>() < 0.5 || found->get<double>() > 2.0)
        throw CallError(
            DUBHOST_STATUS_BAD_REQUEST, "bad-parameter",
            std::string(name) + " must be a number from 0.5 to 2.0 (a factor of the voice's own), not " + found->dump(),
            "pass --param " + std::string(name) + "=1.0");
    return found->get<double>();
}

class FliteBackend : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &) override {
        json voices = json::array();
        for (const auto &id : dubhost::flite::voice_ids()) {
            const auto choice = dubhost::flite::parse_voice(id);
            voices.push_back(
                {{"id", id}, {"name", choice->voice->description}, {"gender", choice->voice->gender}, {"languages", {"en"}}});
        }
        return {{"installed", true},
                {"version", Engine::version()},
                {"missing", json::array()},
                {"disk_bytes", 0},
                {"languages", {"en"}},
                {"voices", voices},
                {"notes",
                 {"English only (other languages go to espeak-ng); " + std::to_string(voices.size()) +
                  " voices: slt (female), rms, awb, kal16 (male), registers +high/+low"}}};
    }

    json run(const dubhost::sdk::Host &host, const json &job) override {
        const json params = job.value("params", json::object());
        const json &track = job.at("inputs").at("track");
        const double rate = factor_parameter(params, "rate"), pitch = factor_parameter(params, "pitch");
        std::string language = params.value("language", std::string());
        if (language.empty()) language = track.value("language", std::string());
        if (language.empty()) language = "en";
        if (dubhost::primary_language(language) != "en")
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "no-voice-for-language",
                            "flite speaks English only, and this track is '" + language + "'",
                            "speak it with espeak-ng: --backend tts=espeak-ng");

        // The item's chosen voices (`dubhost speakers set`) may name another engine's voice (an
        // espeak-ng variant chosen before flite was installed): those speakers get a flite voice
        // of their own, said in voice_changes. A voice_map given for this job must be flite's.
        std::map<std::string, std::string> chosen;
        json voice_changes = json::array();
        for (const auto &[speaker, voice] : dubhost::tts::voice_map_of(job.at("inputs").value("voice_map", json::object()))) {
            if (dubhost::flite::parse_voice(voice)) {
                chosen[speaker] = voice;
                continue;
            }
            host.warn("speaker " + speaker + ": the chosen voice " + voice +
                      " is not a flite voice; speaking with another flite voice (flite has " + voice_list() + ")");
            voice_changes.push_back({{"speaker", speaker}, {"chosen", voice}});
        }
        for (const auto &[speaker, voice] : dubhost::tts::voice_map_of(params.value("voice_map", json::object()))) {
            if (!dubhost::flite::parse_voice(voice))
                throw CallError(DUBHOST_STATUS_BAD_REQUEST, "unknown-voice",
                                "flite has no voice '" + voice + "' (for speaker " + speaker + ")",
                                "use one of: " + voice_list());
            chosen[speaker] = voice;
        }
        const auto voice_map =
            dubhost::tts::assign_voices(dubhost::tts::track_speakers(track), chosen, dubhost::flite::automatic_voices());
        for (auto &change : voice_changes) {  // a speaker this track does not have speaks nothing
            const auto used = voice_map.find(change["speaker"].get<std::string>());
            change["used"] = used == voice_map.end() ? json(nullptr) : json(used->second);
        }
        if (pitch != 1.0)
            for (const auto &[speaker, voice] : voice_map)
                if (!dubhost::flite::parse_voice(voice)->voice->pitch_adjustable)
                    host.warn("speaker " + speaker + ": flite's " + voice + " keeps its own pitch; pitch applies to the others");

        Engine &engine = Engine::instance();
        const std::string default_voice = dubhost::flite::automatic_voices().front();
        const dubhost::tts::SpeechEngine speech{"flite",
                                                Engine::version(),
                                                Engine::sample_rate,
                                                {{"rate", rate}, {"pitch", pitch}},
                                                [&](const std::string &text, const std::string &voice) {
                                                    return engine.synthesize(text, *dubhost::flite::parse_voice(voice), rate,
                                                                             pitch);
                                                }};
        json result = dubhost::tts::speak_track(host, job, language, voice_map, default_voice, speech);
        result["voice_changes"] = voice_changes;
        return result;
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<FliteBackend>("flite"))
