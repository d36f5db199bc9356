#include "mix_plan.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>

using dubhost::ffmpeg::DuckingEnvelope;
using dubhost::ffmpeg::plan_mix;
using dubhost::ffmpeg::SegmentTiming;

BOOST_AUTO_TEST_SUITE(mix_plan)

BOOST_AUTO_TEST_CASE(segments_that_fit_play_at_normal_speed) {
    const auto plan = plan_mix({{"a", "a.wav", 1000, 3000, 1500}}, {});
    BOOST_TEST_REQUIRE(plan.size() == 1u);
    BOOST_TEST(plan[0].action == "fits");
    BOOST_TEST(plan[0].tempo == 1.0);
    BOOST_TEST(plan[0].place_end_ms == 2500);
}

BOOST_AUTO_TEST_CASE(long_segments_are_sped_up_then_run_over_then_cut) {
    const auto plan = plan_mix({{"stretch", "", 0, 1000, 1200},
                                {"overrun", "", 2000, 3000, 2000},
                                {"cut", "", 6000, 7000, 3000},
                                {"next", "", 7500, 8000, 100}},
                               {1.35});
    BOOST_TEST(plan[0].action == "stretched");
    BOOST_TEST(std::abs(plan[0].tempo - 1.2) < 1e-9);
    BOOST_TEST(plan[0].place_end_ms == 1000);
    BOOST_TEST(plan[1].action == "overrun");
    BOOST_TEST(plan[1].tempo == 1.35);
    BOOST_TEST(plan[1].place_end_ms == 2000 + 1482);
    BOOST_TEST(plan[1].overrun_ms == 482);
    BOOST_TEST(plan[2].action == "truncated");
    BOOST_TEST(plan[2].place_end_ms == 7500);  // never into the next segment
    BOOST_TEST(plan[2].truncated_ms == 2223 - 1500);
}

BOOST_AUTO_TEST_CASE(unsorted_and_overlapping_cues_keep_their_own_window) {
    const auto plan = plan_mix({{"b", "", 1500, 2500, 3000}, {"a", "", 1000, 2000, 500}}, {1.35});
    BOOST_TEST(plan[0].timing.segment_id == "a");
    BOOST_TEST(plan[1].action == "overrun");  // last segment: free to run on
    const auto overlapping = plan_mix({{"a", "", 1000, 3000, 4000}, {"b", "", 2000, 2500, 100}}, {1.35});
    BOOST_TEST(overlapping[0].action == "truncated");
    BOOST_TEST(overlapping[0].place_end_ms == 3000);  // its own window, though the next starts earlier
}

// Ten times the segments must cost about ten times as much (a quadratic plan would cost 100x).
// A ratio, not an absolute bound, so sanitizer and debug builds measure the same thing.
BOOST_AUTO_TEST_CASE(planning_is_linear_in_segments) {
    auto time_plan = [](int count) {
        std::vector<SegmentTiming> many;
        for (int i = 0; i < count; ++i) many.push_back({std::to_string(i), "", i * 1000LL, i * 1000LL + 800, 900});
        const auto start = std::chrono::steady_clock::now();
        const auto plan = plan_mix(many, {});
        BOOST_TEST(plan.size() == many.size());
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    time_plan(5000);  // warm up allocator and caches
    const double small = std::max(time_plan(20000), 1e-4), large = time_plan(200000);
    BOOST_TEST_MESSAGE("plan 20k segments " << small << " s, 200k " << large << " s");
    BOOST_TEST(large / small < 30.0);
}

BOOST_AUTO_TEST_CASE(ducking_ramps_down_before_speech_and_up_after) {
    const auto plan = plan_mix({{"a", "", 1000, 2000, 1000}}, {});
    DuckingEnvelope envelope(plan, -12, 100, 200, 1000);  // 1 kHz: one frame per ms
    std::vector<float> gains(3000);
    envelope.gains(0, gains);
    const float ducked = static_cast<float>(std::pow(10.0, -12.0 / 20));
    BOOST_TEST(gains[0] == 1.0f);
    BOOST_TEST(gains[899] == 1.0f);
    BOOST_TEST(gains[950] < 1.0f);
    BOOST_TEST(gains[950] > ducked);
    BOOST_TEST(gains[1000] == ducked);
    BOOST_TEST(gains[1999] == ducked);
    BOOST_TEST(gains[2100] > ducked);
    BOOST_TEST(gains[2100] < 1.0f);
    BOOST_TEST(gains[2200] == 1.0f);
    for (std::size_t i = 1; i < gains.size(); ++i) BOOST_TEST(std::abs(20 * std::log10(gains[i] / gains[i - 1])) < 0.13);
}

BOOST_AUTO_TEST_CASE(ducking_off_is_unity) {
    const auto plan = plan_mix({{"a", "", 0, 500, 400}}, {});
    DuckingEnvelope envelope(plan, 0, 50, 50, 1000);
    std::vector<float> gains(1000);
    envelope.gains(0, gains);
    for (float g : gains) BOOST_TEST(g == 1.0f);
}

BOOST_AUTO_TEST_SUITE_END()
