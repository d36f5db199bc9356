// Benchmark (not a test): diarization error rate of the native diarizer and of the diarization pack's
// Resemblyzer backend (real embeddings, the pack installed in a workspace) on the same real 1-, 2-
// and 3-speaker conversations, with the speaker count found and given; then Resemblyzer's clustering
// threshold swept, which is how its default was chosen (docs/reference/packs.md).
//   dubhost_diarize_bench [--workspace DIR]   (DIR holds packs/diarization: `dubhost pack install diarization`)
#include "diarization_error_rate.hpp"
#include "diarization_set.hpp"
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Case {
    std::string name;
    int speakers = 0;
    fs::path wav;
    std::vector<dubhost::scoring::LabelledTurn> reference;
};

struct Outcome {
    double der = -1;  // -1: the run failed
    std::size_t found = 0;
    double seconds = 0;
    std::string error;
};

Outcome diarize(const dubhost::RegisteredBackend &backend, dubhost::HostServices &services, const Case &conversation,
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
    std::vector<dubhost::scoring::LabelledTurn> hypothesis;
    for (const auto &turn : result["turns"]) hypothesis.push_back({turn["start"], turn["end"], turn["speaker"]});
    outcome.der = dubhost::scoring::diarization_errors(conversation.reference, hypothesis, 250).rate();
    outcome.found = result["speakers"].size();
    return outcome;
}

void print(const char *backend, const std::string &setting, const Case &conversation, const Outcome &outcome) {
    if (outcome.der < 0)
        std::printf("%-12s %-16s %-44s failed: %s\n", backend, setting.c_str(), conversation.name.c_str(), outcome.error.c_str());
    else
        std::printf("%-12s %-16s %-44s DER %5.1f%%  found %zu of %d  %5.1f s\n", backend, setting.c_str(),
                    conversation.name.c_str(), outcome.der * 100, outcome.found, conversation.speakers, outcome.seconds);
}

}  // namespace

int main(int argc, char **argv) {
    spdlog::set_level(spdlog::level::warn);
    fs::path workspace = std::getenv("DUBHOST_WORKSPACE")
                             ? std::getenv("DUBHOST_WORKSPACE")
                             : fs::path(std::getenv("HOME") ? std::getenv("HOME") : "/tmp") / ".local/share/dubhost/workspace";
    if (argc == 3 && std::string(argv[1]) == "--workspace") workspace = argv[2];
    const fs::path self = fs::read_symlink("/proc/self/exe");
    const fs::path plugins = self.parent_path().parent_path() / "lib" / "dubhost" / "plugins";
    dubhost::HostServices services({{"workspace", workspace.string()}, {"packs", (workspace / "packs").string()}}, "bench");
    const auto registry = dubhost::PluginRegistry::discover({{plugins, "bench"}}, services);
    const auto *native = registry.find("diarize", "native");
    const auto *resemblyzer = registry.find("diarize", "resemblyzer");
    if (!native || !resemblyzer) {
        std::fprintf(stderr, "the diarize/native and diarize/resemblyzer plugins are not under %s\n", plugins.c_str());
        return 1;
    }
    const fs::path scratch = fs::temp_directory_path() / ("dubhost-diarize-bench-" + std::to_string(getpid()));
    fs::create_directories(scratch);
    std::vector<Case> cases;
    dubhost::eval::Conversation one{"1 speaker (forensics movie-hello clip)",
                                    1,
                                    {{{"/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4"}, "man"}}};
    for (const auto &conversation :
         {one, dubhost::eval::two_speaker_conversation(), dubhost::eval::three_speaker_conversation()}) {
        const fs::path wav = scratch / ("conversation-" + std::to_string(conversation.speakers) + ".wav");
        cases.push_back(
            {conversation.name, conversation.speakers, wav, dubhost::eval::build_conversation(conversation.utterances, wav)});
    }
    std::printf(
        "DER with a 250 ms collar (the 1-speaker clip's reference is the whole clip, so its DER counts its "
        "silences as missed speech: read its speaker count)\n");
    for (const auto &conversation : cases)
        for (const int told : {0, conversation.speakers}) {
            const std::string setting = told ? "told the count" : "finds the count";
            print("native", setting, conversation, diarize(*native, services, conversation, {{"speakers", told}}, scratch));
            print("resemblyzer", setting, conversation,
                  diarize(*resemblyzer, services, conversation, {{"speakers", told}}, scratch));
        }
    std::printf("\nResemblyzer's threshold (cosine distance, average linkage), the speaker count found:\n");
    for (const double threshold : {0.35, 0.40, 0.42, 0.44, 0.46, 0.48, 0.50, 0.60})
        for (const auto &conversation : cases) {
            char setting[32];
            std::snprintf(setting, sizeof setting, "threshold %.2f", threshold);
            print("resemblyzer", setting, conversation,
                  diarize(*resemblyzer, services, conversation, {{"threshold", threshold}}, scratch));
        }
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    return 0;
}
