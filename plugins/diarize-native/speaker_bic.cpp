// Full-covariance Gaussians over feature frames and the BIC comparison of one against two
// (see speaker_bic.hpp).
#include "speaker_bic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dubhost::diarize {

FrameGaussian::FrameGaussian(std::size_t dimensions) : sum_(dimensions, 0.0), products_(dimensions * dimensions, 0.0) {}

void FrameGaussian::add(const std::vector<float> &frame) {
    if (frame.size() != sum_.size()) throw std::invalid_argument("a frame's dimensions differ from its group's");
    const std::size_t d = sum_.size();
    count_ += 1;
    for (std::size_t i = 0; i < d; ++i) {
        sum_[i] += frame[i];
        for (std::size_t j = 0; j < d; ++j) products_[i * d + j] += static_cast<double>(frame[i]) * frame[j];
    }
}

void FrameGaussian::merge(const FrameGaussian &other) {
    if (other.sum_.size() != sum_.size()) throw std::invalid_argument("merging groups of different dimensions");
    count_ += other.count_;
    for (std::size_t i = 0; i < sum_.size(); ++i) sum_[i] += other.sum_[i];
    for (std::size_t i = 0; i < products_.size(); ++i) products_[i] += other.products_[i];
}

double FrameGaussian::log_determinant() const {
    const std::size_t d = sum_.size();
    if (count_ < 1) return 0.0;
    std::vector<double> covariance(d * d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j)
            covariance[i * d + j] = products_[i * d + j] / count_ - (sum_[i] / count_) * (sum_[j] / count_);
    // The ridge stands for the variance a handful of frames cannot show; it keeps a group smaller
    // than its dimension count from looking infinitely tight.
    for (std::size_t i = 0; i < d; ++i) covariance[i * d + i] += 1e-3;
    // Cholesky: log |C| = 2 sum log L_ii.
    double log_det = 0;
    for (std::size_t j = 0; j < d; ++j) {
        double diagonal = covariance[j * d + j];
        for (std::size_t k = 0; k < j; ++k) diagonal -= covariance[j * d + k] * covariance[j * d + k];
        if (diagonal <= 1e-12) diagonal = 1e-12;
        const double root = std::sqrt(diagonal);
        covariance[j * d + j] = root;
        log_det += 2 * std::log(root);
        for (std::size_t i = j + 1; i < d; ++i) {
            double value = covariance[i * d + j];
            for (std::size_t k = 0; k < j; ++k) value -= covariance[i * d + k] * covariance[j * d + k];
            covariance[i * d + j] = value / root;
        }
    }
    return log_det;
}

double separation_gain(const FrameGaussian &a, const FrameGaussian &b, double penalty, double most_frames) {
    FrameGaussian both = a;
    both.merge(b);
    const double d = static_cast<double>(a.dimensions());
    const double parameters = d + d * (d + 1) / 2;  // one more mean and covariance
    const double counted = std::min(both.count(), most_frames), scale = counted / both.count();
    const double likelihood =
        0.5 * scale * (both.count() * both.log_determinant() - a.count() * a.log_determinant() - b.count() * b.log_determinant());
    return likelihood - penalty * 0.5 * parameters * std::log(counted);
}

}  // namespace dubhost::diarize
