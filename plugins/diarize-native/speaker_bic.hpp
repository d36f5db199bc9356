// The Bayesian information criterion for "one voice or two": frames pooled into a full-covariance
// Gaussian per group, and whether two groups are better described apart. Used by the native
// diarizer to decide the speaker count without a tuned distance.
#pragma once

#include <vector>

namespace dubhost::diarize {

// Sufficient statistics of a group of feature frames (count, sum, sum of outer products).
class FrameGaussian {
public:
    explicit FrameGaussian(std::size_t dimensions = 0);

    void add(const std::vector<float> &frame);
    void merge(const FrameGaussian &other);

    double count() const { return count_; }
    std::size_t dimensions() const { return sum_.size(); }
    // log |covariance| of the maximum-likelihood fit (a small ridge keeps it finite).
    double log_determinant() const;

private:
    double count_ = 0;
    std::vector<double> sum_;
    std::vector<double> products_;  // dimensions x dimensions, row-major
};

// BIC(two Gaussians) - BIC(one Gaussian) for groups a and b: positive when modelling them apart
// pays for its extra parameters, which `penalty` scales (1 is the criterion as Schwarz stated it).
// Groups holding more than `most_frames` together count as that many (their proportions kept):
// with minutes of one voice, what it says differs enough between groups that an uncapped
// criterion splits it by content.
double separation_gain(const FrameGaussian &a, const FrameGaussian &b, double penalty, double most_frames);

}  // namespace dubhost::diarize
