#include "signal_to_distortion.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using dubhost::scoring::signal_to_distortion_db;

BOOST_AUTO_TEST_SUITE(signal_to_distortion)

namespace {
std::vector<float> sine(std::size_t count, double cycles_per_sample, double amplitude) {
    std::vector<float> out(count);
    for (std::size_t i = 0; i < count; ++i)
        out[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * cycles_per_sample * static_cast<double>(i)));
    return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(exact_estimate_scores_the_ceiling_and_silence_zero) {
    const auto reference = sine(4800, 0.01, 0.5);
    BOOST_TEST(signal_to_distortion_db(reference, reference) == dubhost::scoring::max_sdr_db);
    BOOST_TEST(std::abs(signal_to_distortion_db(reference, std::vector<float>(4800, 0.0f))) < 1e-9);
}

BOOST_AUTO_TEST_CASE(gain_errors_and_added_interference_count) {
    const auto reference = sine(48000, 0.01, 0.5);
    auto half = reference;
    for (auto &s : half) s *= 0.5f;
    // The error is half the signal: 10 log10(1 / 0.25) = 6.02 dB.
    BOOST_TEST(std::abs(signal_to_distortion_db(reference, half) - 6.0206) < 1e-3);
    // Interference a tenth of the reference's power (an orthogonal tone): 10 dB.
    const auto interference = sine(48000, 0.037, 0.5 * std::sqrt(0.1));
    auto mixed = reference;
    for (std::size_t i = 0; i < mixed.size(); ++i) mixed[i] += interference[i];
    BOOST_TEST(std::abs(signal_to_distortion_db(reference, mixed) - 10.0) < 0.05);
    // A mix of equal-power stems, taken as the estimate of one: 0 dB.
    auto equal = reference;
    const auto other = sine(48000, 0.023, 0.5);
    for (std::size_t i = 0; i < equal.size(); ++i) equal[i] += other[i];
    BOOST_TEST(std::abs(signal_to_distortion_db(reference, equal)) < 0.05);
}

BOOST_AUTO_TEST_CASE(silent_reference_is_refused) {
    BOOST_CHECK_THROW(signal_to_distortion_db(std::vector<float>(100, 0.0f), std::vector<float>(100, 0.1f)),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
