// Diarization evaluation material built from real recordings (docs/reference/test-media.md): turns
// of different people concatenated with pauses into one 16 kHz conversation whose reference turns
// are known. Shared by the diarization quality tests (native and the resemblyzer pack) and the
// diarization benchmark, so all of them score the same conversations.
#pragma once

#include "diarization_error_rate.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace dubhost::eval {

// One turn: one or more recordings by the same speaker, with short gaps between them.
struct Utterance {
    std::vector<std::string> paths;
    std::string speaker;
};

struct Conversation {
    std::string name;  // e.g. "2 speakers (LibriVox reader, ALSA prompts)"
    int speakers = 0;
    std::vector<Utterance> utterances;
};

// Writes the conversation as 16 kHz mono PCM16 WAV; returns the reference turns.
std::vector<scoring::LabelledTurn> build_conversation(const std::vector<Utterance> &utterances, const std::filesystem::path &wav);

// The LibriVox reader (pocketsphinx-testdata) and the ALSA prompt voice (alsa-utils), ten turns.
Conversation two_speaker_conversation();
// Three people, one per ktuberling-data language (Catalan, Russian, Lithuanian), turns of 3-4 words.
Conversation three_speaker_conversation();

// A conversation among one to three ktuberling-data speakers, taking `turns` turns of two to four
// words in a fixed order that has both alternations and a speaker going on after a pause. Each
// speaker's words come from the language's egypt theme (18 words), one voice in every language:
// a language's other themes were recorded by other people (median pitch of Catalan's first words
// ~150 Hz, of its egypt words ~258 Hz). One speaker: any second one found is a false split.
Conversation ktuberling_conversation(const std::vector<std::string> &languages, int turns);

// What the native diarizer's features and speaker count were chosen on: 1-, 2- and 3-speaker
// conversations among the ca, da, ru, uk, lt and wa speakers (docs/reference/test-media.md lists
// them), then seven minutes of asterisk's Allison alone and four of her with the wa speaker.
std::vector<Conversation> diarization_tuning_set();
// What they are judged on and nothing was chosen on: the de, el, en, gl, nn and sl speakers, and
// minutes of de and el (every word of each: both languages are one voice throughout).
std::vector<Conversation> diarization_judging_set();

}  // namespace dubhost::eval
