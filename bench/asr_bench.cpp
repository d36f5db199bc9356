// Benchmark (not a test): the pocketsphinx ASR plugin against the pocketsphinx_continuous program
// (the peer) on the LibriVox utterances of pocketsphinx-testdata: word error rate against the
// reference transcripts and real-time factor, in the same run.
//   dubhost_asr_bench
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "word_error_rate.hpp"

#include <dubhost/support/process.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path librivox = "/usr/share/pocketsphinx/test/data/librivox";

double seconds_of_wav(const fs::path &path) { return static_cast<double>(fs::file_size(path) - 44) / 2 / 16000; }

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
    spdlog::set_level(spdlog::level::warn);
    const fs::path self = fs::read_symlink("/proc/self/exe");
    const fs::path plugins = self.parent_path().parent_path() / "lib" / "dubhost" / "plugins";
    dubhost::HostServices services({{"workspace", "/tmp"}}, "bench");
    const auto registry = dubhost::PluginRegistry::discover({{plugins, "bench"}}, services);
    const auto *asr = registry.find("asr", "pocketsphinx");
    if (!asr) {
        std::fprintf(stderr, "no asr/pocketsphinx plugin under %s\n", plugins.c_str());
        return 1;
    }
    std::map<std::string, std::string> references;
    std::ifstream transcription(librivox / "transcription");
    const std::regex line(R"(^<s>\s*(.*?)\s*</s>\s*\((\S+)\)\s*$)");
    for (std::string text; std::getline(transcription, text);) {
        std::smatch match;
        if (std::regex_match(text, match, line)) references[match[2]] = match[1];
    }
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-asr-bench-" + std::to_string(getpid()));
    dubhost::scoring::WordErrors ours, peer;
    double audio = 0, ours_time = 0, peer_time = 0;
    bool peer_ran = true;
    std::printf("%-45s %8s %8s\n", "utterance", "dubhost", "peer");
    for (const auto &[id, reference] : references) {
        const fs::path wav = librivox / (id + ".wav");
        audio += seconds_of_wav(wav);
        auto start = std::chrono::steady_clock::now();
        const auto outcome =
            dubhost::call_backend(asr->entry_points(), dubhost::BackendEntry::run, services,
                                  {{"inputs", {{"speech", wav.string()}}}, {"outputs", {{"dir", (scratch / id).string()}}}});
        ours_time += since(start);
        std::string hypothesis;
        if (!outcome.ok()) std::fprintf(stderr, "%s: %s\n", id.c_str(), outcome.error_message().c_str());
        if (outcome.ok()) {
            std::ifstream in(scratch / id / "track.json");
            const json track = json::parse(in);  // kept alive for the loop below
            for (const auto &segment : track["segments"]) hypothesis += segment["text"].get<std::string>() + " ";
        }
        const auto mine = dubhost::scoring::word_errors(reference, hypothesis);
        ours += mine;
        start = std::chrono::steady_clock::now();
        const auto continuous = dubhost::run_process({"pocketsphinx_continuous", "-infile", wav.string(), "-logfn", "/dev/null"},
                                                     std::chrono::seconds(120));
        peer_time += since(start);
        const bool ok = continuous.started && continuous.exit_code == 0;
        peer_ran = peer_ran && ok;
        const auto theirs = dubhost::scoring::word_errors(reference, ok ? continuous.out : "");
        peer += theirs;
        std::printf("%-45s %7.1f%% %7.1f%%\n", id.c_str(), mine.rate() * 100, theirs.rate() * 100);
    }
    fs::remove_all(scratch);
    std::printf("\nWER over %zu words: dubhost %.1f%%, pocketsphinx_continuous %s\n", ours.reference_words, ours.rate() * 100,
                peer_ran ? (std::to_string(peer.rate() * 100).substr(0, 4) + "%").c_str()
                         : "not installed (apt-get install pocketsphinx)");
    std::printf(
        "real-time factor (lower is faster; model loading included): dubhost %.3f, pocketsphinx_continuous %.3f over %.1f s of "
        "audio\n",
        ours_time / audio, peer_time / audio, audio);
    return 0;
}
