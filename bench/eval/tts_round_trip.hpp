// How understandable a TTS backend is, measured without a listener: every sentence is spoken by the
// backend, its speech recognised by the offline ASR (pocketsphinx) and the words compared with the
// sentence (round-trip WER). Shared by the TTS benchmark and the TTS quality test.
#pragma once

#include "word_error_rate.hpp"

#include "dubhost/host/plugin_registry.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace dubhost::eval {

struct RoundTrip {
    scoring::WordErrors errors;
    double speech_seconds = 0;     // of the TTS's audio
    double synthesis_seconds = 0;  // the TTS call, all sentences in one track
};

// The English column of bench/data/dialogue.en-es.tsv (everyday dialogue, written for this project).
std::vector<std::string> dialogue_sentences(const std::filesystem::path &tsv);

// Speaks `sentences` in English with `tts` (one segment each, `params` for the backend), resamples
// each segment to 16 kHz mono, recognises it with `asr` and scores it against its sentence.
// Throws std::runtime_error naming the backend when a call fails.
RoundTrip tts_round_trip(const RegisteredBackend &tts, const RegisteredBackend &asr, const HostServices &services,
                         const std::vector<std::string> &sentences, const std::filesystem::path &scratch,
                         const nlohmann::json &params = nlohmann::json::object());

}  // namespace dubhost::eval
