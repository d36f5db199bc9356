#include "stft_separator.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dubhost::separate {

namespace {

constexpr double pi = 3.14159265358979323846;
// Time-median span: about a second either way, sampled every other frame (the median of a smooth
// magnitude track barely changes, and this halves the cost).
constexpr int median_half_frames = 48;
constexpr int median_stride = 2;
constexpr std::size_t steady_refresh_frames = 4;  // about 43 ms at 48 kHz
// Frequency-median span: +-15 bins (about +-350 Hz at 48 kHz), wider than speech harmonic spacing;
// every other bin is enough for a median.
constexpr int frequency_median_half_bins = 15;
// Running statistics of the stereo canceller: a two-second memory.
constexpr double canceller_memory_s = 2.0;
// The canceller trusts a fit up to this gain; beyond it the side signal is too weak to predict from.
constexpr double max_side_gain = 4.0;

}  // namespace

// FFTW plans and their aligned buffers, released with the separator.
struct StftSeparator::Fft {
    explicit Fft(int size)
        : real(fftwf_alloc_real(static_cast<std::size_t>(size))),
          spectrum(fftwf_alloc_complex(static_cast<std::size_t>(size / 2 + 1))) {
        if (!real || !spectrum) throw std::bad_alloc();
        forward = fftwf_plan_dft_r2c_1d(size, real, spectrum, FFTW_ESTIMATE);
        inverse = fftwf_plan_dft_c2r_1d(size, spectrum, real, FFTW_ESTIMATE);
        if (!forward || !inverse) throw std::runtime_error("FFTW could not plan a transform of size " + std::to_string(size));
    }
    ~Fft() {
        if (forward) fftwf_destroy_plan(forward);
        if (inverse) fftwf_destroy_plan(inverse);
        fftwf_free(real);
        fftwf_free(spectrum);
    }
    Fft(const Fft &) = delete;
    Fft &operator=(const Fft &) = delete;

    std::complex<float> *bins() { return reinterpret_cast<std::complex<float> *>(spectrum); }

    float *real;
    fftwf_complex *spectrum;
    fftwf_plan forward = nullptr;
    fftwf_plan inverse = nullptr;
};

StftSeparator::StftSeparator(const SeparatorOptions &options, Sink sink)
    : options_(options), sink_(std::move(sink)), fft_(std::make_unique<Fft>(fft_size)), bins_(fft_size / 2 + 1) {
    if (options_.channels != 1 && options_.channels != 2) throw std::invalid_argument("the separator takes 1 or 2 channels");
    if (options_.sample_rate < 8000) throw std::invalid_argument("the separator needs a sample rate of at least 8 kHz");
    // sqrt-Hann for analysis and synthesis: their product, a Hann window, sums to 2 at a quarter hop.
    window_.resize(fft_size);
    for (int n = 0; n < fft_size; ++n) window_[n] = static_cast<float>(std::sqrt(0.5 - 0.5 * std::cos(2 * pi * n / fft_size)));
    // The speech band with half-octave-ish ramps at both ends rather than brick walls.
    speech_band_weight_.resize(static_cast<std::size_t>(bins_));
    for (int k = 0; k < bins_; ++k) {
        const double hz = static_cast<double>(k) * options_.sample_rate / fft_size;
        double weight = 1;
        if (hz < options_.low_hz) weight = std::clamp((hz - options_.low_hz * 0.6) / (options_.low_hz * 0.4), 0.0, 1.0);
        if (hz > options_.high_hz) weight = std::clamp(1 - (hz - options_.high_hz) / (options_.high_hz * 0.5), 0.0, 1.0);
        speech_band_weight_[static_cast<std::size_t>(k)] = static_cast<float>(weight);
    }
    // Pad the front so the first real sample sits under full window overlap; drop that much output.
    const std::size_t pad = fft_size - hop;
    input_.assign(static_cast<std::size_t>(options_.channels), std::vector<float>(pad, 0.0f));
    discard_ = pad;
    vocals_out_.assign(static_cast<std::size_t>(options_.channels), std::vector<float>(fft_size, 0.0f));
    background_out_ = vocals_out_;
    cross_ms_.assign(static_cast<std::size_t>(bins_), {0, 0});
    power_s_.assign(static_cast<std::size_t>(bins_), 0);
}

StftSeparator::~StftSeparator() = default;

void StftSeparator::push(const float *samples, std::size_t frames) {
    const auto channels = static_cast<std::size_t>(options_.channels);
    for (std::size_t c = 0; c < channels; ++c) {
        auto &buffer = input_[c];
        const std::size_t old = buffer.size();
        buffer.resize(old + frames);
        for (std::size_t i = 0; i < frames; ++i) buffer[old + i] = samples[i * channels + c];
    }
    pushed_ += frames;
    while (input_[0].size() - input_offset_ >= static_cast<std::size_t>(fft_size)) {
        analyse_frame();
        process_ready_frames(false);
    }
    compact_input();
}

void StftSeparator::finish() {
    // Zeros after the end let the last real samples pass through every frame that covers them.
    for (auto &buffer : input_) buffer.resize(buffer.size() + fft_size, 0.0f);
    while (input_[0].size() - input_offset_ >= static_cast<std::size_t>(fft_size)) analyse_frame();
    process_ready_frames(true);
    if (emitted_ < pushed_) emit(fft_size);
}

void StftSeparator::analyse_frame() {
    Frame frame;
    auto transform = [&](const std::vector<float> &buffer, std::vector<std::complex<float>> &out) {
        for (std::size_t n = 0; n < static_cast<std::size_t>(fft_size); ++n)
            fft_->real[n] = buffer[input_offset_ + n] * window_[n];
        fftwf_execute(fft_->forward);
        out.assign(fft_->bins(), fft_->bins() + bins_);
    };
    transform(input_[0], frame.left);
    if (options_.channels == 2) transform(input_[1], frame.right);
    input_offset_ += hop;

    frame.centre.resize(static_cast<std::size_t>(bins_));
    frame.centre_magnitude.resize(static_cast<std::size_t>(bins_));
    const double keep = std::exp(-static_cast<double>(hop) / (options_.sample_rate * canceller_memory_s));
    for (std::size_t k = 0; k < static_cast<std::size_t>(bins_); ++k) {
        std::complex<float> centre = frame.left[k];
        if (options_.channels == 2) {
            const std::complex<double> mid = (std::complex<double>(frame.left[k]) + std::complex<double>(frame.right[k])) * 0.5;
            const std::complex<double> side = (std::complex<double>(frame.left[k]) - std::complex<double>(frame.right[k])) * 0.5;
            mid_energy_ += std::norm(mid);
            side_energy_ += std::norm(side);
            std::complex<double> predicted = 0;
            if (options_.use_stereo) {
                cross_ms_[k] = keep * cross_ms_[k] + (1 - keep) * mid * std::conj(side);
                power_s_[k] = keep * power_s_[k] + (1 - keep) * std::norm(side);
                // A side signal too weak to measure (a mono source upmixed) predicts nothing.
                if (power_s_[k] > 1e-12) {
                    std::complex<double> gain = cross_ms_[k] / power_s_[k];
                    if (std::abs(gain) > max_side_gain) gain *= max_side_gain / std::abs(gain);
                    predicted = gain * side;
                }
            }
            centre = std::complex<float>(mid - predicted);
        }
        frame.centre[k] = centre;
        frame.centre_magnitude[k] = std::abs(centre);
    }
    frames_.push_back(std::move(frame));
}

// Drops consumed input now and then rather than per frame: erasing from the front of a large block
// for every hop would cost quadratic time.
void StftSeparator::compact_input() {
    for (auto &buffer : input_) buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(input_offset_));
    input_offset_ = 0;
}

void StftSeparator::process_ready_frames(bool flushing) {
    while (next_to_separate_ < frames_.size() &&
           (flushing || next_to_separate_ + static_cast<std::size_t>(median_half_frames) < frames_.size())) {
        separate_frame(next_to_separate_);
        ++next_to_separate_;
        emit(hop);
        // Keep just the history the time-median looks back on.
        while (next_to_separate_ > static_cast<std::size_t>(median_half_frames)) {
            frames_.pop_front();
            --next_to_separate_;
        }
    }
}

void StftSeparator::separate_frame(std::size_t index) {
    const Frame &frame = frames_[index];
    const auto bins = static_cast<std::size_t>(bins_);
    const std::size_t first = index >= static_cast<std::size_t>(median_half_frames) ? index - median_half_frames : 0;
    const std::size_t last = std::min(frames_.size() - 1, index + median_half_frames);

    // Background models per bin: steady (time-median) and instant broadband (frequency-median).
    // The steady model moves slowly (a two-second median): refresh it every few frames.
    if (frames_separated_ % steady_refresh_frames == 0 || steady_.empty()) {
        // Gathered bin-major so each bin's window is contiguous for nth_element.
        const std::size_t span = (last - first) / median_stride + 1;
        window_magnitudes_.resize(bins * span);
        for (std::size_t j = 0; j < span; ++j) {
            const auto &magnitude = frames_[first + j * median_stride].centre_magnitude;
            for (std::size_t k = 0; k < bins; ++k) window_magnitudes_[k * span + j] = magnitude[k];
        }
        steady_.resize(bins);
        for (std::size_t k = 0; k < bins; ++k) {
            const auto begin = window_magnitudes_.begin() + static_cast<std::ptrdiff_t>(k * span);
            std::nth_element(begin, begin + static_cast<std::ptrdiff_t>(span / 2), begin + static_cast<std::ptrdiff_t>(span));
            steady_[k] = *(begin + static_cast<std::ptrdiff_t>(span / 2));
        }
    }
    ++frames_separated_;
    const std::vector<float> &steady = steady_;
    std::vector<float> values, broadband(bins);
    for (std::size_t k = 0; k < bins; ++k) {
        values.clear();
        const std::size_t low = k > frequency_median_half_bins ? k - frequency_median_half_bins : 0;
        const std::size_t high = std::min(bins - 1, k + frequency_median_half_bins);
        for (std::size_t b = low; b <= high; b += 2) values.push_back(frame.centre_magnitude[b]);
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
        broadband[k] = values[values.size() / 2];
    }

    // Speech power per bin: what both models leave, inside the speech band; a soft (Wiener-like) mask.
    std::vector<float> mask(bins);
    double speech_energy = 0, band_energy = 0;
    for (std::size_t k = 0; k < bins; ++k) {
        const double power = static_cast<double>(frame.centre_magnitude[k]) * frame.centre_magnitude[k];
        const double background =
            options_.strength * (static_cast<double>(steady[k]) * steady[k] + static_cast<double>(broadband[k]) * broadband[k]);
        const double speech = std::max(0.0, power - background);
        mask[k] = power > 0 ? static_cast<float>(speech / power) * speech_band_weight_[k] : 0.0f;
        band_energy += power * speech_band_weight_[k];
        speech_energy += speech * speech_band_weight_[k];
    }
    // Voice activity gate: frames where little speech-like energy stands out are background. Opens
    // fast (a word onset), closes slowly (word endings and pauses inside a phrase).
    const double evidence = band_energy > 0 ? speech_energy / band_energy : 0;
    const double target = std::clamp((evidence - 0.05) / 0.15, 0.0, 1.0);
    gate_level_ = target > gate_level_ ? 0.5 * gate_level_ + 0.5 * target : 0.9 * gate_level_ + 0.1 * target;
    const auto gate = static_cast<float>(gate_level_);

    auto synthesise = [&](const std::vector<std::complex<float>> &spectrum, std::vector<float> &accumulator) {
        std::copy(spectrum.begin(), spectrum.end(), fft_->bins());
        fftwf_execute(fft_->inverse);
        // FFTW's inverse is unnormalised (x N); the Hann overlap at a quarter hop sums to 2.
        const float scale = 1.0f / (static_cast<float>(fft_size) * 2.0f);
        for (int n = 0; n < fft_size; ++n)
            accumulator[static_cast<std::size_t>(n)] += fft_->real[n] * window_[static_cast<std::size_t>(n)] * scale;
    };
    std::vector<std::complex<float>> vocals(bins), background(bins);
    for (int c = 0; c < options_.channels; ++c) {
        const auto &input = c == 0 ? frame.left : frame.right;
        for (std::size_t k = 0; k < bins; ++k) {
            // Stereo: the centre is the dialogue, the same in both channels. Mono: mask the channel.
            const std::complex<float> source = options_.channels == 2 ? frame.centre[k] : input[k];
            vocals[k] = source * (mask[k] * gate);
            background[k] = input[k] - vocals[k] * static_cast<float>(options_.background_subtraction);
        }
        synthesise(vocals, vocals_out_[static_cast<std::size_t>(c)]);
        synthesise(background, background_out_[static_cast<std::size_t>(c)]);
    }
}

// Hands the first `count` finished samples of the overlap-add accumulators to the sink.
void StftSeparator::emit(std::size_t count) {
    const auto channels = static_cast<std::size_t>(options_.channels);
    std::vector<float> vocals, background;
    vocals.reserve(count * channels);
    background.reserve(count * channels);
    std::size_t skipped = std::min(discard_, count);
    discard_ -= skipped;
    const std::size_t wanted = std::min(count - skipped, pushed_ - emitted_);
    for (std::size_t i = skipped; i < skipped + wanted; ++i)
        for (std::size_t c = 0; c < channels; ++c) {
            vocals.push_back(vocals_out_[c][i]);
            background.push_back(background_out_[c][i]);
        }
    for (std::size_t c = 0; c < channels; ++c) {
        for (auto *accumulator : {&vocals_out_[c], &background_out_[c]}) {
            accumulator->erase(accumulator->begin(), accumulator->begin() + static_cast<std::ptrdiff_t>(count));
            accumulator->resize(fft_size, 0.0f);
        }
    }
    emitted_ += wanted;
    if (wanted > 0) sink_(vocals.data(), background.data(), wanted);
}

bool StftSeparator::stereo_cue_used() const {
    // Below -40 dB the side signal is rounding and codec noise of a mono source, not a stereo mix.
    return options_.channels == 2 && options_.use_stereo && side_energy_ > 1e-4 * mid_energy_;
}

}  // namespace dubhost::separate
