// Diarization on conversations built from real recordings of two and three different people, with
// known turns (bench/eval/diarization_set.hpp): the quality tests' own two, and the tuning and
// judging sets the native diarizer's speaker count was chosen and judged on.
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

namespace {

struct Diarized {
    scoring::DiarizationErrors errors;
    std::size_t speakers_found = 0;
    json track;  // the given track with each segment's speaker
};

// A conversation written once into `dir` (conversation.wav), with its reference turns.
struct Recorded {
    std::string name;
    std::vector<scoring::LabelledTurn> reference;
};

Recorded record(const eval::Conversation &conversation, const test::TempDir &dir) {
    return {conversation.name, eval::build_conversation(conversation.utterances, dir / "conversation.wav")};
}

// The native diarizer on a recorded conversation, told `speakers` (0: finds them).
Diarized diarize(const Recorded &conversation, int speakers, const test::TempDir &dir) {
    const auto &reference = conversation.reference;
    json segments = json::array();
    for (std::size_t i = 0; i < reference.size(); ++i)
        segments.push_back(
            {{"id", i + 1}, {"start", reference[i].start_ms}, {"end", reference[i].end_ms}, {"text", "x"}, {"speaker", nullptr}});
    HostServices services({{"workspace", dir.path().string()}}, "diarize");
    const auto registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    const RegisteredBackend *diarizer = registry.find("diarize", "native");
    BOOST_TEST_REQUIRE(diarizer != nullptr);
    const auto outcome = call_backend(
        diarizer->entry_points(), BackendEntry::run, services,
        {{"inputs", {{"speech", (dir / "conversation.wav").string()}, {"track", {{"kind", "script"}, {"segments", segments}}}}},
         {"params", {{"speakers", speakers}}},
         {"outputs", {{"diarization", (dir / "diarize" / "diarization.json").string()}}}});
    BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
    std::ifstream in(dir / "diarize" / "diarization.json");
    const json result = json::parse(in);
    std::vector<scoring::LabelledTurn> hypothesis;
    for (const auto &turn : result["turns"]) hypothesis.push_back({turn["start"], turn["end"], turn["speaker"]});
    std::ifstream track_in(dir / "diarize" / "diarized_track.json");
    Diarized diarized{scoring::diarization_errors(reference, hypothesis, 250), result["speakers"].size(), json::parse(track_in)};
    BOOST_TEST_MESSAGE(
        conversation.name << ", "
                          << (speakers ? "told " + std::to_string(speakers) : "found " + std::to_string(diarized.speakers_found))
                          << ": DER " << diarized.errors.rate() * 100 << "% (missed " << diarized.errors.missed_s
                          << " s, false alarm " << diarized.errors.false_alarm_s << " s, confusion "
                          << diarized.errors.confusion_s << " s of " << diarized.errors.reference_s << " s)");
    return diarized;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(diarize_quality)

BOOST_AUTO_TEST_CASE(two_real_speakers_are_told_apart) {
    test::TempDir dir;
    const Recorded conversation = record(eval::two_speaker_conversation(), dir);
    const auto &reference = conversation.reference;
    for (const int speakers : {0, 2}) {
        const Diarized diarized = diarize(conversation, speakers, dir);
        // Measured 2026-12-02: 0.0 (found and told); the limit is that plus 0.05.
        BOOST_TEST(diarized.errors.rate() <= 0.0 + 0.05);
        // The labelled track: every reader segment shares one label, every prompt segment the other.
        std::map<std::string, std::set<std::string>> labels;
        for (std::size_t i = 0; i < reference.size(); ++i)
            labels[reference[i].speaker].insert(diarized.track["segments"][i]["speaker"].get<std::string>());
        BOOST_TEST(labels["reader"].size() == 1u);
        BOOST_TEST(labels["prompt"].size() == 1u);
        BOOST_TEST(*labels["reader"].begin() != *labels["prompt"].begin());
    }
}

BOOST_AUTO_TEST_CASE(three_real_speakers_are_told_apart) {
    // Three people, one per ktuberling-data language (Catalan, Russian, Lithuanian), taking turns of
    // three to four words.
    test::TempDir dir;
    const Recorded conversation = record(eval::three_speaker_conversation(), dir);
    for (const int speakers : {0, 3}) {
        const Diarized diarized = diarize(conversation, speakers, dir);
        // Measured 2026-12-02: 0.083 (found and told); the limit is that plus 0.05.
        BOOST_TEST(diarized.errors.rate() <= 0.083 + 0.05);
    }
}

BOOST_AUTO_TEST_CASE(the_tuning_and_judging_conversations_hold_their_measured_figures) {
    // DER with the count found / told, and the most speakers a one-speaker recording may come out
    // as; measured 2026-12-02 with the penalty (3) and evidence cap (2000 frames) chosen on the
    // tuning set (dubhost_diarize_bench); each DER limit is the measured figure plus 0.05. The
    // tuning set's misses of the goal stay visible here: Catalan, Ukrainian and Walloon found as two
    // voices (0.263), Lithuanian+Walloon at 0.174, the seven-minute monologue as two voices.
    struct Expected {
        double found, told;
        std::size_t most_speakers = 0;  // for one-speaker recordings
    };
    const std::vector<Expected> tuning = {{0.0, 0.0, 1},  {0.0, 0.0, 1},  {0.0, 0.0},        {0.0, 0.0},     {0.174, 0.174},
                                          {0.0, 0.0},     {0.0, 0.0},     {0.105, 0.105},    {0.149, 0.149}, {0.0, 0.0},
                                          {0.263, 0.182}, {0.127, 0.127}, {0.046, 0.046, 2}, {0.083, 0.083}};
    const std::vector<Expected> judging = {{0.0, 0.0, 1},  {0.0, 0.0, 1}, {0.0, 0.0},     {0.0, 0.0}, {0.0, 0.0},    {0.0, 0.0},
                                           {0.049, 0.049}, {0.0, 0.0},    {0.031, 0.031}, {0.0, 0.0}, {0.006, 0.006}};
    for (const auto &[conversations, expected] :
         {std::pair{eval::diarization_tuning_set(), tuning}, std::pair{eval::diarization_judging_set(), judging}}) {
        BOOST_TEST_REQUIRE(conversations.size() == expected.size());
        for (std::size_t i = 0; i < conversations.size(); ++i) {
            test::TempDir dir;
            const Recorded conversation = record(conversations[i], dir);
            const Diarized found = diarize(conversation, 0, dir);
            BOOST_TEST(found.errors.rate() <= expected[i].found + 0.05, conversations[i].name);
            if (conversations[i].speakers == 1) {
                BOOST_TEST(found.speakers_found <= expected[i].most_speakers, conversations[i].name << ": one voice split");
                continue;
            }
            const Diarized told = diarize(conversation, conversations[i].speakers, dir);
            BOOST_TEST(told.errors.rate() <= expected[i].told + 0.05, conversations[i].name);
        }
    }
}

BOOST_AUTO_TEST_CASE(parameters_out_of_range_are_refused_with_the_fix) {
    test::TempDir dir;
    eval::build_conversation(eval::two_speaker_conversation().utterances, dir / "conversation.wav");
    HostServices services({{"workspace", dir.path().string()}}, "diarize");
    const auto registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    const RegisteredBackend *diarizer = registry.find("diarize", "native");
    BOOST_TEST_REQUIRE(diarizer != nullptr);
    for (const json &params :
         {json{{"speakers", -1}}, json{{"speakers", 21}}, json{{"penalty", 0}}, json{{"penalty", -2.5}}, json{{"penalty", 11}}}) {
        const auto outcome = call_backend(
            diarizer->entry_points(), BackendEntry::run, services,
            {{"inputs",
              {{"speech", (dir / "conversation.wav").string()}, {"track", {{"kind", "script"}, {"segments", json::array()}}}}},
             {"params", params},
             {"outputs", {{"diarization", (dir / "diarize" / "diarization.json").string()}}}});
        BOOST_TEST(!outcome.ok(), params.dump());
        BOOST_TEST(outcome.document["code"] == "bad-parameter", outcome.document.dump());
        BOOST_TEST(outcome.status == DUBHOST_STATUS_BAD_REQUEST);
        BOOST_TEST(outcome.error_hint().find("pass --param ") == 0u, outcome.error_hint());
        BOOST_TEST(!fs::exists(dir / "diarize" / "diarization.json"));
    }
}

BOOST_AUTO_TEST_SUITE_END()
