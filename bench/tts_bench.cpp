// Benchmark (not a test): every installed TTS backend on the same 40 dialogue sentences, round-trip
// WER (spoken, then recognised by the offline ASR: how understandable the voice is) and real-time
// factor; then the espeak-ng plugin against the espeak-ng program (the peer, one process per
// segment as a script would run it) on the LibriVox transcript sentences spoken by three speakers.
//   dubhost_tts_bench
#include "bench_plugins.hpp"
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "tts_round_trip.hpp"

#include <dubhost/support/process.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <regex>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Milliseconds of audio in a 16-bit mono WAV, from its header.
std::int64_t wav_ms(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    char header[44];
    in.read(header, 44);
    std::uint32_t rate = 0, data = 0;
    std::memcpy(&rate, header + 24, 4);
    std::memcpy(&data, header + 40, 4);
    return rate ? static_cast<std::int64_t>(std::llround(data / 2.0 * 1000 / rate)) : 0;
}

}  // namespace

int main() {
    spdlog::set_level(spdlog::level::warn);
    const dubhost::bench::BenchPlugins plugins;
    const auto &services = plugins.services();
    const auto &registry = plugins.registry();
    const auto *asr = &plugins.require("asr", "pocketsphinx");
    const fs::path round_trips = fs::temp_directory_path() / ("dubhost-tts-round-trip-" + std::to_string(getpid()));
    const auto dialogue = dubhost::eval::dialogue_sentences(DUBHOST_DIALOGUE_SET);
    std::printf("round trip: %zu dialogue sentences spoken, recognised by pocketsphinx, words compared\n", dialogue.size());
    std::printf("%-12s %-10s %10s %12s\n", "backend", "version", "WER", "real-time");
    for (const auto &backend : registry.backends("tts")) {
        const auto status =
            dubhost::call_backend(backend.entry_points(), dubhost::BackendEntry::status, services, json::object());
        if (!status.ok() || !status.document.value("installed", false)) {
            std::printf("%-12s not installed\n", backend.info->id.c_str());
            continue;
        }
        try {
            const auto trip = dubhost::eval::tts_round_trip(backend, *asr, services, dialogue, round_trips);
            std::printf("%-12s %-10s %10.3f %12.4f\n", backend.info->id.c_str(), status.document.value("version", "").c_str(),
                        trip.errors.rate(), trip.synthesis_seconds / trip.speech_seconds);
        } catch (const std::exception &error) {
            std::printf("%-12s failed: %s\n", backend.info->id.c_str(), error.what());
        }
    }
    fs::remove_all(round_trips);
    std::printf("\n");

    const auto *tts = &plugins.require("tts", "espeak-ng");
    std::vector<std::string> sentences;
    std::ifstream transcription("/usr/share/pocketsphinx/test/data/librivox/transcription");
    const std::regex line(R"(^<s>\s*(.*?)\s*</s>)");
    for (std::string text; std::getline(transcription, text);) {
        std::smatch match;
        if (std::regex_search(text, match, line)) sentences.push_back(match[1]);
    }
    if (sentences.empty()) {
        std::fprintf(stderr, "no LibriVox transcription: apt-get install pocketsphinx-testdata\n");
        return 1;
    }
    json segments = json::array();
    const char *speakers[] = {"Ann", "Bob", "Cid"};
    for (int round = 0; round < 3; ++round)
        for (std::size_t i = 0; i < sentences.size(); ++i)
            segments.push_back({{"id", segments.size() + 1},
                                {"start", static_cast<std::int64_t>(segments.size()) * 8000},
                                {"end", static_cast<std::int64_t>(segments.size()) * 8000 + 7000},
                                {"text", sentences[i]},
                                {"speaker", speakers[round]}});
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-tts-bench-" + std::to_string(getpid()));
    auto start = std::chrono::steady_clock::now();
    const auto outcome = dubhost::call_backend(
        tts->entry_points(), dubhost::BackendEntry::run, services,
        {{"inputs", {{"track", {{"language", "en"}, {"segments", segments}}}, {"voice_map", json::object()}}},
         {"outputs", {{"dir", (scratch / "ours").string()}}}});
    const double ours_time = since(start);
    if (!outcome.ok()) {
        std::fprintf(stderr, "espeak-ng plugin failed: %s\n", outcome.error_message().c_str());
        return 1;
    }
    std::ifstream in(scratch / "ours" / "manifest.json");
    const json manifest = json::parse(in);
    double ours_audio = 0;
    std::size_t mismatched = 0;
    for (const auto &entry : manifest["segments"]) {
        const std::int64_t actual = wav_ms(entry["path"].get<std::string>());
        mismatched += std::abs(actual - entry["duration"].get<std::int64_t>()) > 1;
        ours_audio += static_cast<double>(actual) / 1000;
    }

    fs::create_directories(scratch / "peer");
    double peer_time = 0, peer_audio = 0;
    bool peer_ran = true;
    for (const auto &segment : segments) {
        const fs::path out = scratch / "peer" / (std::to_string(segment["id"].get<int>()) + ".wav");
        start = std::chrono::steady_clock::now();
        const auto result = dubhost::run_process(
            {"espeak-ng", "-v", "en", "-w", out.string(), segment["text"].get<std::string>()}, std::chrono::seconds(60));
        peer_time += since(start);
        peer_ran = peer_ran && result.exit_code == 0;
        if (result.exit_code == 0) peer_audio += static_cast<double>(wav_ms(out)) / 1000;
    }
    fs::remove_all(scratch);
    std::printf("%zu segments, 3 speakers (LibriVox transcript sentences)\n", segments.size());
    std::printf(
        "dubhost espeak-ng plugin: %.1f s of speech in %.2f s, real-time factor %.4f; manifest durations off by >1 ms: %zu\n",
        ours_audio, ours_time, ours_time / ours_audio, mismatched);
    if (peer_ran)
        std::printf("espeak-ng program:        %.1f s of speech in %.2f s, real-time factor %.4f (a process per segment)\n",
                    peer_audio, peer_time, peer_time / peer_audio);
    else
        std::printf("espeak-ng program: not installed (apt-get install espeak-ng)\n");
    return mismatched == 0 ? 0 : 1;
}
