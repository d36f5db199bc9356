// Frame-level features for telling speakers apart: log energy (for voice activity) and MFCCs,
// from 16 kHz mono audio. Pure DSP, no dependencies; used by the native diarizer.
#pragma once

#include <cstdint>
#include <vector>

namespace dubhost::diarize {

constexpr int sample_rate = 16000;
constexpr int frame_hop = 160;     // 10 ms
constexpr int frame_length = 400;  // 25 ms
constexpr int mfcc_count = 13;     // c1..c13 (c0, the loudness, is left out)

struct Frames {
    std::vector<float> log_energy;         // one per frame
    std::vector<std::vector<float>> mfcc;  // one vector of mfcc_count per frame
};

Frames compute_frames(const std::vector<std::int16_t> &samples);

// Voice activity per frame: energy above a threshold set between the recording's quiet floor and
// its speech level, with short gaps bridged and short bursts dropped.
std::vector<bool> voice_activity(const std::vector<float> &log_energy);

}  // namespace dubhost::diarize
