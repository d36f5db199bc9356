// Benchmark (not a test): the native separator on the separation sets (LibriVox speech in the centre
// of real music, bench/eval/separation_set.hpp: the tuning set its settings were chosen on, then the
// judging set nothing was chosen on) against two peers the ffmpeg program offers, in the
// same run: the mid channel (`pan`, the karaoke trick inverted) and its FFT denoiser (`afftdn`)
// taken as a speech extractor. Prints SDR of each stem, its improvement over the mix, and speed.
//   dubhost_separation_bench
#include "separation_set.hpp"
#include "signal_to_distortion.hpp"
#include "stft_separator.hpp"
#include "wav_stream.hpp"

#include <dubhost/support/process.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;
using dubhost::eval::SeparationCase;

namespace {

struct Stems {
    std::vector<float> vocals, background;
    double seconds = 0;
    bool ok = true;
};

Stems run_native(const SeparationCase &c) {
    Stems stems;
    const auto start = std::chrono::steady_clock::now();
    dubhost::separate::SeparatorOptions options;
    dubhost::separate::StftSeparator separator(options, [&](const float *v, const float *b, std::size_t frames) {
        stems.vocals.insert(stems.vocals.end(), v, v + frames * 2);
        stems.background.insert(stems.background.end(), b, b + frames * 2);
    });
    separator.push(c.mix.data(), c.mix.size() / 2);
    separator.finish();
    stems.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stems;
}

// The ffmpeg program with `filter` turning the mix into a vocals estimate; background = mix - vocals.
Stems run_ffmpeg(const SeparationCase &c, const fs::path &scratch, const std::string &filter) {
    Stems stems;
    const fs::path mix = scratch / "mix.wav", vocals = scratch / "peer_vocals.wav";
    {
        dubhost::separate::FloatWavWriter writer(mix, dubhost::eval::separation_rate, 2);
        writer.write(c.mix.data(), c.mix.size() / 2);
        writer.commit();
    }
    const auto start = std::chrono::steady_clock::now();
    const auto result = dubhost::run_process(
        {"ffmpeg", "-v", "error", "-y", "-i", mix.string(), "-af", filter, "-c:a", "pcm_f32le", vocals.string()},
        std::chrono::minutes(5));
    stems.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.exit_code != 0) {
        stems.ok = false;
        return stems;
    }
    dubhost::separate::WavReader reader(vocals);
    stems.vocals.resize(reader.frames() * 2);
    stems.vocals.resize(reader.read(stems.vocals.data(), reader.frames()) * 2);
    stems.vocals.resize(c.mix.size(), 0.0f);
    stems.background.resize(c.mix.size());
    for (std::size_t i = 0; i < c.mix.size(); ++i) stems.background[i] = c.mix[i] - stems.vocals[i];
    return stems;
}

}  // namespace

int main() {
    using dubhost::scoring::signal_to_distortion_db;
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-separation-bench-" + std::to_string(getpid()));
    fs::create_directories(scratch);
    const std::vector<std::pair<std::string, std::string>> peers = {
        {"ffmpeg pan (mid)", "pan=stereo|c0=0.5*c0+0.5*c1|c1=0.5*c0+0.5*c1"}, {"ffmpeg afftdn", "afftdn=nr=30:nf=-40:tn=1"}};
    std::printf("SDR improvement over the mix in dB (vocals / background), and real-time factor\n");
    double audio = 0, ours_time = 0;
    for (const auto &[set, cases] : {std::pair{"tuning set", dubhost::eval::standard_separation_set()},
                                     std::pair{"judging set", dubhost::eval::judging_separation_set()}}) {
        std::printf("%-24s | %-20s | %-20s | %-20s\n", set, "dubhost native", peers[0].first.c_str(), peers[1].first.c_str());
        for (const auto &c : cases) {
            const double seconds = static_cast<double>(c.mix.size() / 2) / dubhost::eval::separation_rate;
            audio += seconds;
            const double mix_vocals = signal_to_distortion_db(c.vocals, c.mix);
            const double mix_background = signal_to_distortion_db(c.background, c.mix);
            auto cell = [&](const Stems &stems) {
                char text[64];
                if (!stems.ok) return std::string("(ffmpeg failed)");
                std::snprintf(text, sizeof text, "%+5.1f / %+5.1f  %5.3f",
                              signal_to_distortion_db(c.vocals, stems.vocals) - mix_vocals,
                              signal_to_distortion_db(c.background, stems.background) - mix_background, stems.seconds / seconds);
                return std::string(text);
            };
            const Stems ours = run_native(c);
            ours_time += ours.seconds;
            std::printf("%-24s | %-20s | %-20s | %-20s\n", c.name.c_str(), cell(ours).c_str(),
                        cell(run_ffmpeg(c, scratch, peers[0].second)).c_str(),
                        cell(run_ffmpeg(c, scratch, peers[1].second)).c_str());
        }
    }
    std::printf("native: %.1f s of audio in %.2f s (real-time factor %.3f)\n", audio, ours_time, ours_time / audio);
    fs::remove_all(scratch);
}
