// The espeak-ng engine through libespeak-ng (espeak_engine.hpp): its voices, the voice for a
// language (exact tag first, then the language without its region), and synthesis into samples.
#include "espeak_engine.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/language_codes.hpp>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>

namespace dubhost::espeak {
namespace {

// Collects the samples of the synthesis in progress (espeak-ng's callback has no user pointer
// beyond the event's user_data, which points here).
int collect(short *samples, int count, espeak_EVENT *events) {
    if (samples && count > 0 && events && events->user_data) {
        auto *out = static_cast<std::vector<std::int16_t> *>(events->user_data);
        out->insert(out->end(), samples, samples + count);
    }
    return 0;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::replace(text.begin(), text.end(), '_', '-');
    return text;
}

}  // namespace

Engine &Engine::instance() {
    static Engine engine;
    return engine;
}

bool Engine::ensure_started() {
    if (!tried_) {
        tried_ = true;
        // DONT_EXIT: without it a missing data folder makes espeak-ng call exit() inside the host.
        sample_rate_ = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_DONT_EXIT);
        if (sample_rate_ <= 0) {
            problem_ = "espeak-ng could not start: its voice data (espeak-ng-data) is missing or unreadable";
            sample_rate_ = 0;
        } else {
            espeak_SetSynthCallback(collect);
        }
    }
    return sample_rate_ > 0;
}

std::optional<std::string> Engine::start_problem() {
    const std::lock_guard lock(mutex_);
    if (ensure_started()) return std::nullopt;
    return problem_;
}

int Engine::sample_rate() {
    const std::lock_guard lock(mutex_);
    return ensure_started() ? sample_rate_ : 0;
}

std::string Engine::version() {
    const char *data_path = nullptr;
    const char *version = espeak_Info(&data_path);
    return version ? version : "";
}

std::vector<VoiceInfo> Engine::voices() {
    const std::lock_guard lock(mutex_);
    std::vector<VoiceInfo> list;
    if (!ensure_started()) return list;
    for (const espeak_VOICE **voice = espeak_ListVoices(nullptr); voice && *voice; ++voice) {
        VoiceInfo info{
            (*voice)->name ? (*voice)->name : "", (*voice)->identifier ? (*voice)->identifier : "", {}, (*voice)->gender};
        // languages: repeated (priority byte, NUL-terminated name), ended by a zero byte.
        for (const char *entry = (*voice)->languages; entry && *entry;) {
            const std::string language(entry + 1);
            if (!language.empty()) info.languages.push_back(language);
            entry += 1 + language.size() + 1;
        }
        if (info.identifier.rfind("mb/", 0) == 0) continue;  // MBROLA voices need separate databases
        list.push_back(std::move(info));
    }
    return list;
}

std::optional<std::string> Engine::voice_for_language(const std::string &language) {
    const std::string wanted = lower(language.empty() ? "en" : language);
    const std::string primary = primary_language(wanted);
    const auto all = voices();
    for (const auto &voice : all)  // exact match first ("en-us"), then the primary language ("en")
        for (const auto &tag : voice.languages)
            if (lower(tag) == wanted) return voice.identifier;
    for (const auto &voice : all)
        for (const auto &tag : voice.languages)
            if (lower(tag) == primary) return voice.identifier;
    return std::nullopt;
}

std::vector<std::int16_t> Engine::synthesize(const std::string &text, const std::string &voice, int rate) {
    const std::lock_guard lock(mutex_);
    if (!ensure_started())
        throw sdk::CallError(DUBHOST_STATUS_NOT_INSTALLED, "not-installed", problem_,
                             "install espeak-ng-data: apt-get install espeak-ng-data");
    if (espeak_SetVoiceByName(voice.c_str()) != EE_OK)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "unknown-voice", "espeak-ng has no voice '" + voice + "'",
                             "list the voices with `dubhost backends --json` (espeak-ng status) and set one with `dubhost "
                             "speakers set ITEM SPEAKER --voice V`");
    espeak_SetParameter(espeakRATE, rate, 0);
    std::vector<std::int16_t> samples;
    const espeak_ERROR spoken =
        espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &samples);
    espeak_Synchronize();
    if (spoken != EE_OK) throw sdk::CallError(DUBHOST_STATUS_ERROR, "synthesis-failed", "espeak-ng failed to speak a segment");
    return samples;
}

}  // namespace dubhost::espeak
