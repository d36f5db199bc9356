#include "speaker_clustering.hpp"

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
};

void standardise(std::vector<std::vector<float>> &rows) {
    if (rows.empty()) return;
    const std::size_t dims = rows[0].size();
    for (std::size_t d = 0; d < dims; ++d) {
        double mean = 0, square = 0;
        for (const auto &row : rows) mean += row[d];
        mean /= static_cast<double>(rows.size());
        for (const auto &row : rows) square += (row[d] - mean) * (row[d] - mean);
        const double deviation = std::sqrt(square / static_cast<double>(rows.size())) + 1e-6;
        for (auto &row : rows) row[d] = static_cast<float>((row[d] - mean) / deviation);
    }
}

void normalise(std::vector<float> &v) {
    double norm = 1e-12;
    for (float x : v) norm += static_cast<double>(x) * x;
    norm = std::sqrt(norm);
    for (float &x : v) x = static_cast<float>(x / norm);
}

// Mean and standard deviation of the voiced frames' MFCCs inside [first, last).
std::vector<float> embed(const std::vector<std::vector<float>> &mfcc, const std::vector<bool> &voiced, int first, int last) {
    const std::size_t dims = mfcc[0].size();
    std::vector<double> mean(dims, 0), square(dims, 0);
    int count = 0;
    for (int f = first; f < last; ++f) {
        if (!voiced[static_cast<std::size_t>(f)]) continue;
        ++count;
        for (std::size_t d = 0; d < dims; ++d) mean[d] += mfcc[static_cast<std::size_t>(f)][d];
    }
    std::vector<float> out(2 * dims, 0.0f);
    if (count == 0) return out;
    for (std::size_t d = 0; d < dims; ++d) mean[d] /= count;
    for (int f = first; f < last; ++f)
        if (voiced[static_cast<std::size_t>(f)])
            for (std::size_t d = 0; d < dims; ++d) square[d] += std::pow(mfcc[static_cast<std::size_t>(f)][d] - mean[d], 2);
    for (std::size_t d = 0; d < dims; ++d) {
        out[d] = static_cast<float>(mean[d]);
        out[dims + d] = static_cast<float>(std::sqrt(square[d] / count));
    }
    return out;
}

std::vector<Window> voiced_windows(const Frames &frames, const std::vector<bool> &voiced, const ClusteringOptions &options) {
    std::vector<Window> windows;
    const int total = static_cast<int>(voiced.size());
    for (int i = 0; i < total;) {
        if (!voiced[static_cast<std::size_t>(i)]) {
            ++i;
            continue;
        }
        int end = i;
        while (end < total && voiced[static_cast<std::size_t>(end)]) ++end;
        if (end - i >= 30) {  // at least 300 ms of speech
            for (int start = i;; start += options.hop_frames) {
                const int stop = std::min(end, start + options.window_frames);
                windows.push_back({start, stop, embed(frames.mfcc, voiced, start, stop)});
                if (stop >= end) break;
            }
        }
        i = end;
    }
    return windows;
}

}  // namespace

std::vector<int> cluster(const std::vector<std::vector<float>> &vectors, double threshold, int wanted) {
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
    std::vector<int> size(n, 1);
    std::vector<bool> alive(n, true);
    std::size_t clusters = n;
    while (clusters > 1) {
        double best = std::numeric_limits<double>::max();
        std::size_t a = 0, b = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!alive[i]) continue;
            for (std::size_t j = i + 1; j < n; ++j)
                if (alive[j] && distance[i][j] < best) best = distance[i][j], a = i, b = j;
        }
        const bool enough = wanted > 0 ? clusters <= static_cast<std::size_t>(wanted) : best > threshold;
        if (enough) break;
        // Lance-Williams update for average linkage: b joins a.
        for (std::size_t k = 0; k < n; ++k)
            if (alive[k] && k != a && k != b)
                distance[a][k] = distance[k][a] = (size[a] * distance[a][k] + size[b] * distance[b][k]) / (size[a] + size[b]);
        size[a] += size[b];
        alive[b] = false;
        for (auto &l : label)
            if (l == static_cast<int>(b)) l = static_cast<int>(a);
        --clusters;
    }
    return label;
}

std::vector<SpeakerTurn> find_speaker_turns(const std::vector<std::int16_t> &samples, const ClusteringOptions &options) {
    Frames frames = compute_frames(samples);
    if (frames.mfcc.empty()) return {};
    const std::vector<bool> voiced = voice_activity(frames.log_energy);
    std::vector<Window> windows = voiced_windows(frames, voiced, options);
    if (windows.empty()) return {};
    std::vector<std::vector<float>> embeddings;
    for (const auto &window : windows) embeddings.push_back(window.embedding);
    standardise(embeddings);
    for (auto &e : embeddings) normalise(e);
    const std::vector<int> labels = cluster(embeddings, options.threshold, options.speakers);

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
