// Who spoke when: voiced windows described by MFCC statistics (normalised per recording),
// grouped by agglomerative clustering (average linkage, cosine distance) while the Bayesian
// information criterion says two groups are one voice, or to a given number of speakers.
// Used by the native diarizer.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace dubhost::diarize {

struct SpeakerTurn {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    int speaker = 0;  // 1, 2, ... in order of first appearance
};

struct ClusteringOptions {
    // The BIC's weight on a second voice's parameters: above Schwarz's 1 because 10 ms frames of
    // 25 ms windows are not independent samples; 3 was chosen on the tuning conversations
    // (dubhost_diarize_bench --sweep; docs/decisions/0015).
    double penalty = 3.0;
    // The most frames the criterion weighs for one pair of groups (see separation_gain).
    double evidence_frames = 2000;  // 20 s of speech (1000-3000 and uncapped tried)
    int speakers = 0;               // > 0: exactly this many (when there is enough speech)
    int window_frames = 150;        // 1.5 s
    int hop_frames = 75;
    int bridge_frames = 25;  // a window spans pauses under 250 ms (one speaker's breaths; 0-30 tried)
    std::int64_t shortest_turn_ms = 300;
};

std::vector<SpeakerTurn> find_speaker_turns(const std::vector<std::int16_t> &samples, const ClusteringOptions &options);

// Says whether two groups (their members' indices) are to stay apart.
using KeepApart = std::function<bool(const std::vector<std::size_t> &, const std::vector<std::size_t> &)>;

// Average-linkage agglomerative clustering of unit vectors; returns a cluster index per vector.
// The closest pair that `keep_apart` lets merge does, until it lets none. With `wanted` > 0 merging
// stops when that many groups remain, and goes on past the rule (closest first) until they do.
std::vector<int> cluster(const std::vector<std::vector<float>> &vectors, int wanted, const KeepApart &keep_apart);

}  // namespace dubhost::diarize
