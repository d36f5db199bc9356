// Diarization on conversations built from real recordings of two and three different people, with
// known turns (bench/eval/diarization_set.hpp).
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "diarization_error_rate.hpp"
#include "diarization_set.hpp"
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

BOOST_AUTO_TEST_SUITE(diarize_quality)

BOOST_AUTO_TEST_CASE(two_real_speakers_are_told_apart) {
    test::TempDir dir;
    const auto reference = eval::build_conversation(eval::two_speaker_conversation().utterances, dir / "conversation.wav");
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
            diarizer->entry_points(), BackendEntry::run, services,
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
        // Measured 2026-12-02: 0.0 (found and told); the limit is that plus 0.05.
        BOOST_TEST(errors.rate() <= 0.0 + 0.05);
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
    const auto reference = eval::build_conversation(eval::three_speaker_conversation().utterances, dir / "conversation.wav");
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
            diarizer->entry_points(), BackendEntry::run, services,
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
        // Measured 2026-12-02: 0.067 (1.8 s of a turn missed; found and told); the limit is that plus 0.05.
        BOOST_TEST(errors.rate() <= 0.067 + 0.05);
    }
}

BOOST_AUTO_TEST_SUITE_END()
