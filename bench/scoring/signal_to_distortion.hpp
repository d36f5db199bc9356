// Signal-to-distortion ratio of an estimated stem against the true one: 10 log10 of the reference's
// energy over the energy of the difference (the plain SDR of SiSEC 2018's new measure, no
// projection, so gain errors count). The improvement of a stem is its SDR minus the SDR of the
// unprocessed mix taken as the estimate. Used by the separation quality test and benchmark.
#pragma once

#include <cstddef>
#include <vector>

namespace dubhost::scoring {

// Samples are compared index by index (interleaved channels are fine); the shorter length counts.
// An exact estimate scores max_sdr_db; a silent reference is a precondition violation.
constexpr double max_sdr_db = 100.0;
double signal_to_distortion_db(const std::vector<float> &reference, const std::vector<float> &estimate);

}  // namespace dubhost::scoring
