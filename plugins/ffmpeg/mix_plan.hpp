// Where each dubbed segment goes in the mix and how it is made to fit its window: pure timing
// logic, no audio. Used by the mix backend; unit-tested on its own.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace dubhost::ffmpeg {

struct SegmentTiming {
    std::string segment_id;
    std::string path;           // the segment's audio
    std::int64_t start_ms = 0;  // the window the text occupies in the source
    std::int64_t end_ms = 0;
    std::int64_t audio_ms = 0;  // how long the synthesised audio is
};

struct PlacedSegment {
    SegmentTiming timing;
    double tempo = 1.0;               // > 1 plays faster (pitch kept)
    std::int64_t place_start_ms = 0;  // where its audio starts in the mix (= start_ms)
    std::int64_t place_end_ms = 0;    // where it stops (after tempo, overrun or truncation)
    std::int64_t overrun_ms = 0;      // how far it runs past its window into the following gap
    std::int64_t truncated_ms = 0;    // audio cut because it would reach the next segment
    std::string action;               // "fits", "stretched", "overrun", "truncated"
};

struct FitOptions {
    double max_tempo = 1.35;
};

// Sorts by start and fits every segment: a segment longer than its window is sped up to at most
// max_tempo; if still too long it runs on into the gap after its window, but never past the start
// of the next segment, where it is cut (and faded by the mixer). Linear in the number of segments.
std::vector<PlacedSegment> plan_mix(std::vector<SegmentTiming> segments, const FitOptions &options);

// Background gain over time: full level outside speech, `duck_db` under speech, with linear-in-dB
// ramps of `attack_ms` before each speech interval and `release_ms` after it.
class DuckingEnvelope {
public:
    DuckingEnvelope(const std::vector<PlacedSegment> &placed, double duck_db, double attack_ms, double release_ms,
                    int sample_rate);
    // Fills `gains` with the linear background gain of frames [first, first + gains.size()).
    // Calls must move forward in time (a cursor keeps the cost linear over the whole mix).
    void gains(std::int64_t first_frame, std::vector<float> &gains);

private:
    struct Interval {
        std::int64_t start, end;  // in frames
    };
    std::vector<Interval> intervals_;  // merged, sorted
    double duck_db_;
    float ducked_gain_;
    std::int64_t attack_;
    std::int64_t release_;
    std::size_t cursor_ = 0;
};

}  // namespace dubhost::ffmpeg
