#include "speaker_features.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

namespace dubhost::diarize {
namespace {

constexpr int fft_size = 512;
constexpr int mel_bands = 26;

void fft(std::vector<std::complex<float>> &data) {
    const std::size_t n = data.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(data[i], data[j]);
    }
    for (std::size_t length = 2; length <= n; length <<= 1) {
        const float angle = -2.0f * static_cast<float>(M_PI) / static_cast<float>(length);
        const std::complex<float> step(std::cos(angle), std::sin(angle));
        for (std::size_t start = 0; start < n; start += length) {
            std::complex<float> w(1, 0);
            for (std::size_t k = 0; k < length / 2; ++k) {
                const auto even = data[start + k], odd = data[start + k + length / 2] * w;
                data[start + k] = even + odd;
                data[start + k + length / 2] = even - odd;
                w *= step;
            }
        }
    }
}

float mel(float hz) { return 2595.0f * std::log10(1.0f + hz / 700.0f); }
float hz(float mel_value) { return 700.0f * (std::pow(10.0f, mel_value / 2595.0f) - 1.0f); }

// Triangular mel filters over the FFT bins, 20 Hz to 7600 Hz.
std::vector<std::vector<float>> mel_filters() {
    std::vector<float> edges(mel_bands + 2);
    for (int i = 0; i < mel_bands + 2; ++i)
        edges[i] = hz(mel(20) + (mel(7600) - mel(20)) * static_cast<float>(i) / (mel_bands + 1));
    std::vector<std::vector<float>> filters(mel_bands, std::vector<float>(fft_size / 2 + 1, 0.0f));
    for (int band = 0; band < mel_bands; ++band)
        for (int bin = 0; bin <= fft_size / 2; ++bin) {
            const float f = static_cast<float>(bin) * sample_rate / fft_size;
            const float rise = (f - edges[band]) / (edges[band + 1] - edges[band]);
            const float fall = (edges[band + 2] - f) / (edges[band + 2] - edges[band + 1]);
            filters[band][bin] = std::max(0.0f, std::min(rise, fall));
        }
    return filters;
}

}  // namespace

Frames compute_frames(const std::vector<std::int16_t> &samples) {
    Frames frames;
    if (samples.size() < static_cast<std::size_t>(frame_length)) return frames;
    static const auto filters = mel_filters();
    std::vector<float> window(frame_length);
    for (int i = 0; i < frame_length; ++i)
        window[i] =
            0.54f - 0.46f * std::cos(2 * static_cast<float>(M_PI) * static_cast<float>(i) / static_cast<float>(frame_length - 1));
    std::vector<std::complex<float>> spectrum(fft_size);
    std::vector<float> log_mel(mel_bands);
    for (std::size_t start = 0; start + frame_length <= samples.size(); start += frame_hop) {
        double energy = 1e-10;
        std::fill(spectrum.begin(), spectrum.end(), std::complex<float>(0, 0));
        float previous = start > 0 ? samples[start - 1] / 32768.0f : 0.0f;
        for (int i = 0; i < frame_length; ++i) {
            const float x = samples[start + i] / 32768.0f;
            energy += static_cast<double>(x) * x;
            spectrum[static_cast<std::size_t>(i)] = (x - 0.97f * previous) * window[i];  // pre-emphasis
            previous = x;
        }
        fft(spectrum);
        for (int band = 0; band < mel_bands; ++band) {
            float sum = 1e-10f;
            for (int bin = 0; bin <= fft_size / 2; ++bin)
                sum += filters[band][bin] * std::norm(spectrum[static_cast<std::size_t>(bin)]);
            log_mel[band] = std::log(sum);
        }
        std::vector<float> mfcc(mfcc_count);
        for (int k = 1; k <= mfcc_count; ++k) {
            float sum = 0;
            for (int band = 0; band < mel_bands; ++band)
                sum += log_mel[band] *
                       std::cos(static_cast<float>(M_PI) * static_cast<float>(k) * (static_cast<float>(band) + 0.5f) / mel_bands);
            mfcc[k - 1] = sum;
        }
        frames.log_energy.push_back(static_cast<float>(10 * std::log10(energy / frame_length)));
        frames.mfcc.push_back(std::move(mfcc));
    }
    return frames;
}

std::vector<bool> voice_activity(const std::vector<float> &log_energy) {
    std::vector<bool> voiced(log_energy.size(), false);
    if (log_energy.empty()) return voiced;
    std::vector<float> sorted = log_energy;
    std::sort(sorted.begin(), sorted.end());
    const float floor = sorted[sorted.size() / 10], loud = sorted[sorted.size() * 9 / 10];
    const float threshold = std::max(floor + 0.35f * (loud - floor), -55.0f);
    for (std::size_t i = 0; i < log_energy.size(); ++i) voiced[i] = log_energy[i] > threshold;
    // Bridge gaps under 150 ms, then drop bursts under 100 ms.
    auto runs = [&](bool value, std::size_t shortest, bool replacement) {
        for (std::size_t i = 0; i < voiced.size();) {
            std::size_t j = i;
            while (j < voiced.size() && voiced[j] == value) ++j;
            if (j > i && j - i < shortest && i > 0 && j < voiced.size())
                for (std::size_t k = i; k < j; ++k) voiced[k] = replacement;
            i = j > i ? j : i + 1;
        }
    };
    runs(false, 15, true);
    runs(true, 10, false);
    return voiced;
}

}  // namespace dubhost::diarize
