#include "diarization_error_rate.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace dubhost::scoring {
namespace {

constexpr std::int64_t frame_ms = 10;

// Speaker index per frame (-1 = silence); overlapping turns keep the first speaker.
std::vector<int> frames_of(const std::vector<LabelledTurn> &turns, std::int64_t frames, std::map<std::string, int> &ids) {
    std::vector<int> labels(static_cast<std::size_t>(frames), -1);
    for (const auto &turn : turns) {
        const int id = ids.try_emplace(turn.speaker, static_cast<int>(ids.size())).first->second;
        for (std::int64_t f = turn.start_ms / frame_ms; f < std::min(frames, turn.end_ms / frame_ms); ++f)
            if (labels[static_cast<std::size_t>(f)] < 0) labels[static_cast<std::size_t>(f)] = id;
    }
    return labels;
}

}  // namespace

DiarizationErrors diarization_errors(const std::vector<LabelledTurn> &reference, const std::vector<LabelledTurn> &hypothesis,
                                     std::int64_t collar_ms) {
    std::int64_t end = 0;
    for (const auto &turn : reference) end = std::max(end, turn.end_ms);
    for (const auto &turn : hypothesis) end = std::max(end, turn.end_ms);
    const std::int64_t frames = end / frame_ms + 1;
    std::map<std::string, int> ref_ids, hyp_ids;
    const auto ref = frames_of(reference, frames, ref_ids), hyp = frames_of(hypothesis, frames, hyp_ids);
    std::vector<bool> scored(static_cast<std::size_t>(frames), true);
    for (const auto &turn : reference)
        for (const std::int64_t boundary : {turn.start_ms, turn.end_ms})
            for (std::int64_t f = std::max<std::int64_t>(0, (boundary - collar_ms) / frame_ms);
                 f < std::min(frames, (boundary + collar_ms) / frame_ms); ++f)
                scored[static_cast<std::size_t>(f)] = false;

    // Overlap counts between reference and hypothesis speakers, then the best one-to-one mapping.
    const int r = static_cast<int>(ref_ids.size()), h = static_cast<int>(hyp_ids.size());
    std::vector<std::vector<int>> overlap(static_cast<std::size_t>(r), std::vector<int>(static_cast<std::size_t>(h), 0));
    for (std::size_t f = 0; f < ref.size(); ++f)
        if (scored[f] && ref[f] >= 0 && hyp[f] >= 0)
            ++overlap[static_cast<std::size_t>(ref[f])][static_cast<std::size_t>(hyp[f])];
    std::vector<int> mapping(static_cast<std::size_t>(h), -1);  // hypothesis speaker -> reference speaker
    std::vector<int> order(static_cast<std::size_t>(std::max(r, h)));
    std::iota(order.begin(), order.end(), 0);
    if (std::max(r, h) <= 8) {  // exhaustive: at most 8! mappings
        long best = -1;
        do {
            long agreed = 0;
            for (int j = 0; j < h; ++j)
                if (order[static_cast<std::size_t>(j)] < r)
                    agreed += overlap[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])][static_cast<std::size_t>(j)];
            if (agreed > best) {
                best = agreed;
                for (int j = 0; j < h; ++j)
                    mapping[static_cast<std::size_t>(j)] =
                        order[static_cast<std::size_t>(j)] < r ? order[static_cast<std::size_t>(j)] : -1;
            }
        } while (std::next_permutation(order.begin(), order.end()));
    }
    DiarizationErrors errors;
    for (std::size_t f = 0; f < ref.size(); ++f) {
        if (!scored[f]) continue;
        const double seconds = frame_ms / 1000.0;
        if (ref[f] >= 0) errors.reference_s += seconds;
        if (ref[f] >= 0 && hyp[f] < 0)
            errors.missed_s += seconds;
        else if (ref[f] < 0 && hyp[f] >= 0)
            errors.false_alarm_s += seconds;
        else if (ref[f] >= 0 && mapping[static_cast<std::size_t>(hyp[f])] != ref[f])
            errors.confusion_s += seconds;
    }
    return errors;
}

}  // namespace dubhost::scoring
