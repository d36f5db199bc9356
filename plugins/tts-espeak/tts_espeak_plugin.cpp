// The espeak-ng TTS backend: every segment of a subtitle track spoken to its own WAV, with a
// manifest (docs/reference/jobs.md, tts) the mixer places on the timeline. Speech is kept per
// segment by what it was made from, so a re-dub after a one-line edit speaks only that line.
#include "espeak_engine.hpp"
#include "track_speech.hpp"
#include "voice_assignment.hpp"
#include "voice_variants.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/language_codes.hpp>

#include "dubhost_manifest.h"

#include <algorithm>

namespace {

using dubhost::espeak::Engine;
using dubhost::sdk::CallError;
using dubhost::sdk::json;

class EspeakBackend : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &) override {
        Engine &engine = Engine::instance();
        if (auto problem = engine.start_problem())
            return {{"installed", false},
                    {"version", engine.version()},
                    {"missing", {"espeak-ng-data"}},
                    {"notes", {*problem, "install espeak-ng-data: apt-get install espeak-ng-data"}}};
        json voices = json::array();
        for (const auto &voice : engine.voices())
            voices.push_back({{"id", voice.identifier}, {"name", voice.name}, {"languages", voice.languages}});
        return {{"installed", true},
                {"version", engine.version()},
                {"missing", json::array()},
                {"disk_bytes", 0},
                {"voices", voices},
                {"notes", {std::to_string(voices.size()) + " voices; variants (+m1..m7, +f1..f5) tell speakers apart"}}};
    }

    json run(const dubhost::sdk::Host &host, const json &job) override {
        Engine &engine = Engine::instance();
        if (auto problem = engine.start_problem())
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "not-installed", *problem,
                            "install espeak-ng-data: apt-get install espeak-ng-data");
        const json params = job.value("params", json::object());
        const json &track = job.at("inputs").at("track");
        const int rate = params.value("rate", 165);
        if (rate < 80 || rate > 450)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "rate must be between 80 and 450 words per minute",
                            "pass --param rate=165");
        std::string language = params.value("language", std::string());
        if (language.empty()) language = track.value("language", std::string());
        if (language.empty()) language = "en";
        const auto base_voice = engine.voice_for_language(language);
        if (!base_voice)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "no-voice-for-language",
                            "espeak-ng has no voice for language '" + language + "'",
                            "set the track's language (`dubhost track import ... --language xx`) or pass --param language=en");

        // The item's chosen voices (`dubhost speakers set`) follow the track into its language (a
        // translated dub); a voice_map given for this job is taken as it is.
        std::map<std::string, std::string> chosen =
            dubhost::tts::voice_map_of(job.at("inputs").value("voice_map", json::object()));
        const std::string primary = dubhost::primary_language(language);
        const auto voices = engine.voices();
        const auto moved = dubhost::espeak::move_to_language(chosen, *base_voice, [&](const std::string &identifier) {
            for (const auto &voice : voices)
                if (voice.identifier == identifier)
                    return std::any_of(voice.languages.begin(), voice.languages.end(),
                                       [&](const std::string &spoken) { return dubhost::primary_language(spoken) == primary; });
            return true;  // a voice espeak-ng does not list: left as chosen
        });
        json voice_changes = json::array();
        for (const auto &change : moved) {
            host.warn("speaker " + change.speaker + ": the chosen voice " + change.chosen + " does not speak '" + language +
                      "'; speaking with " + change.used + " (same variant)");
            voice_changes.push_back({{"speaker", change.speaker}, {"chosen", change.chosen}, {"used", change.used}});
        }
        for (const auto &[speaker, voice] : dubhost::tts::voice_map_of(params.value("voice_map", json::object())))
            chosen[speaker] = voice;
        const auto voice_map = dubhost::tts::assign_voices(dubhost::tts::track_speakers(track), chosen,
                                                           dubhost::espeak::automatic_voices(*base_voice));
        const dubhost::tts::SpeechEngine speech{
            "espeak-ng",
            engine.version(),
            engine.sample_rate(),
            {{"rate_wpm", rate}},
            [&](const std::string &text, const std::string &voice) { return engine.synthesize(text, voice, rate); }};
        json result = dubhost::tts::speak_track(host, job, language, voice_map, *base_voice, speech);
        result["voice_changes"] = voice_changes;
        return result;
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<EspeakBackend>("espeak-ng"))
