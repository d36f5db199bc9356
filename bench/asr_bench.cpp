// Benchmark (not a test): the pocketsphinx ASR plugin against the pocketsphinx_continuous program
// (the peer) on two sets in the same run: the LibriVox utterances of pocketsphinx-testdata (the set
// the plugin's segmentation was tuned on) and the asterisk studio prompts a-m (a judging set nothing
// was tuned on): word error rate against the reference transcripts and real-time factor.
//   dubhost_asr_bench [PROMPTS]   (PROMPTS: how many asterisk prompts, default 60)
#include "bench_plugins.hpp"
#include "dubhost/host/backend_call.hpp"
#include "word_error_rate.hpp"

#include <dubhost/support/process.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path librivox = "/usr/share/pocketsphinx/test/data/librivox";
const fs::path asterisk = "/usr/share/asterisk/sounds/en_US_f_Allison";
const fs::path asterisk_text = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";

struct Utterance {
    std::string id;
    fs::path wav;  // 16 kHz mono 16-bit
    std::string reference;
};

double seconds_of_wav(const fs::path &path) { return static_cast<double>(fs::file_size(path) - 44) / 2 / 16000; }

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<Utterance> librivox_set() {
    std::vector<Utterance> set;
    std::ifstream transcription(librivox / "transcription");
    const std::regex line(R"(^<s>\s*(.*?)\s*</s>\s*\((\S+)\)\s*$)");
    for (std::string text; std::getline(transcription, text);) {
        std::smatch match;
        if (std::regex_match(text, match, line)) set.push_back({match[2], librivox / (std::string(match[2]) + ".wav"), match[1]});
    }
    return set;
}

// Prompts whose ids start with a-m and that say at least five words ("id: text" lines), decoded
// from their 16 kHz G.722 files to WAV by the ffmpeg program. Bit-exact: a plain 44-byte header,
// because pocketsphinx_continuous skips 44 bytes and would hear ffmpeg's LIST chunk as a click at
// the start, which changes what it recognises (conf-getpin: right with the click, wrong without).
std::vector<Utterance> asterisk_set(const fs::path &scratch, std::size_t wanted) {
    std::vector<Utterance> set;
    const auto listing = dubhost::run_process({"zcat", asterisk_text.string()}, std::chrono::seconds(30));
    std::istringstream lines(listing.out);
    const std::regex line(R"(^([a-m][\w-]*): (.+?)\s*$)");
    for (std::string text; set.size() < wanted && std::getline(lines, text);) {
        std::smatch match;
        if (!std::regex_match(text, match, line)) continue;
        const std::string id = match[1], reference = match[2];
        const fs::path source = asterisk / (id + ".g722");
        std::istringstream words(reference);
        std::size_t count = 0;
        for (std::string word; words >> word;) ++count;
        if (count < 5 || !fs::exists(source)) continue;
        const fs::path wav = scratch / (id + ".wav");
        const auto decoded =
            dubhost::run_process({"ffmpeg", "-v", "error", "-y", "-i", source.string(), "-ar", "16000", "-ac", "1", "-c:a",
                                  "pcm_s16le", "-fflags", "+bitexact", "-flags:a", "+bitexact", wav.string()},
                                 std::chrono::seconds(60));
        if (decoded.exit_code == 0) set.push_back({id, wav, reference});
    }
    return set;
}

void score(const char *name, const std::vector<Utterance> &set, const dubhost::RegisteredBackend &asr,
           const dubhost::HostServices &services, const fs::path &scratch) {
    dubhost::scoring::WordErrors ours, peer;
    double audio = 0, ours_time = 0, peer_time = 0;
    bool peer_ran = true;
    std::printf("%s: %zu utterances\n%-45s %8s %8s\n", name, set.size(), "utterance", "dubhost", "peer");
    for (const auto &utterance : set) {
        audio += seconds_of_wav(utterance.wav);
        auto start = std::chrono::steady_clock::now();
        const fs::path out = scratch / "decoded" / utterance.id;
        const auto outcome =
            dubhost::call_backend(asr.entry_points(), dubhost::BackendEntry::run, services,
                                  {{"inputs", {{"speech", utterance.wav.string()}}}, {"outputs", {{"dir", out.string()}}}});
        ours_time += since(start);
        std::string hypothesis;
        if (!outcome.ok()) std::fprintf(stderr, "%s: %s\n", utterance.id.c_str(), outcome.error_message().c_str());
        if (outcome.ok()) {
            std::ifstream in(out / "track.json");
            const json track = json::parse(in);  // kept alive for the loop below
            for (const auto &segment : track["segments"]) hypothesis += segment["text"].get<std::string>() + " ";
        }
        const auto mine = dubhost::scoring::word_errors(utterance.reference, hypothesis);
        ours += mine;
        start = std::chrono::steady_clock::now();
        const auto continuous = dubhost::run_process(
            {"pocketsphinx_continuous", "-infile", utterance.wav.string(), "-logfn", "/dev/null"}, std::chrono::seconds(120));
        peer_time += since(start);
        const bool ok = continuous.started && continuous.exit_code == 0;
        peer_ran = peer_ran && ok;
        const auto theirs = dubhost::scoring::word_errors(utterance.reference, ok ? continuous.out : "");
        peer += theirs;
        std::printf("%-45s %7.1f%% %7.1f%%\n", utterance.id.c_str(), mine.rate() * 100, theirs.rate() * 100);
    }
    std::printf("%s, WER over %zu words: dubhost %.1f%%, pocketsphinx_continuous %s\n", name, ours.reference_words,
                ours.rate() * 100,
                peer_ran ? (std::to_string(peer.rate() * 100).substr(0, 4) + "%").c_str()
                         : "not installed (apt-get install pocketsphinx)");
    std::printf(
        "%s, real-time factor (model loading included): dubhost %.3f, pocketsphinx_continuous %.3f over %.1f s of "
        "audio\n\n",
        name, ours_time / audio, peer_time / audio, audio);
}

}  // namespace

int main(int argc, char **argv) {
    spdlog::set_level(spdlog::level::warn);
    const std::size_t prompts = argc > 1 ? std::stoul(argv[1]) : 60;
    const dubhost::bench::BenchPlugins plugins;
    const auto &services = plugins.services();
    const auto *asr = &plugins.require("asr", "pocketsphinx");
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-asr-bench-" + std::to_string(getpid()));
    fs::create_directories(scratch);
    score("LibriVox (tuning set)", librivox_set(), *asr, services, scratch);
    const auto judging = asterisk_set(scratch, prompts);
    if (judging.empty())
        std::printf("asterisk prompts: not installed (apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-g722)\n");
    else
        score("asterisk prompts a-m (judging set)", judging, *asr, services, scratch);
    fs::remove_all(scratch);
    return 0;
}
