// Benchmark (not a test): diarization error rate of the native diarizer on a tuning set of real
// conversations (what its defaults were chosen on) and a judging set (other people, used to choose
// nothing), against the one-speaker baseline, and against the diarization pack's Resemblyzer
// backend when that pack is installed in the workspace (`dubhost pack install diarization`).
//   dubhost_diarize_bench [--workspace DIR] [--sweep]
//   --sweep: also the native diarizer's `penalty` and Resemblyzer's `threshold` over the tuning set
//            (how their defaults were chosen; docs/reference/jobs.md, docs/reference/packs.md)
#include "bench_plugins.hpp"
#include "diarization_error_rate.hpp"
#include "diarization_set.hpp"
#include "dubhost/host/backend_call.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using dubhost::scoring::LabelledTurn;
using nlohmann::json;

namespace {

constexpr std::int64_t collar_ms = 250;

struct Case {
    std::string name;
    int speakers = 0;
    fs::path wav;
    std::vector<LabelledTurn> reference;
};

struct Outcome {
    double der = -1;  // -1: the run failed
    std::size_t found = 0;
    double seconds = 0;
    std::string error;
};

Outcome diarize(const dubhost::RegisteredBackend &backend, const dubhost::HostServices &services, const Case &conversation,
                const json &params, const fs::path &scratch) {
    json segments = json::array();
    for (std::size_t i = 0; i < conversation.reference.size(); ++i)
        segments.push_back({{"id", i + 1},
                            {"start", conversation.reference[i].start_ms},
                            {"end", conversation.reference[i].end_ms},
                            {"text", "x"},
                            {"speaker", nullptr}});
    const fs::path output = scratch / "diarize" / "diarization.json";
    const auto started = std::chrono::steady_clock::now();
    const auto call = dubhost::call_backend(
        backend.entry_points(), dubhost::BackendEntry::run, services,
        {{"inputs", {{"speech", conversation.wav.string()}, {"track", {{"kind", "script"}, {"segments", segments}}}}},
         {"params", params},
         {"outputs", {{"diarization", output.string()}}},
         {"work_dir", (scratch / "work").string()}});
    Outcome outcome;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!call.ok()) {
        outcome.error = call.error_message();
        return outcome;
    }
    std::ifstream in(output);
    const json result = json::parse(in);
    std::vector<LabelledTurn> hypothesis;
    for (const auto &turn : result["turns"]) hypothesis.push_back({turn["start"], turn["end"], turn["speaker"]});
    outcome.der = dubhost::scoring::diarization_errors(conversation.reference, hypothesis, collar_ms).rate();
    outcome.found = result["speakers"].size();
    return outcome;
}

// The baseline every diarizer must beat: the reference's speech, all of it given to one speaker.
double one_speaker_der(const Case &conversation) {
    std::vector<LabelledTurn> hypothesis;
    for (const auto &turn : conversation.reference) hypothesis.push_back({turn.start_ms, turn.end_ms, "everyone"});
    return dubhost::scoring::diarization_errors(conversation.reference, hypothesis, collar_ms).rate();
}

std::vector<Case> build(const std::vector<dubhost::eval::Conversation> &conversations, const fs::path &scratch) {
    std::vector<Case> cases;
    for (const auto &conversation : conversations) {
        const fs::path wav = scratch / ("conversation-" + std::to_string(cases.size()) + "-" +
                                        std::to_string(std::hash<std::string>{}(conversation.name)) + ".wav");
        cases.push_back(
            {conversation.name, conversation.speakers, wav, dubhost::eval::build_conversation(conversation.utterances, wav)});
    }
    return cases;
}

// Per backend and setting: the mean and worst DER over a set, and how many conversations meet the
// goal: with several speakers DER <= 0.20 and at most half the one-speaker baseline's; with one,
// no second speaker found.
struct Tally {
    double sum = 0, worst = 0;
    int runs = 0, met = 0, failed = 0;
    void add(const Outcome &outcome, const Case &conversation) {
        if (outcome.der < 0) {
            ++failed;
            return;
        }
        sum += outcome.der, worst = std::max(worst, outcome.der), ++runs;
        if (conversation.speakers == 1 ? outcome.found == 1
                                       : outcome.der <= 0.20 && outcome.der <= one_speaker_der(conversation) / 2)
            ++met;
    }
    void print(const char *label) const {
        std::printf("  %-34s mean DER %5.1f%%  worst %5.1f%%  goal met in %d of %d%s\n", label, runs ? sum / runs * 100 : 0.0,
                    worst * 100, met, runs + failed, failed ? " (some runs failed)" : "");
    }
};

struct Diarizer {
    const char *label;
    const dubhost::RegisteredBackend *backend;
};

void score_set(const char *title, const std::vector<Case> &cases, const std::vector<Diarizer> &diarizers,
               const dubhost::HostServices &services, const fs::path &scratch) {
    std::printf("\n%s (DER with a %lld ms collar)\n", title, static_cast<long long>(collar_ms));
    std::vector<Tally> found(diarizers.size()), told(diarizers.size());
    for (const auto &conversation : cases) {
        std::printf("%-40s one speaker: DER %5.1f%%\n", conversation.name.c_str(), one_speaker_der(conversation) * 100);
        for (std::size_t d = 0; d < diarizers.size(); ++d)
            for (const int count : conversation.speakers > 1 ? std::vector<int>{0, conversation.speakers} : std::vector<int>{0}) {
                const Outcome outcome = diarize(*diarizers[d].backend, services, conversation, {{"speakers", count}}, scratch);
                (count ? told : found)[d].add(outcome, conversation);
                if (outcome.der < 0)
                    std::printf("  %-12s %-15s failed: %s\n", diarizers[d].label, count ? "told the count" : "finds the count",
                                outcome.error.c_str());
                else
                    std::printf("  %-12s %-15s DER %5.1f%%  found %zu of %d  %5.2f s\n", diarizers[d].label,
                                count ? "told the count" : "finds the count", outcome.der * 100, outcome.found,
                                conversation.speakers, outcome.seconds);
            }
    }
    std::printf("summary of %s:\n", title);
    for (std::size_t d = 0; d < diarizers.size(); ++d) {
        found[d].print((std::string(diarizers[d].label) + ", finds the count").c_str());
        told[d].print((std::string(diarizers[d].label) + ", told the count").c_str());
    }
}

// One parameter over the tuning set: the mean DER and the speaker counts found at each value.
void sweep(const Diarizer &diarizer, const char *parameter, const std::vector<double> &values, const std::vector<Case> &cases,
           const dubhost::HostServices &services, const fs::path &scratch) {
    std::printf("\n%s's %s over the tuning set (speaker count found, then DER per conversation):\n", diarizer.label, parameter);
    for (const double value : values) {
        Tally tally;
        std::string counts;
        for (const auto &conversation : cases) {
            const Outcome outcome = diarize(*diarizer.backend, services, conversation, {{parameter, value}}, scratch);
            tally.add(outcome, conversation);
            char cell[48];
            std::snprintf(cell, sizeof cell, " %zu/%d:%4.1f%%", outcome.found, conversation.speakers, outcome.der * 100);
            counts += outcome.der < 0 ? " failed" : cell;
        }
        std::printf("  %s %-6.3g%s\n", parameter, value, counts.c_str());
        char label[48];
        std::snprintf(label, sizeof label, "%s %.3g", parameter, value);
        tally.print(label);
    }
}

}  // namespace

int main(int argc, char **argv) {
    spdlog::set_level(spdlog::level::warn);
    fs::path workspace = std::getenv("DUBHOST_WORKSPACE")
                             ? std::getenv("DUBHOST_WORKSPACE")
                             : fs::path(std::getenv("HOME") ? std::getenv("HOME") : "/tmp") / ".local/share/dubhost/workspace";
    bool sweeping = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--workspace" && i + 1 < argc)
            workspace = argv[++i];
        else if (arg == "--sweep")
            sweeping = true;
        else {
            std::fprintf(stderr, "usage: dubhost_diarize_bench [--workspace DIR] [--sweep]\n");
            return 2;
        }
    }
    const dubhost::bench::BenchPlugins plugins;
    dubhost::HostServices services({{"workspace", workspace.string()}, {"packs", (workspace / "packs").string()}}, "bench");
    std::vector<Diarizer> diarizers = {{"native", &plugins.require("diarize", "native")}};
    if (const auto *resemblyzer = plugins.registry().find("diarize", "resemblyzer")) {
        const auto status =
            dubhost::call_backend(resemblyzer->entry_points(), dubhost::BackendEntry::status, services, json::object());
        if (status.ok() && status.document.value("installed", false))
            diarizers.push_back({"resemblyzer", resemblyzer});
        else
            std::printf(
                "resemblyzer: the diarization pack is not installed in %s (dubhost pack install diarization); "
                "native only\n",
                workspace.c_str());
    }
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-diarize-bench-" + std::to_string(getpid()));
    fs::create_directories(scratch);
    const auto tuning = build(dubhost::eval::diarization_tuning_set(), scratch);
    const auto judging = build(dubhost::eval::diarization_judging_set(), scratch);
    const auto tests = build({dubhost::eval::two_speaker_conversation(), dubhost::eval::three_speaker_conversation()}, scratch);
    score_set("tuning set", tuning, diarizers, services, scratch);
    score_set("judging set", judging, diarizers, services, scratch);
    score_set("the quality tests' conversations", tests, diarizers, services, scratch);

    // One person talking: any second speaker found is a false split.
    const dubhost::eval::Conversation clip{"1 speaker (forensics movie-hello clip)",
                                           1,
                                           {{{"/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4"}, "man"}}};
    const auto one = build({clip}, scratch);
    std::printf("\n%s:\n", clip.name.c_str());
    for (const auto &diarizer : diarizers) {
        const Outcome outcome = diarize(*diarizer.backend, services, one.front(), {{"speakers", 0}}, scratch);
        std::printf("  %-12s found %zu speaker(s)%s\n", diarizer.label, outcome.found, outcome.der < 0 ? " (failed)" : "");
    }

    if (sweeping) {
        sweep(diarizers.front(), "penalty", {2.5, 3.0, 4.0, 5.0, 6.0, 8.0}, tuning, services, scratch);
        if (diarizers.size() > 1)
            sweep(diarizers[1], "threshold", {0.35, 0.40, 0.44, 0.48, 0.50, 0.60}, tuning, services, scratch);
    }
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    return 0;
}
