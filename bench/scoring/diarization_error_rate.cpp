// The DER scorer (diarization_error_rate.hpp): both labellings on 10 ms frames, the collar left
// out, speakers paired by best_assignment, every scored frame counted once.
#include "diarization_error_rate.hpp"

#include "speaker_assignment.hpp"

#include <algorithm>
#include <map>

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
    std::vector<std::vector<std::int64_t>> overlap(ref_ids.size(), std::vector<std::int64_t>(hyp_ids.size(), 0));
    for (std::size_t f = 0; f < ref.size(); ++f)
        if (scored[f] && ref[f] >= 0 && hyp[f] >= 0)
            ++overlap[static_cast<std::size_t>(ref[f])][static_cast<std::size_t>(hyp[f])];
    const std::vector<int> mapping = best_assignment(overlap, static_cast<int>(hyp_ids.size()));  // hypothesis -> reference
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
