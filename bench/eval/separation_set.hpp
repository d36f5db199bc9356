// Separation evaluation material built from real recordings (docs/reference/test-media.md): the
// LibriVox readings (pocketsphinx-testdata) put in the centre of real music (frozen-bubble-data,
// stereo; asterisk-moh-opsound-g722, mono) at a chosen speech-to-music ratio. Both stems are known,
// so every separator output can be scored. Deterministic: fixed files, offsets and pauses.
#pragma once

#include <string>
#include <vector>

namespace dubhost::eval {

constexpr int separation_rate = 48000;

struct SeparationCase {
    std::string name;          // e.g. "stereo mainzik 0 dB"
    bool stereo_music = true;  // false: the music is the same in both channels
    double speech_to_music_db = 0;
    // Interleaved stereo at 48 kHz, all the same length; mix == vocals + background exactly.
    std::vector<float> mix, vocals, background;
};

struct MusicSource {
    std::string label;
    std::string path;
    double offset_s = 0;
    bool keep_stereo = true;  // false: downmix (or take the mono file as it is)
};

// The LibriVox utterances concatenated with pauses, at 48 kHz mono.
std::vector<float> librivox_speech();

// One case: `speech` (mono) in the centre of the music read from `music` at `offset_s`.
SeparationCase build_separation_case(const std::vector<float> &speech, const MusicSource &music, double speech_to_music_db);

// The tuning set: two stereo songs and two mono backgrounds at 0 dB and -6 dB. The separator's
// settings (e.g. background_subtraction) were chosen on these.
std::vector<MusicSource> standard_music();
std::vector<SeparationCase> standard_separation_set();

// The judging set: music nothing was chosen on (four other mono pieces, other parts of the two
// stereo songs), at 0 dB and -6 dB: where the settings are checked, not chosen.
std::vector<MusicSource> judging_music();
std::vector<SeparationCase> judging_separation_set();

}  // namespace dubhost::eval
