// Diarization error rate: missed speech, false alarms and speaker confusion over the reference's
// speech time, scored on 10 ms frames with a collar around every reference boundary left out, under
// the speaker mapping that agrees best. Used by the diarization quality test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dubhost::scoring {

struct LabelledTurn {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::string speaker;
};

struct DiarizationErrors {
    double missed_s = 0, false_alarm_s = 0, confusion_s = 0, reference_s = 0;
    double rate() const { return reference_s > 0 ? (missed_s + false_alarm_s + confusion_s) / reference_s : 0.0; }
};

DiarizationErrors diarization_errors(const std::vector<LabelledTurn> &reference, const std::vector<LabelledTurn> &hypothesis,
                                     std::int64_t collar_ms = 250);

}  // namespace dubhost::scoring
