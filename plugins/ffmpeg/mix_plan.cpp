#include "mix_plan.hpp"

#include <algorithm>
#include <cmath>

namespace dubhost::ffmpeg {

std::vector<PlacedSegment> plan_mix(std::vector<SegmentTiming> segments, const FitOptions &options) {
    std::stable_sort(segments.begin(), segments.end(), [](const auto &a, const auto &b) { return a.start_ms < b.start_ms; });
    std::vector<PlacedSegment> placed;
    placed.reserve(segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        PlacedSegment plan;
        plan.timing = segments[i];
        const SegmentTiming &t = plan.timing;
        const std::int64_t window = std::max<std::int64_t>(1, t.end_ms - t.start_ms);
        const std::int64_t next_start =
            i + 1 < segments.size() ? segments[i + 1].start_ms : std::numeric_limits<std::int64_t>::max();
        // Room before the next segment; overlapping source cues still keep their own window.
        const std::int64_t room = std::max(window, next_start - t.start_ms);
        plan.place_start_ms = t.start_ms;
        if (t.audio_ms <= window) {
            plan.action = "fits";
            plan.place_end_ms = t.start_ms + t.audio_ms;
        } else {
            plan.tempo = std::min(static_cast<double>(t.audio_ms) / static_cast<double>(window), options.max_tempo);
            const auto fitted = static_cast<std::int64_t>(std::ceil(static_cast<double>(t.audio_ms) / plan.tempo));
            if (fitted <= window) {
                plan.action = "stretched";
                plan.place_end_ms = t.start_ms + fitted;
            } else if (fitted <= room) {
                plan.action = "overrun";
                plan.place_end_ms = t.start_ms + fitted;
                plan.overrun_ms = fitted - window;
            } else {
                plan.action = "truncated";
                plan.place_end_ms = t.start_ms + room;
                plan.overrun_ms = room - window;
                plan.truncated_ms = fitted - room;
            }
        }
        placed.push_back(std::move(plan));
    }
    return placed;
}

DuckingEnvelope::DuckingEnvelope(const std::vector<PlacedSegment> &placed, double duck_db, double attack_ms, double release_ms,
                                 int sample_rate)
    : duck_db_(duck_db),
      ducked_gain_(static_cast<float>(std::pow(10.0, duck_db / 20.0))),
      attack_(std::max<std::int64_t>(1, std::llround(attack_ms * sample_rate / 1000.0))),
      release_(std::max<std::int64_t>(1, std::llround(release_ms * sample_rate / 1000.0))) {
    for (const auto &plan : placed) {
        const Interval interval{plan.place_start_ms * sample_rate / 1000, plan.place_end_ms * sample_rate / 1000};
        if (!intervals_.empty() && interval.start <= intervals_.back().end)
            intervals_.back().end = std::max(intervals_.back().end, interval.end);
        else
            intervals_.push_back(interval);
    }
}

void DuckingEnvelope::gains(std::int64_t first_frame, std::vector<float> &gains) {
    const auto count = static_cast<std::int64_t>(gains.size());
    // Skip intervals whose release ended before this block.
    while (cursor_ < intervals_.size() && intervals_[cursor_].end + release_ <= first_frame) ++cursor_;
    for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t t = first_frame + i;
        double depth = 0;  // 0 = full background, 1 = fully ducked
        for (std::size_t k = cursor_; k < intervals_.size() && intervals_[k].start - attack_ <= t; ++k) {
            const Interval &interval = intervals_[k];
            double d = 0;
            if (t >= interval.start && t < interval.end)
                d = 1;
            else if (t < interval.start)
                d = 1.0 - static_cast<double>(interval.start - t) / static_cast<double>(attack_);
            else
                d = 1.0 - static_cast<double>(t - interval.end) / static_cast<double>(release_);
            depth = std::max(depth, std::clamp(d, 0.0, 1.0));
            if (depth >= 1) break;
        }
        gains[static_cast<std::size_t>(i)] = depth <= 0   ? 1.0f
                                             : depth >= 1 ? ducked_gain_
                                                          : static_cast<float>(std::pow(10.0, duck_db_ * depth / 20.0));
    }
}

}  // namespace dubhost::ffmpeg
