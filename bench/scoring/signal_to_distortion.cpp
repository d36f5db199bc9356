#include "signal_to_distortion.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dubhost::scoring {

double signal_to_distortion_db(const std::vector<float> &reference, const std::vector<float> &estimate) {
    const std::size_t count = std::min(reference.size(), estimate.size());
    double signal = 0, distortion = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const double s = reference[i];
        const double e = s - static_cast<double>(estimate[i]);
        signal += s * s;
        distortion += e * e;
    }
    if (signal <= 0) throw std::invalid_argument("SDR of a silent reference is undefined");
    if (distortion <= signal * std::pow(10.0, -max_sdr_db / 10)) return max_sdr_db;
    return 10 * std::log10(signal / distortion);
}

}  // namespace dubhost::scoring
