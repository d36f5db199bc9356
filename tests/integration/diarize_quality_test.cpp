// Diarization on a conversation built from real recordings of two different people: the LibriVox
// reader (pocketsphinx-testdata) and the ALSA prompt voice (alsa-utils), with known turns.
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "audio_reader.hpp"
#include "diarization_error_rate.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <dubhost/plugin.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

// One turn: one or more recordings by the same speaker, with short gaps between them.
struct Utterance {
    std::vector<std::string> paths;
    std::string speaker;
};

// The i-th to (i+count-1)-th recordings (sorted) of one ktuberling-data language: single words
// spoken by one person per language.
std::vector<std::string> ktuberling_words(const std::string &language, std::size_t first, std::size_t count) {
    std::vector<std::string> all;
    for (const auto &entry : fs::directory_iterator("/usr/share/ktuberling/sounds/" + language))
        if (entry.path().extension() == ".ogg" || entry.path().extension() == ".wav") all.push_back(entry.path().string());
    std::sort(all.begin(), all.end());
    BOOST_TEST_REQUIRE(all.size() >= first + count,
                       "ktuberling-data (" << language << ") is missing: apt-get install ktuberling-data");
    return {all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(first + count)};
}

// Concatenates the utterances at 16 kHz with pauses; returns the reference turns.
std::vector<scoring::LabelledTurn> build_conversation(const std::vector<Utterance> &utterances, const fs::path &wav) {
    std::vector<std::int16_t> samples;
    std::vector<scoring::LabelledTurn> turns;
    const std::vector<int> pauses_ms = {600, 400, 900, 500, 700, 300, 800};
    for (std::size_t i = 0; i < utterances.size(); ++i) {
        samples.insert(samples.end(), static_cast<std::size_t>(pauses_ms[i % pauses_ms.size()] * 16), 0);
        const std::int64_t start = static_cast<std::int64_t>(samples.size()) / 16;
        for (std::size_t p = 0; p < utterances[i].paths.size(); ++p) {
            if (p > 0) samples.insert(samples.end(), 150 * 16, 0);  // a breath between words of one turn
            ffmpeg::AudioReader reader(utterances[i].paths[p], 16000, 1);
            std::vector<float> block(16000);
            while (std::size_t got = reader.read(block.data(), block.size()))
                for (std::size_t k = 0; k < got; ++k)
                    samples.push_back(static_cast<std::int16_t>(std::lround(std::clamp(block[k], -1.0f, 1.0f) * 32767)));
        }
        turns.push_back({start, static_cast<std::int64_t>(samples.size()) / 16, utterances[i].speaker});
    }
    samples.insert(samples.end(), 16000 / 2, 0);
    sdk::write_wav_pcm16(wav, samples.data(), samples.size(), 16000);
    return turns;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(diarize_quality)

BOOST_AUTO_TEST_CASE(two_real_speakers_are_told_apart) {
    const std::string book = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-";
    const std::string alsa = "/usr/share/sounds/alsa/";
    test::TempDir dir;
    const auto reference = build_conversation({{{book + "0880.wav"}, "reader"},
                                               {{alsa + "Front_Center.wav"}, "prompt"},
                                               {{alsa + "Front_Left.wav"}, "prompt"},
                                               {{book + "0930.wav"}, "reader"},
                                               {{alsa + "Rear_Right.wav"}, "prompt"},
                                               {{book + "0890.wav"}, "reader"},
                                               {{alsa + "Side_Left.wav"}, "prompt"},
                                               {{alsa + "Rear_Center.wav"}, "prompt"},
                                               {{book + "0920.wav"}, "reader"}},
                                              dir / "conversation.wav");
    json segments = json::array();
    for (std::size_t i = 0; i < reference.size(); ++i)
        segments.push_back(
            {{"id", i + 1}, {"start", reference[i].start_ms}, {"end", reference[i].end_ms}, {"text", "x"}, {"speaker", nullptr}});
    HostServices services({{"workspace", dir.path().string()}}, "diarize");
    const auto registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    const RegisteredBackend *diarizer = registry.find("diarize", "native");
    BOOST_TEST_REQUIRE(diarizer != nullptr);
    for (const int speakers : {0, 2}) {
        const auto outcome = call_backend(
            *diarizer->entry_points, BackendEntry::run, services,
            {{"inputs",
              {{"speech", (dir / "conversation.wav").string()}, {"track", {{"kind", "script"}, {"segments", segments}}}}},
             {"params", {{"speakers", speakers}}},
             {"outputs", {{"diarization", (dir / "diarize" / "diarization.json").string()}}}});
        BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
        std::ifstream in(dir / "diarize" / "diarization.json");
        const json result = json::parse(in);
        std::vector<scoring::LabelledTurn> hypothesis;
        for (const auto &turn : result["turns"]) hypothesis.push_back({turn["start"], turn["end"], turn["speaker"]});
        const auto errors = scoring::diarization_errors(reference, hypothesis, 250);
        BOOST_TEST_MESSAGE("DER (2 speakers, " << (speakers ? "told 2" : "found " + std::to_string(result["speakers"].size()))
                                               << "): " << errors.rate() * 100 << "% (missed " << errors.missed_s
                                               << " s, false alarm " << errors.false_alarm_s << " s, confusion "
                                               << errors.confusion_s << " s of " << errors.reference_s << " s)");
        BOOST_TEST(errors.rate() <= 0.20);
        // The labelled track: every reader segment shares one label, every prompt segment the other.
        std::ifstream track_in(dir / "diarize" / "diarized_track.json");
        const json track = json::parse(track_in);
        std::map<std::string, std::set<std::string>> labels;
        for (std::size_t i = 0; i < reference.size(); ++i)
            labels[reference[i].speaker].insert(track["segments"][i]["speaker"].get<std::string>());
        BOOST_TEST(labels["reader"].size() == 1u);
        BOOST_TEST(labels["prompt"].size() == 1u);
        BOOST_TEST(*labels["reader"].begin() != *labels["prompt"].begin());
    }
}

BOOST_AUTO_TEST_CASE(three_real_speakers_are_told_apart) {
    // Three people, one per ktuberling-data language (Catalan, Russian, Lithuanian), taking turns of
    // three to four words.
    test::TempDir dir;
    std::vector<Utterance> turns;
    const std::vector<std::pair<std::string, std::size_t>> order = {{"ca", 3}, {"ru", 4}, {"lt", 3}, {"ca", 4}, {"lt", 4},
                                                                    {"ru", 3}, {"ca", 3}, {"ru", 4}, {"lt", 3}};
    std::map<std::string, std::size_t> used;
    for (const auto &[language, words] : order) {
        turns.push_back({ktuberling_words(language, used[language], words), language});
        used[language] += words;
    }
    const auto reference = build_conversation(turns, dir / "conversation.wav");
    json segments = json::array();
    for (std::size_t i = 0; i < reference.size(); ++i)
        segments.push_back(
            {{"id", i + 1}, {"start", reference[i].start_ms}, {"end", reference[i].end_ms}, {"text", "x"}, {"speaker", nullptr}});
    HostServices services({{"workspace", dir.path().string()}}, "diarize");
    const auto registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    const RegisteredBackend *diarizer = registry.find("diarize", "native");
    BOOST_TEST_REQUIRE(diarizer != nullptr);
    for (const int speakers : {0, 3}) {
        const auto outcome = call_backend(
            *diarizer->entry_points, BackendEntry::run, services,
            {{"inputs",
              {{"speech", (dir / "conversation.wav").string()}, {"track", {{"kind", "script"}, {"segments", segments}}}}},
             {"params", {{"speakers", speakers}}},
             {"outputs", {{"diarization", (dir / "diarize" / "diarization.json").string()}}}});
        BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
        std::ifstream in(dir / "diarize" / "diarization.json");
        const json result = json::parse(in);
        std::vector<scoring::LabelledTurn> hypothesis;
        for (const auto &turn : result["turns"]) hypothesis.push_back({turn["start"], turn["end"], turn["speaker"]});
        const auto errors = scoring::diarization_errors(reference, hypothesis, 250);
        BOOST_TEST_MESSAGE("DER (3 speakers, " << (speakers ? "told 3" : "found " + std::to_string(result["speakers"].size()))
                                               << "): " << errors.rate() * 100 << "% (missed " << errors.missed_s
                                               << " s, false alarm " << errors.false_alarm_s << " s, confusion "
                                               << errors.confusion_s << " s of " << errors.reference_s << " s)");
        BOOST_TEST(errors.rate() <= 0.20);
    }
}

BOOST_AUTO_TEST_SUITE_END()
