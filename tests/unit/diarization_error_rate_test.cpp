#include "diarization_error_rate.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using dubhost::scoring::diarization_errors;

BOOST_AUTO_TEST_SUITE(diarization_error_rate)

BOOST_AUTO_TEST_CASE(renamed_speakers_are_not_errors) {
    const auto errors = diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 2000, "x"}, {2000, 4000, "y"}}, 0);
    BOOST_TEST(errors.rate() == 0.0);
    BOOST_TEST(std::abs(errors.reference_s - 4.0) < 0.02);
}

BOOST_AUTO_TEST_CASE(missed_false_alarm_and_confusion) {
    const auto errors =
        diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 1000, "x"}, {1000, 4000, "y"}, {5000, 6000, "y"}}, 0);
    BOOST_TEST(std::abs(errors.confusion_s - 1.0) < 0.02);    // 1-2 s labelled y, which maps to B
    BOOST_TEST(std::abs(errors.false_alarm_s - 1.0) < 0.02);  // 5-6 s is silence in the reference
    BOOST_TEST(std::abs(errors.rate() - 0.5) < 0.01);
    const auto missed = diarization_errors({{0, 2000, "A"}}, {{0, 1500, "x"}}, 0);
    BOOST_TEST(std::abs(missed.missed_s - 0.5) < 0.02);
}

BOOST_AUTO_TEST_CASE(the_collar_forgives_boundaries) {
    const auto strict = diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 2200, "x"}, {2200, 4000, "y"}}, 0);
    const auto collared = diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 2200, "x"}, {2200, 4000, "y"}}, 250);
    BOOST_TEST(strict.rate() > 0.04);
    BOOST_TEST(collared.rate() == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
