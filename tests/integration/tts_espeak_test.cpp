// The espeak-ng TTS plugin loaded through the registry: real synthesis, the manifest against the
// WAVs it names, voices per speaker, empty segments skipped, bad parameters refused.
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "audio_reader.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
using namespace dubhost;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

struct Espeak {
    HostServices services{{{"workspace", "/tmp"}}, "dubhost.tts-espeak"};
    PluginRegistry registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    const RegisteredBackend &backend() {
        const RegisteredBackend *found = registry.find("tts", "espeak-ng");
        BOOST_TEST_REQUIRE(found != nullptr);
        return *found;
    }
    CallOutcome call(BackendEntry entry, const json &request) {
        return call_backend(backend().entry_points(), entry, services, request);
    }
};

json segment(std::int64_t id, std::int64_t start, std::int64_t end, const std::string &text, const std::string &speaker = {}) {
    return {
        {"id", id}, {"start", start}, {"end", end}, {"text", text}, {"speaker", speaker.empty() ? json(nullptr) : json(speaker)}};
}

json job(const TempDir &dir, const json &segments, const json &params = json::object(), const std::string &language = "en") {
    return {{"inputs", {{"track", {{"language", language}, {"segments", segments}}}, {"voice_map", json::object()}}},
            {"params", params},
            {"outputs", {{"dir", (dir / "tts").string()}}}};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tts_espeak, Espeak)

BOOST_AUTO_TEST_CASE(status_lists_voices) {
    const auto status = call(BackendEntry::status, json::object());
    BOOST_TEST_REQUIRE(status.ok());
    BOOST_TEST(status.document["installed"] == true);
    BOOST_TEST(status.document["voices"].size() > 50u);
}

BOOST_AUTO_TEST_CASE(segments_become_wavs_whose_length_the_manifest_states) {
    TempDir dir;
    const json segments = {segment(11, 0, 2000, "Good morning, everyone.", "Ann"), segment(12, 2500, 4000, "   "),
                           segment(13, 4000, 6000, "It's 3:45, [really]; a\\b.", "Bob"),
                           segment(14, 6000, 8000, "And once more.", "Ann")};
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = call(BackendEntry::run, job(dir, segments));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
    std::ifstream in(dir / "tts" / "manifest.json");
    const json manifest = json::parse(in);
    BOOST_TEST_REQUIRE(manifest["segments"].size() == 3u);
    BOOST_TEST(manifest["skipped"].size() == 1u);
    BOOST_TEST(manifest["skipped"][0]["segment_id"] == 12);
    double audio_seconds = 0;
    for (const auto &entry : manifest["segments"]) {
        ffmpeg::AudioReader reader(entry["path"].get<std::string>(), 22050, 1);
        std::vector<float> block(22050);
        std::size_t frames = 0;
        while (std::size_t got = reader.read(block.data(), block.size())) frames += got;
        const auto wav_ms = static_cast<std::int64_t>(std::llround(static_cast<double>(frames) * 1000.0 / 22050));
        BOOST_TEST(std::abs(entry["duration"].get<std::int64_t>() - wav_ms) <= 1);  // manifest duration = the wav's
        BOOST_TEST(entry["duration"].get<std::int64_t>() > 500);
        audio_seconds += static_cast<double>(wav_ms) / 1000;
    }
    BOOST_TEST(manifest["segments"][1]["text"] == "It's 3:45, [really]; a\\b.");
    BOOST_TEST(manifest["voice_map"]["Ann"] != manifest["voice_map"]["Bob"]);  // two speakers never sound the same
    BOOST_TEST(manifest["segments"][0]["voice"] == manifest["segments"][2]["voice"]);
    BOOST_TEST_MESSAGE("espeak-ng real-time factor " << seconds / audio_seconds);
    BOOST_TEST(seconds / audio_seconds < 1.0);
}

BOOST_AUTO_TEST_CASE(chosen_voices_and_languages_are_used) {
    TempDir dir;
    json request = job(dir, json::array({segment(1, 0, 2000, "Guten Morgen.", "Ann")}), json::object(), "de");
    request["inputs"]["voice_map"] = {{"Ann", "gmw/de+f3"}};
    const auto outcome = call(BackendEntry::run, request);
    BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
    BOOST_TEST(outcome.document["voice_map"]["Ann"] == "gmw/de+f3");
}

BOOST_AUTO_TEST_CASE(bad_requests_are_refused_with_hints) {
    TempDir dir;
    const auto rate = call(BackendEntry::run, job(dir, json::array({segment(1, 0, 1000, "Hi")}), {{"rate", 5}}));
    BOOST_TEST(rate.status == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(rate.error_hint() == "pass --param rate=165");
    const auto language =
        call(BackendEntry::run, job(dir, json::array({segment(1, 0, 1000, "Hi")}), json::object(), "xx-nowhere"));
    BOOST_TEST(language.document["code"] == "no-voice-for-language");
    json unknown = job(dir, json::array({segment(1, 0, 1000, "Hi", "Ann")}));
    unknown["inputs"]["voice_map"] = {{"Ann", "no-such-voice"}};
    const auto voice = call(BackendEntry::run, unknown);
    BOOST_TEST(voice.document["code"] == "unknown-voice");
    BOOST_TEST(voice.error_hint().find("dubhost speakers set") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
