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

}  // namespace dubhost::eval
