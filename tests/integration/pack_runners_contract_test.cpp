// The four packs' runners (packs/<id>/runner.py), run by the real runner protocol against contract
// doubles of their libraries (tests/packs/contract/; scikit-learn is the real one). Named *_contract
// because the real Spleeter, Resemblyzer, pyttsx3 and faster-whisper cannot be installed here: what
// these prove is that each runner calls the documented API correctly and writes the stage's files.
#include <dubhost/support/process.hpp>

#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <dubhost/packs/pack_runner.hpp>

#include <chrono>
#include <cmath>
#include <fstream>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

const fs::path source_dir = DUBHOST_SOURCE_DIR;

json read_json_file(const fs::path &path) {
    std::ifstream in(path);
    return json::parse(in);
}

double rms(const std::vector<std::int16_t> &samples) {
    double sum = 0;
    for (auto s : samples) sum += static_cast<double>(s) * s;
    return samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(samples.size()));
}

struct ContractFixture {
    test::TempDir dir{"dubhost-contract"};
    fs::path log = dir / "job.log";
    std::vector<std::string> progress;

    json run(const std::string &pack, const json &job, const std::map<std::string, std::string> &environment) {
        packs::RunnerRequest request;
        request.pack_id = pack;
        request.python = DUBHOST_TEST_PYTHON;
        request.script = source_dir / "packs" / pack / "runner.py";
        request.python_path = {source_dir / "tests/packs/contract", source_dir / "packs/runtime/python"};
        request.environment = environment;
        request.job = job;
        request.log = log;
        request.timeout = std::chrono::minutes(2);
        packs::RunnerEvents events;
        events.progress = [this](double, const std::string &message) { progress.push_back(message); };
        return packs::run_pack_runner(request, events);
    }
    sdk::CallError failure(const std::string &pack, const json &job, const std::map<std::string, std::string> &environment) {
        try {
            run(pack, job, environment);
        } catch (const sdk::CallError &error) {
            return error;
        }
        BOOST_FAIL("the " + pack + " runner was expected to fail");
        throw std::logic_error("unreachable");
    }
    std::string log_text() const {
        std::ifstream in(log);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    void ffmpeg(const std::vector<std::string> &arguments) const {
        std::vector<std::string> argv = {"ffmpeg", "-v", "error", "-y"};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        const auto made = run_process(argv, std::chrono::seconds(60));
        BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    }
};

// Spleeter's model folder as the pack provisions it: <MODEL_PATH>/<N>stems/.probe.
void provision_spleeter_model(const fs::path &models, int stems) {
    fs::create_directories(models / (std::to_string(stems) + "stems"));
    test::write_file(models / (std::to_string(stems) + "stems") / ".probe", "OK");
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(spleeter_contract, ContractFixture)

BOOST_AUTO_TEST_CASE(separates_in_passes_and_writes_vocals_and_background) {
    // 65 s of 48 kHz float stereo, the extract stage's format, separated 30 s at a time.
    ffmpeg({"-f", "lavfi", "-i", "sine=frequency=440:duration=65", "-ac", "2", "-ar", "48000", "-c:a", "pcm_f32le",
            (dir / "mix.wav").string()});
    provision_spleeter_model(dir / "models", 2);
    const json job = {
        {"params", {{"chunk_seconds", 30}}},
        {"inputs", {{"mix", (dir / "mix.wav").string()}}},
        {"outputs", {{"vocals", (dir / "out/vocals.wav").string()}, {"background", (dir / "out/background.wav").string()}}},
        {"work_dir", (dir / "work").string()}};
    fs::create_directories(dir / "out");
    const json result = run("spleeter", job, {{"MODEL_PATH", (dir / "models").string()}});
    BOOST_TEST(result["stems"] == 2);
    BOOST_TEST(result["outputs"].size() == 2u, result.dump());
    const auto vocals = sdk::read_wav_pcm16(dir / "out/vocals.wav", 44100, 2);
    const auto background = sdk::read_wav_pcm16(dir / "out/background.wav", 44100, 2);
    BOOST_TEST(std::abs(static_cast<double>(vocals.size()) / 2 / 44100 - 65.0) < 0.01);
    BOOST_TEST(vocals.size() == background.size());
    BOOST_TEST(rms(background) / rms(vocals) == 1.0 / 3.0, boost::test_tools::tolerance(0.02));  // accompaniment / vocals
    std::size_t passes = 0;
    for (const auto &message : progress) passes += message.rfind("separated", 0) == 0;
    BOOST_TEST(passes == 3u);
    BOOST_TEST(fs::is_empty(dir / "work"));  // scratch files moved into place
}

BOOST_AUTO_TEST_CASE(four_stems_need_their_model_and_sum_the_rest_into_background) {
    ffmpeg({"-f", "lavfi", "-i", "sine=frequency=220:duration=5", "-ac", "2", "-ar", "48000", "-c:a", "pcm_f32le",
            (dir / "mix.wav").string()});
    provision_spleeter_model(dir / "models", 2);
    fs::create_directories(dir / "out");
    json job = {
        {"params", {{"stems", 4}}},
        {"inputs", {{"mix", (dir / "mix.wav").string()}}},
        {"outputs", {{"vocals", (dir / "out/vocals.wav").string()}, {"background", (dir / "out/background.wav").string()}}},
        {"work_dir", (dir / "work").string()}};
    const std::map<std::string, std::string> environment = {{"MODEL_PATH", (dir / "models").string()}};
    const auto missing = failure("spleeter", job, environment);
    BOOST_TEST(missing.status() == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(missing.hint().rfind("run `dubhost pack install spleeter --model 4stems`", 0) == 0, missing.hint());

    provision_spleeter_model(dir / "models", 4);
    const json result = run("spleeter", job, environment);
    for (const char *stem : {"drums", "bass", "other"}) {
        BOOST_TEST(result["outputs"][stem] == (dir / "out" / (std::string(stem) + ".wav")).string());
        BOOST_TEST(fs::exists(dir / "out" / (std::string(stem) + ".wav")));
    }
    const auto vocals = sdk::read_wav_pcm16(dir / "out/vocals.wav", 44100, 2);
    const auto background = sdk::read_wav_pcm16(dir / "out/background.wav", 44100, 2);
    BOOST_TEST(rms(background) / rms(vocals) == 1.0, boost::test_tools::tolerance(0.02));  // drums+bass+other = vocals here

    job["params"]["stems"] = 3;
    const auto bad = failure("spleeter", job, environment);
    BOOST_TEST(bad.status() == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(std::string(bad.what()) == "stems must be 2, 4 or 5 (got 3)");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Two synthetic "voices" (low and high harmonics) taking turns, 16 kHz mono: A 0.5-3.5 s,
// B 4.5-7.5 s, A 8.5-10.5 s, silence to 12 s.
void write_two_voices(const fs::path &path) {
    const int rate = 16000;
    std::vector<std::int16_t> samples(static_cast<std::size_t>(12 * rate), 0);
    auto voice = [&](double from, double to, std::initializer_list<double> harmonics) {
        for (auto i = static_cast<std::size_t>(from * rate); i < static_cast<std::size_t>(to * rate); ++i) {
            const double t = static_cast<double>(i) / rate;
            double value = 0;
            for (double frequency : harmonics) value += std::sin(2 * M_PI * frequency * t);
            const double syllables = 0.75 + 0.25 * std::sin(2 * M_PI * 4 * t);  // a speech-like 4 Hz envelope
            samples[i] = static_cast<std::int16_t>(8000 * syllables * value / static_cast<double>(harmonics.size()));
        }
    };
    voice(0.5, 3.5, {200, 400, 600});
    voice(4.5, 7.5, {1500, 3000});
    voice(8.5, 10.5, {200, 400, 600});
    sdk::write_wav_pcm16(path, samples.data(), samples.size(), rate);
}

json segment(int id, int start, int end, const std::string &text) {
    return {{"id", id}, {"start", start}, {"end", end}, {"text", text}, {"speaker", nullptr}};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(diarization_contract, ContractFixture)

BOOST_AUTO_TEST_CASE(labels_each_segment_by_the_voice_that_speaks_it) {
    write_two_voices(dir / "speech.wav");
    const json track = {{"language", "en"},
                        {"segments",
                         {segment(1, 400, 3600, "one"), segment(2, 4400, 7600, "two"), segment(3, 8400, 10600, "three"),
                          segment(4, 11000, 11500, "after the talk")}}};
    json job = {{"item_id", "item1"},
                {"params", json::object()},
                {"inputs", {{"speech", (dir / "speech.wav").string()}, {"track", track}}},
                {"outputs", {{"diarization", (dir / "diarize/diarization.json").string()}}}};
    const json result = run("diarization", job, {});
    BOOST_TEST(result["speakers"] == 2);
    const json diarization = read_json_file(dir / "diarize/diarization.json");
    BOOST_TEST(diarization["backend"] == "resemblyzer");
    BOOST_TEST(diarization["item_id"] == "item1");
    BOOST_TEST_REQUIRE(diarization["turns"].size() == 3u, diarization.dump());
    const std::vector<std::pair<int, int>> truth = {{500, 3500}, {4500, 7500}, {8500, 10500}};
    for (std::size_t i = 0; i < truth.size(); ++i) {
        BOOST_TEST(std::abs(diarization["turns"][i]["start"].get<int>() - truth[i].first) <= 100, diarization["turns"][i].dump());
        BOOST_TEST(std::abs(diarization["turns"][i]["end"].get<int>() - truth[i].second) <= 100, diarization["turns"][i].dump());
    }
    const json labelled = read_json_file(dir / "diarize/diarized_track.json");
    BOOST_TEST(result["outputs"]["track"] == (dir / "diarize/diarized_track.json").string());
    const std::vector<std::string> expected = {"SPEAKER_0", "SPEAKER_1", "SPEAKER_0", "SPEAKER_0"};  // the last by nearness
    for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST(labelled["segments"][i]["speaker"] == expected[i]);
    BOOST_TEST(labelled["segments"][1]["text"] == "two");

    job["params"] = {{"speakers", 1}};
    BOOST_TEST(run("diarization", job, {})["speakers"] == 1);
    job["params"] = {{"vad_mode", 7}};
    const auto bad = failure("diarization", job, {});
    BOOST_TEST(bad.status() == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(bad.hint() == "pass --param vad_mode=2");
}

BOOST_AUTO_TEST_CASE(silence_gives_no_turns_and_leaves_speakers_unset) {
    std::vector<std::int16_t> silence(16000 * 3, 0);
    sdk::write_wav_pcm16(dir / "speech.wav", silence.data(), silence.size(), 16000);
    const json job = {
        {"params", json::object()},
        {"inputs", {{"speech", (dir / "speech.wav").string()}, {"track", {{"segments", {segment(1, 0, 1000, "hm")}}}}}},
        {"outputs", {{"diarization", (dir / "diarization.json").string()}}}};
    BOOST_TEST(run("diarization", job, {})["speakers"] == 0);
    BOOST_TEST(read_json_file(dir / "diarized_track.json")["segments"][0]["speaker"].is_null());
}

BOOST_AUTO_TEST_CASE(the_pyannote_engine_needs_its_extra_and_names_speakers_by_first_appearance) {
    write_two_voices(dir / "speech.wav");
    json job = {{"params", {{"engine", "pyannote"}}},
                {"inputs",
                 {{"speech", (dir / "speech.wav").string()},
                  {"track", {{"segments", {segment(1, 400, 3600, "one"), segment(2, 4400, 7600, "two")}}}}}},
                {"outputs", {{"diarization", (dir / "diarization.json").string()}}}};
    const auto missing = failure("diarization", job, {{"PYANNOTE_PIPELINE", (dir / "absent").string()}});
    BOOST_TEST(missing.status() == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(missing.hint().find("dubhost pack install diarization --extra pyannote") != std::string::npos, missing.hint());

    // A folder pyannote cannot load from: without its config the real library raises FileNotFoundError,
    // with a config it cannot use it returns None; neither may pass unnoticed.
    const fs::path pipeline = dir / "pyannote";
    fs::create_directories(pipeline);
    const std::map<std::string, std::string> environment = {{"PYANNOTE_PIPELINE", pipeline.string()}};
    const auto no_config = failure("diarization", job, environment);
    BOOST_TEST(no_config.code() == "pyannote-load-failed");
    BOOST_TEST(std::string(no_config.what()).find("config.yaml") != std::string::npos, no_config.what());
    test::write_file(pipeline / "config.yaml", "");
    BOOST_TEST(failure("diarization", job, environment).code() == "pyannote-load-failed");

    test::write_file(pipeline / "config.yaml", "pipeline: contract\n");
    test::write_file(pipeline / "contract_turns.json",
                     "[[0.5, 3.5, \"SPEAKER_07\"], [4.5, 7.5, \"SPEAKER_02\"], [3.6, 3.9, \"SPEAKER_07\"]]");
    const json result = run("diarization", job, environment);
    BOOST_TEST(result["engine"] == "pyannote");
    BOOST_TEST(result["speakers"] == 2);
    const json diarization = read_json_file(dir / "diarization.json");
    BOOST_TEST_REQUIRE(diarization["turns"].size() == 2u, diarization.dump());  // the 3.6 s turn merged into the first
    BOOST_TEST(diarization["turns"][0]["end"] == 3900);
    BOOST_TEST(diarization["turns"][1]["speaker"] == "SPEAKER_1");
    const json labelled = read_json_file(dir / "diarized_track.json");
    BOOST_TEST(labelled["segments"][0]["speaker"] == "SPEAKER_0");
    BOOST_TEST(labelled["segments"][1]["speaker"] == "SPEAKER_1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(pyttsx3_contract, ContractFixture)

BOOST_AUTO_TEST_CASE(speaks_each_segment_with_distinct_voices_per_speaker) {
    fs::create_directories(dir / "tts/segments");
    test::write_file(dir / "tts/segments/99.wav", "from an earlier run");
    json spoken = json::array({segment(1, 0, 2000, "Hello there."), segment(2, 2500, 4000, "General Kenobi!"),
                               segment(3, 4500, 5000, "   "), segment(4, 5200, 7000, "You are a bold one.")});
    spoken[0]["speaker"] = "SPEAKER_0";
    spoken[1]["speaker"] = "SPEAKER_1";
    spoken[3]["speaker"] = "SPEAKER_0";
    const json job = {{"params", {{"rate", 180}}},
                      {"inputs", {{"track", {{"language", "en"}, {"segments", spoken}}}, {"voice_map", json::object()}}},
                      {"outputs", {{"dir", (dir / "tts").string()}}}};
    const json result = run("pyttsx3", job, {});
    const json manifest = read_json_file(dir / "tts/manifest.json");
    BOOST_TEST(manifest["backend"] == "pyttsx3");
    BOOST_TEST_REQUIRE(manifest["segments"].size() == 3u);
    BOOST_TEST(manifest["skipped"][0]["segment_id"] == 3);
    BOOST_TEST(manifest["voice_map"]["SPEAKER_0"] != manifest["voice_map"]["SPEAKER_1"]);
    BOOST_TEST(manifest["voice_map"] == result["voice_map"]);
    for (const auto &entry : manifest["segments"]) {
        const fs::path wav = entry["path"].get<std::string>();
        const auto samples = sdk::read_wav_pcm16(wav, manifest["sample_rate"].get<int>(), 1);
        const double seconds = static_cast<double>(samples.size()) / manifest["sample_rate"].get<double>();
        BOOST_TEST(std::abs(seconds * 1000 - entry["duration"].get<double>()) <= 1.0);
        BOOST_TEST(entry["duration"].get<int>() > 300);
    }
    BOOST_TEST(!fs::exists(dir / "tts/segments/99.wav"));  // stale
    BOOST_TEST(!fs::exists(dir / "tts/segments/3.wav"));
    BOOST_TEST(log_text().find("Audio saved to") != std::string::npos);  // stdout went to the log, not the protocol
}

BOOST_AUTO_TEST_CASE(a_chosen_voice_is_used_and_an_unknown_one_refused) {
    json spoken = json::array({segment(1, 0, 2000, "Hello.")});
    spoken[0]["speaker"] = "SPEAKER_0";
    json job = {{"params", json::object()},
                {"inputs", {{"track", {{"language", "en"}, {"segments", spoken}}}, {"voice_map", {{"SPEAKER_0", "gmw/en-US"}}}}},
                {"outputs", {{"dir", (dir / "tts").string()}}}};
    // Ids as the espeak-ng backend writes them, matched to the library's lower-cased ones, variants kept.
    BOOST_TEST(run("pyttsx3", job, {})["voice_map"]["SPEAKER_0"] == "gmw/en-us");
    job["inputs"]["voice_map"]["SPEAKER_0"] = "gmw/en-US+m3";
    BOOST_TEST(run("pyttsx3", job, {})["voice_map"]["SPEAKER_0"] == "gmw/en-us+m3");
    for (const char *unknown : {"nobody", "gmw/en+no-such-variant"}) {
        job["inputs"]["voice_map"]["SPEAKER_0"] = unknown;
        const auto error = failure("pyttsx3", job, {});
        BOOST_TEST(error.status() == DUBHOST_STATUS_BAD_REQUEST);
        BOOST_TEST(error.code() == "unknown-voice");
        BOOST_TEST(error.hint().find("gmw/en") != std::string::npos, error.hint());
    }
}

// A segment that never finishes (pyttsx3 #194): the watchdog fails the job with tts-hung in about
// segment_timeout, and no half-written segment is left.
BOOST_AUTO_TEST_CASE(a_hung_segment_fails_the_job_within_its_timeout) {
    const json job = {
        {"params", {{"segment_timeout", 1}}},
        {"inputs",
         {{"track",
           {{"language", "en"}, {"segments", {segment(1, 0, 2000, "Hello."), segment(2, 2500, 4000, "contract: hang")}}}},
          {"voice_map", json::object()}}},
        {"outputs", {{"dir", (dir / "tts").string()}}}};
    const auto started = std::chrono::steady_clock::now();
    const auto error = failure("pyttsx3", job, {});
    BOOST_TEST(error.code() == "tts-hung");
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(20)));
    BOOST_TEST(!fs::exists(dir / "tts/segments/2.wav.part"));
    BOOST_TEST(!fs::exists(dir / "tts/segments/2.wav"));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

json word(double start, double end, const std::string &text) { return {{"start", start}, {"end", end}, {"word", text}}; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(whisper_contract, ContractFixture)

BOOST_AUTO_TEST_CASE(segments_come_from_word_timestamps_and_long_ones_split_at_the_widest_pause) {
    const fs::path model = dir / "models/faster-whisper-small";
    fs::create_directories(model);
    test::write_file(model / "model.bin", "weights");
    json long_segment = json::array();
    for (int i = 0; i < 6; ++i) long_segment.push_back(word(2.0 + i, 2.6 + i, " w" + std::to_string(i)));
    for (int i = 0; i < 4; ++i) long_segment.push_back(word(9.5 + i, 10.1 + i, " v" + std::to_string(i)));  // pause 7.6-9.5
    test::write_file(
        model / "contract_transcript.json",
        json{{"language", "en"},
             {"segments", {{{"words", {word(0.0, 0.4, " Hello"), word(0.5, 0.9, " world.")}}}, {{"words", long_segment}}}}}
            .dump());
    test::write_wav_tone(dir / "speech.wav", 16000, 14.0, 300);
    json job = {{"params", json::object()},
                {"inputs", {{"speech", (dir / "speech.wav").string()}}},
                {"outputs", {{"dir", (dir / "asr/whisper").string()}}}};
    const std::map<std::string, std::string> environment = {{"WHISPER_MODELS", (dir / "models").string()},
                                                            {"HF_HUB_OFFLINE", "1"}};
    const json result = run("whisper", job, environment);
    BOOST_TEST(result["segments"] == 3);
    const json track = read_json_file(dir / "asr/whisper/track.json");
    BOOST_TEST(track["created_by"] == "asr:whisper");
    BOOST_TEST(track["kind"] == "source");
    BOOST_TEST(track["language"] == "en");
    BOOST_TEST(track["segments"][0]["text"] == "Hello world.");
    BOOST_TEST(track["segments"][0]["end"] == 900);
    BOOST_TEST(track["segments"][1]["text"] == "w0 w1 w2 w3 w4 w5");
    BOOST_TEST(track["segments"][1]["end"] == 7600);
    BOOST_TEST(track["segments"][2]["start"] == 9500);
    BOOST_TEST(track["segments"][2]["id"] == 3);
    BOOST_TEST(read_json_file(dir / "asr/whisper/raw.json")["segments"].size() == 2u);

    job["params"] = {{"model", "medium"}};
    const auto missing = failure("whisper", job, environment);
    BOOST_TEST(missing.status() == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(missing.hint().rfind("run `dubhost pack install whisper --model medium`", 0) == 0, missing.hint());
    job["params"] = {{"model", "huge"}};
    BOOST_TEST(failure("whisper", job, environment).status() == DUBHOST_STATUS_BAD_REQUEST);
}

BOOST_AUTO_TEST_SUITE_END()
