// Who spoke when: voiced windows described by MFCC statistics, grouped by agglomerative
// clustering (average linkage, cosine distance) until the closest groups are farther apart than a
// threshold, or until a given number of speakers remains. Used by the native diarizer.
#pragma once

#include <cstdint>
#include <vector>

namespace dubhost::diarize {

struct SpeakerTurn {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    int speaker = 0;  // 1, 2, ... in order of first appearance
};

struct ClusteringOptions {
    double threshold = 1.065;  // average cosine distance above which groups stay apart (see docs/reference/jobs.md)
    int speakers = 0;          // > 0: exactly this many (when there is enough speech)
    int window_frames = 150;   // 1.5 s
    int hop_frames = 75;
    std::int64_t shortest_turn_ms = 300;
};

std::vector<SpeakerTurn> find_speaker_turns(const std::vector<std::int16_t> &samples, const ClusteringOptions &options);

// Average-linkage agglomerative clustering of unit vectors; returns a cluster index per vector.
std::vector<int> cluster(const std::vector<std::vector<float>> &vectors, double threshold, int wanted);

}  // namespace dubhost::diarize
