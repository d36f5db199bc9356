// Speaker turns from 16 kHz speech: per-recording normalised MFCC windows, average-linkage
// clustering stopped by the BIC (see speaker_clustering.hpp).
#include "speaker_clustering.hpp"

#include "speaker_bic.hpp"
#include "speaker_features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace dubhost::diarize {
namespace {

struct Window {
    int first = 0, last = 0;  // frames [first, last)
    std::vector<float> embedding;
    // Its first hop of frames (the last window of a run: all of them), so each voiced frame counts
    // once in the speaker-count criterion.
    FrameGaussian frames{mfcc_count};
};

// Each column of `rows` less its mean over `reference`'s rows, over its deviation there.
void standardise(std::vector<std::vector<float>> &rows, const std::vector<std::vector<float>> &reference) {
    if (reference.size() < 2) return;
    for (std::size_t d = 0; d < reference[0].size(); ++d) {
        double mean = 0, square = 0;
        for (const auto &row : reference) mean += row[d];
        mean /= static_cast<double>(reference.size());
        for (const auto &row : reference) square += (row[d] - mean) * (row[d] - mean);
        const double deviation = std::sqrt(square / static_cast<double>(reference.size())) + 1e-6;
        for (auto &row : rows) row[d] = static_cast<float>((row[d] - mean) / deviation);
    }
}

void normalise(std::vector<float> &v) {
    double norm = 1e-12;
    for (float x : v) norm += static_cast<double>(x) * x;
    norm = std::sqrt(norm);
    for (float &x : v) x = static_cast<float>(x / norm);
}

// Per-recording normalisation: each MFCC less its mean over the recording's voiced frames, over
// its deviation there, so what the whole recording shares (the room, the microphone) drops out.
void normalise_per_recording(std::vector<std::vector<float>> &mfcc, const std::vector<bool> &voiced) {
    std::vector<std::vector<float>> speech;
    for (std::size_t f = 0; f < mfcc.size(); ++f)
        if (voiced[f]) speech.push_back(mfcc[f]);
    standardise(mfcc, speech);
}

// Mean and standard deviation of the voiced frames' MFCCs inside [first, last).
std::vector<float> embed(const std::vector<std::vector<float>> &mfcc, const std::vector<bool> &voiced, int first, int last) {
    std::vector<double> mean(mfcc_count, 0), square(mfcc_count, 0);
    int count = 0;
    for (int f = first; f < last; ++f) {
        if (!voiced[static_cast<std::size_t>(f)]) continue;
        ++count;
        for (std::size_t d = 0; d < mfcc_count; ++d) mean[d] += mfcc[static_cast<std::size_t>(f)][d];
    }
    std::vector<float> out(2 * mfcc_count, 0.0f);
    if (count == 0) return out;
    for (std::size_t d = 0; d < mfcc_count; ++d) mean[d] /= count;
    for (int f = first; f < last; ++f)
        if (voiced[static_cast<std::size_t>(f)])
            for (std::size_t d = 0; d < mfcc_count; ++d) square[d] += std::pow(mfcc[static_cast<std::size_t>(f)][d] - mean[d], 2);
    for (std::size_t d = 0; d < mfcc_count; ++d) {
        out[d] = static_cast<float>(mean[d]);
        out[mfcc_count + d] = static_cast<float>(std::sqrt(square[d] / count));
    }
    return out;
}

// Stretches of speech a window may cover: voiced runs, joined across pauses shorter than
// `bridge` frames (the breaths between one speaker's words), so a window holds more than a word.
std::vector<bool> speech_stretches(const std::vector<bool> &voiced, int bridge) {
    std::vector<bool> joined = voiced;
    const std::size_t total = voiced.size();
    for (std::size_t i = 0; i < total;) {
        std::size_t j = i;
        while (j < total && !voiced[j]) ++j;
        if (i > 0 && j < total && j - i < static_cast<std::size_t>(bridge))
            std::fill(joined.begin() + static_cast<std::ptrdiff_t>(i), joined.begin() + static_cast<std::ptrdiff_t>(j), true);
        i = j;
        while (i < total && voiced[i]) ++i;
    }
    return joined;
}

std::vector<Window> voiced_windows(const Frames &frames, const std::vector<bool> &voiced, const ClusteringOptions &options) {
    const std::vector<bool> joined = speech_stretches(voiced, options.bridge_frames);
    const int total = static_cast<int>(voiced.size());
    std::vector<Window> windows;
    for (int i = 0; i < total;) {
        if (!joined[static_cast<std::size_t>(i)]) {
            ++i;
            continue;
        }
        int end = i;
        while (end < total && joined[static_cast<std::size_t>(end)]) ++end;
        if (end - i >= 30) {  // at least 300 ms
            for (int start = i;; start += options.hop_frames) {
                const int stop = std::min(end, start + options.window_frames);
                Window window{start, stop, embed(frames.mfcc, voiced, start, stop), FrameGaussian(mfcc_count)};
                const int owned_end = stop >= end ? end : start + options.hop_frames;
                for (int f = start; f < owned_end; ++f)
                    if (voiced[static_cast<std::size_t>(f)]) window.frames.add(frames.mfcc[static_cast<std::size_t>(f)]);
                windows.push_back(std::move(window));
                if (stop >= end) break;
            }
        }
        i = end;
    }
    return windows;
}

}  // namespace

std::vector<int> cluster(const std::vector<std::vector<float>> &vectors, int wanted, const KeepApart &keep_apart) {
    const std::size_t n = vectors.size();
    std::vector<int> label(n);
    for (std::size_t i = 0; i < n; ++i) label[i] = static_cast<int>(i);
    if (n < 2) return label;
    std::vector<std::vector<double>> distance(n, std::vector<double>(n, 0));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            double dot = 0;
            for (std::size_t d = 0; d < vectors[i].size(); ++d) dot += static_cast<double>(vectors[i][d]) * vectors[j][d];
            distance[i][j] = distance[j][i] = 1.0 - dot;
        }
    std::vector<std::vector<std::size_t>> members(n);
    for (std::size_t i = 0; i < n; ++i) members[i] = {i};
    std::vector<bool> alive(n, true);
    // Pairs the criterion kept apart, asked again only once one of them has grown.
    std::vector<std::vector<bool>> kept(n, std::vector<bool>(n, false));
    std::size_t clusters = n;
    bool forced = false;
    while (clusters > 1 && (wanted <= 0 || clusters > static_cast<std::size_t>(wanted))) {
        double best = std::numeric_limits<double>::max();
        std::size_t a = 0, b = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!alive[i]) continue;
            for (std::size_t j = i + 1; j < n; ++j)
                if (alive[j] && !kept[i][j] && distance[i][j] < best) best = distance[i][j], a = i, b = j;
        }
        if (best == std::numeric_limits<double>::max()) {
            // Every remaining pair stays apart: the end, unless a count was given and is not
            // reached yet; then the closest groups merge whatever the rule says.
            if (wanted <= 0 || forced) break;
            forced = true;
            for (auto &row : kept) std::fill(row.begin(), row.end(), false);
            continue;
        }
        if (!forced && keep_apart(members[a], members[b])) {
            kept[a][b] = kept[b][a] = true;
            continue;
        }
        // Lance-Williams update for average linkage: b joins a.
        const double size_a = static_cast<double>(members[a].size()), size_b = static_cast<double>(members[b].size());
        for (std::size_t k = 0; k < n; ++k)
            if (alive[k] && k != a && k != b) {
                distance[a][k] = distance[k][a] = (size_a * distance[a][k] + size_b * distance[b][k]) / (size_a + size_b);
                kept[a][k] = kept[k][a] = false;
            }
        members[a].insert(members[a].end(), members[b].begin(), members[b].end());
        members[b].clear();
        alive[b] = false;
        --clusters;
    }
    // Each vector is labelled with the index of the group that holds it.
    for (std::size_t i = 0; i < n; ++i)
        for (const std::size_t member : members[i]) label[member] = static_cast<int>(i);
    return label;
}

std::vector<SpeakerTurn> find_speaker_turns(const std::vector<std::int16_t> &samples, const ClusteringOptions &options) {
    Frames frames = compute_frames(samples);
    if (frames.mfcc.empty()) return {};
    const std::vector<bool> voiced = voice_activity(frames.log_energy);
    normalise_per_recording(frames.mfcc, voiced);
    std::vector<Window> windows = voiced_windows(frames, voiced, options);
    if (windows.empty()) return {};
    std::vector<std::vector<float>> embeddings;
    for (const auto &window : windows) embeddings.push_back(window.embedding);
    standardise(embeddings, std::vector<std::vector<float>>(embeddings));
    for (auto &e : embeddings) normalise(e);
    const auto keep_apart = [&](const std::vector<std::size_t> &a, const std::vector<std::size_t> &b) {
        FrameGaussian first(mfcc_count), second(mfcc_count);
        for (const std::size_t w : a) first.merge(windows[w].frames);
        for (const std::size_t w : b) second.merge(windows[w].frames);
        return separation_gain(first, second, options.penalty, options.evidence_frames) > 0;
    };
    const std::vector<int> labels = cluster(embeddings, options.speakers, keep_apart);

    // Each voiced frame takes the label of the window whose centre is nearest.
    std::vector<int> frame_label(voiced.size(), -1);
    for (std::size_t f = 0, w = 0; f < voiced.size(); ++f) {
        if (!voiced[f]) continue;
        while (w + 1 < windows.size() && std::abs((windows[w + 1].first + windows[w + 1].last) / 2 - static_cast<int>(f)) <=
                                             std::abs((windows[w].first + windows[w].last) / 2 - static_cast<int>(f)))
            ++w;
        if (static_cast<int>(f) >= windows[w].first - options.hop_frames &&
            static_cast<int>(f) < windows[w].last + options.hop_frames)
            frame_label[f] = labels[w];
    }
    std::vector<SpeakerTurn> turns;
    for (std::size_t f = 0; f < frame_label.size();) {
        if (frame_label[f] < 0) {
            ++f;
            continue;
        }
        std::size_t end = f;
        while (end < frame_label.size() && frame_label[end] == frame_label[f]) ++end;
        turns.push_back({static_cast<std::int64_t>(f) * 10, static_cast<std::int64_t>(end) * 10 + 15, frame_label[f]});
        f = end;
    }
    // Fold turns too short to be a speaker's into the previous one.
    std::vector<SpeakerTurn> merged;
    for (const auto &turn : turns) {
        if (!merged.empty() &&
            (turn.end_ms - turn.start_ms < options.shortest_turn_ms || merged.back().speaker == turn.speaker) &&
            turn.start_ms - merged.back().end_ms < 500)
            merged.back().end_ms = turn.end_ms;
        else
            merged.push_back(turn);
    }
    std::map<int, int> order;
    for (auto &turn : merged) {
        const auto found = order.try_emplace(turn.speaker, static_cast<int>(order.size()) + 1).first;
        turn.speaker = found->second;
    }
    return merged;
}

}  // namespace dubhost::diarize
