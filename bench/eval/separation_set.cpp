#include "separation_set.hpp"

#include "audio_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace dubhost::eval {

namespace {

const char *const librivox_dir = "/usr/share/pocketsphinx/test/data/librivox";

double rms(const std::vector<float> &samples) {
    double sum = 0;
    for (float s : samples) sum += static_cast<double>(s) * s;
    return samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(samples.size()));
}

}  // namespace

std::vector<float> librivox_speech() {
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(librivox_dir))
        if (entry.path().extension() == ".wav") files.push_back(entry.path());
    if (files.empty())
        throw std::runtime_error(std::string("no LibriVox recordings in ") + librivox_dir +
                                 ": apt-get install pocketsphinx-testdata");
    std::sort(files.begin(), files.end());
    const std::vector<double> pauses_s = {0.6, 0.9, 0.4, 1.1, 0.7};
    std::vector<float> speech(static_cast<std::size_t>(0.5 * separation_rate), 0.0f);
    std::vector<float> block(separation_rate);
    for (std::size_t i = 0; i < files.size(); ++i) {
        ffmpeg::AudioReader reader(files[i].string(), separation_rate, 1);
        while (std::size_t got = reader.read(block.data(), block.size()))
            speech.insert(speech.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(got));
        speech.insert(speech.end(), static_cast<std::size_t>(pauses_s[i % pauses_s.size()] * separation_rate), 0.0f);
    }
    return speech;
}

SeparationCase build_separation_case(const std::vector<float> &speech, const MusicSource &music, double speech_to_music_db) {
    if (!std::filesystem::exists(music.path))
        throw std::runtime_error("missing music " + music.path +
                                 ": apt-get install frozen-bubble-data asterisk-moh-opsound-g722");
    const std::size_t frames = speech.size();
    std::vector<float> background(frames * 2, 0.0f);
    ffmpeg::AudioReader reader(music.path, separation_rate, 2);
    std::vector<float> skip(separation_rate * 2);
    for (auto left = static_cast<std::size_t>(music.offset_s * separation_rate); left > 0;) {
        const std::size_t got = reader.read(skip.data(), std::min<std::size_t>(left, separation_rate));
        if (got == 0) throw std::runtime_error(music.path + " is shorter than the offset");
        left -= got;
    }
    std::size_t filled = 0;
    while (filled < frames) {
        const std::size_t got = reader.read(background.data() + filled * 2, frames - filled);
        if (got == 0) throw std::runtime_error(music.path + " is too short for the speech");
        filled += got;
    }
    if (!music.keep_stereo)
        for (std::size_t i = 0; i < frames; ++i)
            background[2 * i] = background[2 * i + 1] = 0.5f * (background[2 * i] + background[2 * i + 1]);

    // Speech power over its active part (the pauses would flatter the ratio) against the music's.
    std::vector<float> active;
    for (float s : speech)
        if (std::abs(s) > 1e-4f) active.push_back(s);
    const double gain = rms(background) * std::pow(10.0, speech_to_music_db / 20) / rms(active);
    SeparationCase result;
    result.name = std::string(music.keep_stereo ? "stereo " : "mono ") + music.label + " " +
                  std::to_string(static_cast<int>(std::lround(speech_to_music_db))) + " dB";
    result.stereo_music = music.keep_stereo;
    result.speech_to_music_db = speech_to_music_db;
    result.vocals.resize(frames * 2);
    for (std::size_t i = 0; i < frames; ++i)
        result.vocals[2 * i] = result.vocals[2 * i + 1] = static_cast<float>(speech[i] * gain);
    result.background = std::move(background);
    // Headroom: scale everything so the mix peaks at 0.9.
    float peak = 0;
    for (std::size_t i = 0; i < frames * 2; ++i) peak = std::max(peak, std::abs(result.vocals[i] + result.background[i]));
    const float scale = peak > 0.9f ? 0.9f / peak : 1.0f;
    result.mix.resize(frames * 2);
    for (std::size_t i = 0; i < frames * 2; ++i) {
        result.vocals[i] *= scale;
        result.background[i] *= scale;
        result.mix[i] = result.vocals[i] + result.background[i];
    }
    return result;
}

std::vector<MusicSource> standard_music() {
    const std::string bubble = "/usr/share/games/frozen-bubble/snd/";
    const std::string moh = "/usr/share/asterisk/moh/";
    return {{"mainzik", bubble + "frozen-mainzik-1p.ogg", 40, true},
            {"introzik", bubble + "introzik.ogg", 20, true},
            {"cold_day", moh + "macroform-cold_day.g722", 30, false},
            {"mainzik", bubble + "frozen-mainzik-2p.ogg", 60, false}};
}

std::vector<MusicSource> judging_music() {
    const std::string bubble = "/usr/share/games/frozen-bubble/snd/";
    const std::string moh = "/usr/share/asterisk/moh/";
    return {{"mainzik-2p@120", bubble + "frozen-mainzik-2p.ogg", 120, true},
            {"introzik@150", bubble + "introzik.ogg", 150, true},
            {"robot_dity", moh + "macroform-robot_dity.g722", 30, false},
            {"the_simplicity", moh + "macroform-the_simplicity.g722", 60, false},
            {"system", moh + "reno_project-system.g722", 100, false},
            {"morning_coffee", moh + "manolo_camp-morning_coffee.g722", 5, false}};
}

namespace {

std::vector<SeparationCase> cases_over(const std::vector<MusicSource> &musics) {
    const auto speech = librivox_speech();
    std::vector<SeparationCase> cases;
    for (const auto &music : musics)
        for (double ratio : {0.0, -6.0}) cases.push_back(build_separation_case(speech, music, ratio));
    return cases;
}

}  // namespace

std::vector<SeparationCase> standard_separation_set() { return cases_over(standard_music()); }

std::vector<SeparationCase> judging_separation_set() { return cases_over(judging_music()); }

}  // namespace dubhost::eval
