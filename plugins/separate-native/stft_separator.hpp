// A DSP speech/background separator: short-time Fourier transform, a speech mask per time-frequency
// cell, and overlap-add resynthesis. Streaming: memory stays flat for any duration.
//
// Two cues, used together:
// - stereo: dialogue is mixed to the centre, so it is identical in both channels and cancels in the
//   side signal S = (L - R) / 2. Per frequency, the part of the mid signal M = (L + R) / 2 that S
//   predicts (a running least-squares fit, which speech does not bias because it is absent from S)
//   is background; the remainder is the centre. A mono source (L == R) has S = 0 and skips this.
// - spectral: background music is steady over a second (sustained notes, a time-median per
//   frequency tracks it) or broadband and instant (drum hits, a frequency-median per frame tracks
//   them); speech is neither. Energy above both models, inside the speech band, in frames where
//   speech-like energy stands out (a voice activity gate), is speech.
// The background is the input minus a share of the vocals (background_subtraction): the vocals
// estimate carries music too, and taking all of it out of the background removed more music than
// speech where the speech is quiet (docs/decisions/0014). At 1 the two stems add up to the mix.
#pragma once

#include <complex>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace dubhost::separate {

struct SeparatorOptions {
    int sample_rate = 48000;
    int channels = 2;                     // 1 or 2
    bool use_stereo = true;               // the side-signal canceller (stereo input only)
    double strength = 1.0;                // scales the background models: more removes more music and more speech
    double background_subtraction = 0.6;  // the share of the vocals estimate taken out of the background (0.25-1)
    double low_hz = 80;                   // speech band
    double high_hz = 10000;
};

class StftSeparator {
public:
    // Receives interleaved vocals and background, `frames` frames each, in input order.
    using Sink = std::function<void(const float *vocals, const float *background, std::size_t frames)>;

    StftSeparator(const SeparatorOptions &options, Sink sink);
    ~StftSeparator();
    StftSeparator(const StftSeparator &) = delete;
    StftSeparator &operator=(const StftSeparator &) = delete;

    // Interleaved input samples.
    void push(const float *samples, std::size_t frames);
    // Flushes the tail; the sink has then received exactly as many frames as were pushed.
    void finish();

    // Whether the stereo centre cue did the work (a stereo mix with a side signal), after finish().
    // Without it the stems rest on the spectral cue alone, which is far less sure of the background.
    bool stereo_cue_used() const;

    static constexpr int fft_size = 2048;
    static constexpr int hop = 512;

private:
    struct Frame {
        std::vector<std::complex<float>> left, right, centre;
        std::vector<float> centre_magnitude;
    };
    struct Fft;

    void analyse_frame();
    void compact_input();
    void process_ready_frames(bool flushing);
    void separate_frame(std::size_t index);
    void emit(std::size_t count);

    SeparatorOptions options_;
    Sink sink_;
    std::unique_ptr<Fft> fft_;
    int bins_;
    std::vector<float> window_;
    std::vector<std::vector<float>> input_;  // per channel; samples before input_offset_ are consumed
    std::size_t input_offset_ = 0;
    std::deque<Frame> frames_;                                     // analysed frames: history for the medians, then pending
    std::size_t next_to_separate_ = 0;                             // index into frames_ of the first frame not yet separated
    std::vector<std::vector<float>> vocals_out_, background_out_;  // overlap-add accumulators per channel
    std::vector<std::complex<double>> cross_ms_;                   // running E[M S*] and E[|S|^2] per bin
    std::vector<double> power_s_;
    std::vector<float> speech_band_weight_;
    std::vector<float> window_magnitudes_;  // scratch for the time-median
    std::vector<float> steady_;             // the time-median, refreshed every few frames
    std::size_t frames_separated_ = 0;
    double mid_energy_ = 0, side_energy_ = 0;  // over the whole input, for stereo_cue_used()
    double gate_level_ = 0;                    // smoothed voice activity gate, 0..1
    std::size_t pushed_ = 0, emitted_ = 0, discard_ = 0;
};

}  // namespace dubhost::separate
