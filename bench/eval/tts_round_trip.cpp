// The TTS round trip (tts_round_trip.hpp): one TTS call for all sentences, then one ASR call per
// segment on its 16 kHz copy, words scored with the shared WER scorer.
#include "tts_round_trip.hpp"

#include "audio_reader.hpp"

#include "dubhost/host/backend_call.hpp"

#include <dubhost/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace dubhost::eval {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The segment's speech as 16 kHz mono PCM16, what the ASR reads; returns its length in seconds.
double to_asr_input(const fs::path &speech, const fs::path &wav) {
    ffmpeg::AudioReader reader(speech.string(), 16000, 1);
    std::vector<float> block(16000);
    std::vector<std::int16_t> samples;
    while (const std::size_t got = reader.read(block.data(), block.size()))
        for (std::size_t i = 0; i < got; ++i)
            samples.push_back(static_cast<std::int16_t>(std::lround(std::clamp(block[i], -1.0f, 1.0f) * 32767.0f)));
    sdk::write_wav_pcm16(wav, samples.data(), samples.size(), 16000);
    return static_cast<double>(samples.size()) / 16000.0;
}

}  // namespace

std::vector<std::string> dialogue_sentences(const fs::path &tsv) {
    std::ifstream in(tsv);
    if (!in) throw std::runtime_error("cannot read " + tsv.string());
    std::vector<std::string> sentences;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') sentences.push_back(line.substr(0, line.find('\t')));
    return sentences;
}

RoundTrip tts_round_trip(const RegisteredBackend &tts, const RegisteredBackend &asr, const HostServices &services,
                         const std::vector<std::string> &sentences, const fs::path &scratch, const json &params) {
    json segments = json::array();
    for (std::size_t i = 0; i < sentences.size(); ++i)
        segments.push_back({{"id", i + 1},
                            {"start", static_cast<std::int64_t>(i) * 6000},
                            {"end", static_cast<std::int64_t>(i) * 6000 + 5000},
                            {"text", sentences[i]},
                            {"speaker", "Ann"}});
    const std::string backend = tts.info->id;
    const fs::path dir = scratch / backend;
    RoundTrip trip;
    const auto started = std::chrono::steady_clock::now();
    const auto spoken =
        call_backend(tts.entry_points(), BackendEntry::run, services,
                     {{"inputs", {{"track", {{"language", "en"}, {"segments", segments}}}, {"voice_map", json::object()}}},
                      {"params", params},
                      {"outputs", {{"dir", (dir / "tts").string()}}}});
    trip.synthesis_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!spoken.ok()) throw std::runtime_error(backend + " failed to speak: " + spoken.error_message());
    std::ifstream in(dir / "tts" / "manifest.json");
    const json manifest = json::parse(in);
    for (const auto &entry : manifest.at("segments")) {
        const std::size_t index = entry.at("segment_id").get<std::size_t>() - 1;
        const fs::path heard = dir / ("asr-" + std::to_string(index));
        fs::create_directories(heard);
        trip.speech_seconds += to_asr_input(entry.at("path").get<std::string>(), heard / "speech_16k.wav");
        const auto recognised =
            call_backend(asr.entry_points(), BackendEntry::run, services,
                         {{"inputs", {{"speech", (heard / "speech_16k.wav").string()}}}, {"outputs", {{"dir", heard.string()}}}});
        if (!recognised.ok())
            throw std::runtime_error(asr.info->id + " failed on " + backend + "'s speech: " + recognised.error_message());
        std::ifstream track_file(heard / "track.json");
        const json track = json::parse(track_file);
        std::string hypothesis;
        for (const auto &segment : track.at("segments")) hypothesis += segment.at("text").get<std::string>() + " ";
        trip.errors += scoring::word_errors(sentences[index], hypothesis);
    }
    return trip;
}

}  // namespace dubhost::eval
