// The native diarizer's speaker-count criterion (BIC over full-covariance frame Gaussians) and its
// clustering with a keep-apart rule, on synthetic frames and vectors whose answer is known.
#include "speaker_bic.hpp"
#include "speaker_clustering.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <set>
#include <stdexcept>

using namespace dubhost::diarize;

namespace {

// `count` 13-dimensional frames, each component normal around `centre` with deviation 1.
FrameGaussian frames(std::mt19937 &random, std::size_t count, float centre) {
    std::normal_distribution<float> normal(centre, 1.0f);
    FrameGaussian group(13);
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<float> frame(13);
        for (float &x : frame) x = normal(random);
        group.add(frame);
    }
    return group;
}

std::vector<float> unit(float x, float y) {
    const float norm = std::sqrt(x * x + y * y);
    return {x / norm, y / norm};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(speaker_clustering)

BOOST_AUTO_TEST_CASE(two_different_voices_are_worth_their_parameters_and_one_voice_is_not) {
    // 20 s of frames each: a second full-covariance Gaussian (104 parameters) needs that much to pay.
    std::mt19937 random(7);
    const FrameGaussian first = frames(random, 2000, 0.0f), same = frames(random, 2000, 0.0f), other = frames(random, 2000, 1.0f);
    BOOST_TEST(separation_gain(first, other, 3.0, 1e9) > 0);
    BOOST_TEST(separation_gain(first, same, 1.0, 1e9) < 0);
    BOOST_TEST(separation_gain(first, same, 3.0, 1e9) < 0);
    // A higher penalty only ever asks for more evidence.
    BOOST_TEST(separation_gain(first, other, 6.0, 1e9) < separation_gain(first, other, 3.0, 1e9));
}

BOOST_AUTO_TEST_CASE(minutes_of_one_voice_weigh_no_more_than_the_evidence_cap) {
    // Two long groups whose means differ a little (what one voice saying different things looks
    // like to a Gaussian): uncapped, 200 s of frames each are "two voices"; counted as 20 s, one.
    std::mt19937 random(3);
    const FrameGaussian first = frames(random, 20000, 0.0f), second = frames(random, 20000, 0.25f);
    BOOST_TEST(separation_gain(first, second, 3.0, 1e9) > 0);
    BOOST_TEST(separation_gain(first, second, 3.0, 2000) < 0);
    // Below the cap nothing changes.
    const FrameGaussian small = frames(random, 500, 0.0f), other = frames(random, 500, 1.0f);
    BOOST_TEST(separation_gain(small, other, 3.0, 2000) == separation_gain(small, other, 3.0, 1e9));
}

BOOST_AUTO_TEST_CASE(merged_statistics_are_those_of_all_the_frames) {
    std::mt19937 random(11), again(11);
    FrameGaussian merged = frames(random, 200, 0.0f);
    merged.merge(frames(random, 300, 2.0f));
    FrameGaussian whole(13);
    std::normal_distribution<float> low(0.0f, 1.0f), high(2.0f, 1.0f);
    for (std::size_t i = 0; i < 500; ++i) {
        std::vector<float> frame(13);
        for (float &x : frame) x = i < 200 ? low(again) : high(again);
        whole.add(frame);
    }
    BOOST_TEST(merged.count() == 500.0);
    BOOST_TEST(merged.log_determinant() == whole.log_determinant(), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(frames_of_another_size_are_refused) {
    FrameGaussian group(13);
    BOOST_CHECK_THROW(group.add(std::vector<float>(12, 0.0f)), std::invalid_argument);
    BOOST_CHECK_THROW(group.merge(FrameGaussian(3)), std::invalid_argument);
    BOOST_TEST(group.log_determinant() == 0.0);  // no frames: no claim about them
}

BOOST_AUTO_TEST_CASE(clustering_stops_where_the_rule_keeps_groups_apart) {
    // Two directions, three vectors near each; the rule keeps apart groups that mix the two sides.
    const std::vector<std::vector<float>> vectors = {unit(1, 0.01f), unit(1, 0.02f), unit(1, 0.03f),
                                                     unit(0.01f, 1), unit(0.02f, 1), unit(0.03f, 1)};
    const auto side_of = [](std::size_t index) { return index < 3; };
    const KeepApart different_sides = [&](const std::vector<std::size_t> &a, const std::vector<std::size_t> &b) {
        return side_of(a.front()) != side_of(b.front());
    };
    const auto labels = cluster(vectors, 0, different_sides);
    BOOST_TEST(std::set<int>(labels.begin(), labels.end()).size() == 2u);
    BOOST_TEST(labels[0] == labels[2]);
    BOOST_TEST(labels[3] == labels[5]);
    BOOST_TEST(labels[0] != labels[3]);

    const KeepApart never = [](const auto &, const auto &) { return false; };
    const KeepApart always = [](const auto &, const auto &) { return true; };
    const auto merged = cluster(vectors, 0, never);
    BOOST_TEST(std::set<int>(merged.begin(), merged.end()).size() == 1u);
    const auto apart = cluster(vectors, 0, always);
    BOOST_TEST(std::set<int>(apart.begin(), apart.end()).size() == vectors.size());
    // A count given overrides the rule.
    const auto told = cluster(vectors, 2, always);
    BOOST_TEST(std::set<int>(told.begin(), told.end()).size() == 2u);
    BOOST_TEST(told[0] == told[1]);
    BOOST_TEST(told[3] != told[0]);
}

BOOST_AUTO_TEST_SUITE_END()
