// The separator's contracts, on made-up signals: the background plus the subtracted share of the
// vocals is the input sample for sample (at a share of 1 the stems add up to it),
// nothing is lost or added at the ends, and the cues send what is not centred, steady speech-like
// energy to the background. (Quality on real recordings: integration/separate_quality_test.cpp.)
#include "stft_separator.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

using dubhost::separate::SeparatorOptions;
using dubhost::separate::StftSeparator;

namespace {

struct Output {
    std::vector<float> vocals, background;
};

// Pushes `input` in uneven blocks, as a reader at the end of a file would.
Output separate(const std::vector<float> &input, int channels, bool use_stereo = true, double subtraction = 0.6) {
    SeparatorOptions options;
    options.channels = channels;
    options.use_stereo = use_stereo;
    options.background_subtraction = subtraction;
    Output out;
    StftSeparator separator(options, [&](const float *v, const float *b, std::size_t frames) {
        out.vocals.insert(out.vocals.end(), v, v + frames * static_cast<std::size_t>(channels));
        out.background.insert(out.background.end(), b, b + frames * static_cast<std::size_t>(channels));
    });
    const std::size_t frames = input.size() / static_cast<std::size_t>(channels);
    const std::size_t blocks[] = {1, 777, 48000, 5, 10007};
    for (std::size_t at = 0, i = 0; at < frames; ++i) {
        const std::size_t n = std::min(blocks[i % 5], frames - at);
        separator.push(input.data() + at * static_cast<std::size_t>(channels), n);
        at += n;
    }
    separator.finish();
    return out;
}

double energy(const std::vector<float> &samples) {
    double sum = 0;
    for (float s : samples) sum += static_cast<double>(s) * s;
    return sum;
}

std::vector<float> noise_bursts(std::size_t frames, unsigned seed) {
    // Speech-like: 150 ms voiced bursts (two harmonics of a moving pitch, a little breath noise), 100 ms apart.
    std::mt19937 random(seed);
    std::normal_distribution<float> gauss(0.0f, 0.01f);
    std::vector<float> out(frames, 0.0f);
    for (std::size_t i = 0; i < frames; ++i) {
        const double t = static_cast<double>(i) / 48000;
        if (std::fmod(t, 0.25) < 0.15) {
            const double pitch = 120 + 40 * std::sin(2 * M_PI * 0.7 * t);
            out[i] = static_cast<float>(0.2 * std::sin(2 * M_PI * pitch * t) + 0.1 * std::sin(2 * M_PI * 2.1 * pitch * t)) +
                     gauss(random);
        }
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(separator)

BOOST_AUTO_TEST_CASE(stems_add_up_to_the_input_with_its_exact_length) {
    for (const int channels : {1, 2}) {
        for (const std::size_t frames : {std::size_t{1}, std::size_t{1000}, std::size_t{48000 * 3 + 17}}) {
            const auto speech = noise_bursts(frames, 7);
            std::vector<float> input(frames * static_cast<std::size_t>(channels));
            for (std::size_t i = 0; i < frames; ++i)
                for (int c = 0; c < channels; ++c)
                    input[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] =
                        speech[i] + 0.05f * static_cast<float>(std::sin(0.01 * static_cast<double>(i) * (c + 1)));
            for (const double subtraction : {1.0, 0.6}) {
                const Output out = separate(input, channels, true, subtraction);
                BOOST_TEST_REQUIRE(out.vocals.size() == input.size());
                BOOST_TEST_REQUIRE(out.background.size() == input.size());
                double worst = 0;
                for (std::size_t i = 0; i < input.size(); ++i)
                    worst = std::max(worst, std::abs(subtraction * out.vocals[i] + out.background[i] - input[i]));
                BOOST_TEST(worst < 1e-4, "channels " << channels << ", frames " << frames << ", subtraction " << subtraction
                                                     << ": worst error " << worst);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(silence_stays_silent) {
    const Output out = separate(std::vector<float>(48000 * 2, 0.0f), 2);
    BOOST_TEST(energy(out.vocals) == 0.0);
    BOOST_TEST(energy(out.background) == 0.0);
}

BOOST_AUTO_TEST_CASE(a_steady_chord_goes_to_the_background) {
    std::vector<float> input(48000 * 4);
    for (std::size_t i = 0; i < input.size(); ++i) {
        const double t = static_cast<double>(i) / 48000;
        input[i] = static_cast<float>(0.2 * std::sin(2 * M_PI * 220 * t) + 0.15 * std::sin(2 * M_PI * 277.2 * t) +
                                      0.1 * std::sin(2 * M_PI * 329.6 * t));
    }
    const Output out = separate(input, 1);
    BOOST_TEST(energy(out.vocals) < 0.02 * energy(input), "vocals kept " << energy(out.vocals) / energy(input) * 100 << "%");
}

BOOST_AUTO_TEST_CASE(the_stereo_cue_removes_off_centre_sound_the_spectral_cue_cannot) {
    const std::size_t frames = 48000 * 8;
    const auto speech = noise_bursts(frames, 3);
    // "Music" made of other speech-like bursts, so only the stereo cue can tell it apart; panned left.
    const auto music = noise_bursts(frames + 4000, 11);
    std::vector<float> input(frames * 2), vocals(frames * 2);
    for (std::size_t i = 0; i < frames; ++i) {
        vocals[2 * i] = vocals[2 * i + 1] = speech[i];
        input[2 * i] = speech[i] + 0.9f * music[i + 4000];
        input[2 * i + 1] = speech[i] + 0.3f * music[i + 4000];
    }
    auto improvement = [&](const Output &out) {
        double error = 0, mix_error = 0;
        for (std::size_t i = 0; i < input.size(); ++i) {
            error += std::pow(static_cast<double>(out.vocals[i] - vocals[i]), 2);
            mix_error += std::pow(static_cast<double>(input[i] - vocals[i]), 2);
        }
        return 10 * std::log10(mix_error / error);
    };
    const double with_stereo = improvement(separate(input, 2, true));
    const double spectral_only = improvement(separate(input, 2, false));
    BOOST_TEST_MESSAGE("vocals SDR improvement: stereo cue " << with_stereo << " dB, spectral cue only " << spectral_only
                                                             << " dB");
    BOOST_TEST(with_stereo > spectral_only + 3.0);
}

BOOST_AUTO_TEST_CASE(bad_layouts_are_refused) {
    SeparatorOptions options;
    options.channels = 6;
    BOOST_CHECK_THROW(StftSeparator(options, [](const float *, const float *, std::size_t) {}), std::invalid_argument);
    options.channels = 2;
    options.sample_rate = 4000;
    BOOST_CHECK_THROW(StftSeparator(options, [](const float *, const float *, std::size_t) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
