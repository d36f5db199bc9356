// `dubhost run` through the CLI on the real sample video: the stage chain with the in-tree FFmpeg
// plugin and the SDK's example TTS backend (tones, a stand-in voice), prerequisites checked before
// any work with the exact next command, and up-to-date skipping with selective staleness.
#include <dubhost/support/process.hpp>

#include "support/media_files.hpp"
#include "support/spawned_process.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

const std::string sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";

struct PipelineWorkspace {
    TempDir dir{"dubhost-pipeline"};
    std::string item;

    PipelineWorkspace() {
        ::setenv("XDG_DATA_HOME", (dir / "data").c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
        ::setenv("DUBHOST_PLUGIN_PATH", DUBHOST_PIPELINE_PLUGIN_DIR, 1);
        item = ok({"import", sample_video, "--json"})["item_id"];
        dubhost::test::write_file(dir / "script.srt",
                                  "1\n00:00:00,500 --> 00:00:02,500\nHello: [everyone], it's a test; a\\b\n\n"
                                  "2\n00:00:03,000 --> 00:00:05,000\nSecond line\n");
        ok({"track", "import", item, (dir / "script.srt").string(), "--kind", "script", "--language", "en", "--json"});
    }
    ~PipelineWorkspace() { ::unsetenv("DUBHOST_PLUGIN_PATH"); }

    dubhost::ProcessResult dubhost(std::vector<std::string> args) {
        args.insert(args.begin(), {DUBHOST_BINARY, "--workspace", (dir / "ws").string()});
        return dubhost::run_process(args, std::chrono::seconds(120));
    }
    json ok(const std::vector<std::string> &args) {
        const auto result = dubhost(args);
        BOOST_TEST_REQUIRE(result.exit_code == 0, "dubhost failed: " + result.err);
        return json::parse(result.out);
    }
    // Runs a stage; returns whether it ran (false: up to date).
    bool stage(const std::vector<std::string> &args) {
        std::vector<std::string> full = {"run"};
        full.insert(full.end(), args.begin(), args.end());
        full.push_back("--json");
        const auto result = dubhost(full);
        BOOST_TEST_REQUIRE(result.exit_code == 0, "run failed: " + result.err);
        // Progress events are single JSON lines; the final document is the indented one.
        const json finished = json::parse(result.out.substr(result.out.find("{\n")));
        BOOST_TEST(finished["event"] == "finished");
        return !finished["skipped"].get<bool>();
    }
    std::string hint_of(const std::vector<std::string> &args, int expected_exit = 1) {
        const auto result = dubhost(args);
        BOOST_TEST(result.exit_code == expected_exit, result.err);
        return result.err;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pipeline, PipelineWorkspace)

BOOST_AUTO_TEST_CASE(missing_prerequisites_fail_before_any_work_with_the_next_command) {
    // A misspelt parameter name or a word where a number belongs is refused, not ignored.
    const std::string misspelt = hint_of({"run", "extract", item, "--param", "audio_strem=1"});
    BOOST_TEST(misspelt.find("the extract backend ffmpeg has no parameter 'audio_strem'") != std::string::npos, misspelt);
    BOOST_TEST(misspelt.find("its parameters are audio_stream (integer)") != std::string::npos, misspelt);
    const std::string word = hint_of({"run", "extract", item, "--param", "audio_stream=first"});
    BOOST_TEST(word.find("parameter 'audio_stream' of the extract backend ffmpeg must be an integer") != std::string::npos, word);
    BOOST_TEST(
        hint_of({"run", "mux", item}).find("no dub mix for item " + item + "\n  next: run `dubhost run mix " + item + "`") !=
        std::string::npos);
    BOOST_TEST(hint_of({"run", "mix", item})
                   .find("no background stem for item " + item + "\n  next: run `dubhost run separate " + item +
                         "` (or pass --background original)") != std::string::npos);
    BOOST_TEST(hint_of({"run", "mix", item, "--background", "original"}).find("run `dubhost run extract " + item + "`") !=
               std::string::npos);
    stage({"extract", item});
    BOOST_TEST(hint_of({"run", "mix", item, "--background", "original"}).find("run `dubhost run tts " + item + "`") !=
               std::string::npos);
    BOOST_TEST(hint_of({"run", "tts", item, "--backend", "no-such-voice"})
                   .find("installed tts backends here: flite, espeak-ng, example-tone") != std::string::npos);
    const std::string no_spleeter = hint_of({"run", "separate", item, "--backend", "spleeter"});
    BOOST_TEST(no_spleeter.find("installed separate backends here: native") != std::string::npos, no_spleeter);
    // With the test fixtures on the path: a diarizer, and a TTS backend whose runtime is missing.
    const std::string fixtures = DUBHOST_FIXTURE_DIR;
    dubhost::test::TempDir empty;
    const std::string bare_item =
        ok({"--plugin-path", fixtures, "import", "/usr/share/sounds/alsa/Front_Center.wav", "--json"})["item_id"];
    ok({"--plugin-path", fixtures, "run", "extract", bare_item, "--json"});
    BOOST_TEST(hint_of({"--plugin-path", fixtures, "run", "diarize", bare_item})
                   .find("item " + bare_item + " has no subtitle track for diarize\n  next: run `dubhost run asr " + bare_item +
                         "` or add one with `dubhost track import " + bare_item + " FILE.srt`") != std::string::npos);
    const std::string missing_pack = hint_of({"--plugin-path", fixtures, "run", "tts", item, "--backend", "fixture-missing"});
    BOOST_TEST(missing_pack.find("the fixture-missing tts backend is not installed") != std::string::npos, missing_pack);
    BOOST_TEST(missing_pack.find("install with `dubhost pack install fixture`; installed tts backends here: flite, espeak-ng") !=
                   std::string::npos,
               missing_pack);
    // Nothing failed half-way: only the extract job exists.
    const auto jobs = ok({"jobs", item, "--json"})["jobs"];
    BOOST_TEST(jobs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(diarization_labels_a_copy_of_the_script_that_tts_then_speaks) {
    const std::string fixtures = DUBHOST_FIXTURE_DIR;
    stage({"extract", item});
    const auto result = dubhost({"--plugin-path", fixtures, "run", "diarize", item, "--backend", "fixture-labels", "--json"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    const auto tracks = ok({"tracks", item, "--json"})["tracks"];
    BOOST_TEST_REQUIRE(tracks.size() == 2u);
    BOOST_TEST(tracks[1]["created_by"] == "diarize:fixture-labels");
    BOOST_TEST(tracks[1]["kind"] == "script");  // it labels the script, so it stays the text to speak
    BOOST_TEST(tracks[1]["segments"][0]["speaker"] == "SPEAKER_1");
    BOOST_TEST(ok({"speakers", item, "--json"})["speakers"][0]["label"] == "SPEAKER_1");
}

// The SDK's plain-C example (sdk/examples/single-speaker-c) as a real diarize backend.
BOOST_AUTO_TEST_CASE(the_c_example_plugin_labels_every_segment_with_one_speaker) {
    stage({"extract", item});
    const auto bad = dubhost({"run", "diarize", item, "--backend", "single-speaker", "--param", "merge_gap_ms=-5"});
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST(bad.err.find("merge_gap_ms must not be negative") != std::string::npos, bad.err);
    BOOST_TEST(bad.err.find("--param merge_gap_ms=300") != std::string::npos, bad.err);

    BOOST_TEST(
        stage({"diarize", item, "--backend", "single-speaker", "--param", "speaker=Narrator", "--param", "merge_gap_ms=600"}));
    const auto tracks = ok({"tracks", item, "--json"})["tracks"];
    BOOST_TEST_REQUIRE(tracks.size() == 2u);
    BOOST_TEST(tracks[1]["created_by"] == "diarize:single-speaker");
    for (const auto &segment : tracks[1]["segments"]) BOOST_TEST(segment["speaker"] == "Narrator");
    const json diarization =
        json::parse(dubhost::test::read_file(dir / "ws" / "derived" / "items" / item / "diarize" / "diarization.json"));
    BOOST_TEST(diarization["speakers"] == json::array({"Narrator"}));
    // The script's cues are 500 ms apart: within 600 ms they are one turn, 0.5 s to 5 s.
    BOOST_TEST_REQUIRE(diarization["turns"].size() == 1u, diarization.dump());
    BOOST_TEST(diarization["turns"][0]["start"] == 500);
    BOOST_TEST(diarization["turns"][0]["end"] == 5000);
    const std::string script = std::to_string(tracks[0]["id"].get<std::int64_t>());
    BOOST_TEST(!stage({"diarize", item, "--track", script, "--backend", "single-speaker", "--param", "speaker=Narrator",
                       "--param", "merge_gap_ms=600"}));  // the same script again: up to date
}

BOOST_AUTO_TEST_CASE(the_chain_runs_and_reruns_only_what_is_stale) {
    BOOST_TEST(stage({"extract", item}));
    BOOST_TEST(stage({"tts", item, "--backend", "example-tone"}));
    BOOST_TEST(stage({"mix", item, "--background", "original"}));
    BOOST_TEST(stage({"mux", item, "--param", "dub_language=en"}));
    const fs::path output = dir / "ws" / "derived" / "items" / item / "dub_preview" / "mux_dub_preview_v1.mp4";
    BOOST_TEST_REQUIRE(fs::exists(output));
    const auto probe = dubhost::run_process({"ffprobe", "-v", "error", "-show_streams", "-of", "json", output.string()},
                                            std::chrono::seconds(30));
    const auto streams = json::parse(probe.out)["streams"];
    BOOST_TEST_REQUIRE(streams.size() == 4u);
    BOOST_TEST(streams[1]["tags"]["language"] == "eng");
    BOOST_TEST(streams[3]["codec_name"] == "mov_text");

    // Nothing changed: every stage is up to date.
    for (const auto &args : std::vector<std::vector<std::string>>{{"extract", item},
                                                                  {"tts", item, "--backend", "example-tone"},
                                                                  {"mix", item, "--background", "original"},
                                                                  {"mux", item, "--param", "dub_language=en"}})
        BOOST_TEST(!stage(args));
    // A changed script (an edited track) makes tts, mix and mux stale, and only those.
    dubhost::test::write_file(dir / "edited.srt", "1\n00:00:00,500 --> 00:00:02,500\nHello again\n");
    ok({"track", "import", item, (dir / "edited.srt").string(), "--kind", "script", "--language", "en", "--json"});
    BOOST_TEST(!stage({"extract", item}));
    BOOST_TEST(stage({"tts", item, "--backend", "example-tone"}));
    BOOST_TEST(stage({"mix", item, "--background", "original"}));
    BOOST_TEST(stage({"mux", item, "--param", "dub_language=en"}));
    // --force runs an up-to-date stage again.
    BOOST_TEST(stage({"extract", item, "--force"}));

    const auto jobs = ok({"jobs", item, "--json"})["jobs"];
    BOOST_TEST(jobs.size() == 8u);
    const auto first = ok({"job", "1", "--json"});
    BOOST_TEST(first["status"] == "succeeded");
    BOOST_TEST(first["outputs"].size() == 2u);
    BOOST_TEST(first["inputs"][0]["sha256"].get<std::string>().substr(0, 16) == item);
    BOOST_TEST(fs::exists(first["log"].get<std::string>()));
}

BOOST_AUTO_TEST_CASE(a_failing_stage_is_recorded_with_its_error_and_hint) {
    const auto failed = dubhost({"run", "tts", item, "--backend", "example-tone", "--param", "frequency_hz=99999"});
    BOOST_TEST(failed.exit_code == 1, failed.err);  // the backend refused a bad parameter: the user's to fix
    BOOST_TEST(failed.err.find("frequency_hz must be between") != std::string::npos);
    BOOST_TEST(failed.err.find("pass --param frequency_hz=440") != std::string::npos);
    const auto jobs = ok({"jobs", item, "--json"})["jobs"];
    BOOST_TEST_REQUIRE(jobs.size() == 1u);
    BOOST_TEST(jobs[0]["status"] == "failed");
    BOOST_TEST(jobs[0]["error"]["code"] == "bad-parameter");
    BOOST_TEST(jobs[0]["params"]["frequency_hz"] == 99999);
    BOOST_TEST(!fs::exists(dir / "ws" / "derived" / "items" / item / "tts_preview" / "example-tone_v1" / "manifest.json"));
}

namespace {

// A long item (6 minutes of tone) with a spoken track, ready to mix: mixing it takes seconds,
// long enough to interrupt on purpose.
std::string long_item_ready_to_mix(PipelineWorkspace &w) {
    dubhost::test::write_wav_tone(w.dir / "long.wav", 48000, 360, 220);
    const std::string id = w.ok({"import", (w.dir / "long.wav").string(), "--json"})["item_id"];
    dubhost::test::write_file(w.dir / "long.srt",
                              "1\n00:00:01,000 --> 00:00:03,000\nOne.\n\n2\n00:05:00,000 --> 00:05:02,000\nTwo.\n");
    w.ok({"track", "import", id, (w.dir / "long.srt").string(), "--kind", "script", "--language", "en", "--json"});
    w.stage({"extract", id});
    w.stage({"tts", id});
    return id;
}

bool mixing_under_way(const std::string &out) {
    return out.find("\"message\":\"mixing\"") != std::string::npos && out.find("\"fraction\":0.1") != std::string::npos;
}

bool has_partial(const fs::path &folder) {
    for (const auto &entry : fs::recursive_directory_iterator(folder))
        if (entry.path().extension() == ".part") return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_killed_mix_is_marked_interrupted_and_reruns_cleanly) {
    const std::string id = long_item_ready_to_mix(*this);
    const fs::path dub_preview = dir / "ws" / "derived" / "items" / id / "dub_preview";
    dubhost::test::SpawnedProcess mix(
        {DUBHOST_BINARY, "--workspace", (dir / "ws").string(), "run", "mix", id, "--background", "original", "--json"},
        dir / "mix.out");
    BOOST_TEST_REQUIRE(mix.wait_for_output(mixing_under_way, std::chrono::seconds(60)));
    mix.signal(SIGKILL);
    mix.wait();
    BOOST_TEST(!fs::exists(dub_preview / "mix_dub_preview_v1.wav"));               // never a half mix under the real name
    BOOST_TEST(ok({"jobs", id, "--json"})["jobs"].back()["status"] == "running");  // its process died mid-job

    BOOST_TEST(stage({"mix", id, "--background", "original"}));  // the next start notices and re-runs
    const auto jobs = ok({"jobs", id, "--json"})["jobs"];
    BOOST_TEST(jobs[jobs.size() - 2]["status"] == "interrupted");
    BOOST_TEST(jobs.back()["status"] == "succeeded");
    BOOST_TEST(fs::exists(dub_preview / "mix_dub_preview_v1.wav"));
    BOOST_TEST(!has_partial(dir / "ws" / "derived"));
}

BOOST_AUTO_TEST_CASE(ctrl_c_cancels_a_mix_cleanly) {
    const std::string id = long_item_ready_to_mix(*this);
    dubhost::test::SpawnedProcess mix(
        {DUBHOST_BINARY, "--workspace", (dir / "ws").string(), "run", "mix", id, "--background", "original", "--json"},
        dir / "mix.out");
    BOOST_TEST_REQUIRE(mix.wait_for_output(mixing_under_way, std::chrono::seconds(60)));
    mix.signal(SIGINT);
    const int status = mix.wait();
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 2);
    const auto last = ok({"jobs", id, "--json"})["jobs"].back();
    BOOST_TEST(last["status"] == "cancelled");
    BOOST_TEST(last["error"]["code"] == "cancelled");
    BOOST_TEST(!fs::exists(dir / "ws" / "derived" / "items" / id / "dub_preview" / "mix_dub_preview_v1.wav"));
    BOOST_TEST(!has_partial(dir / "ws" / "derived"));
}

BOOST_AUTO_TEST_CASE(qc_reports_what_to_fix_before_publishing) {
    dubhost::test::write_file(
        dir / "source.srt",
        "1\n00:00:00,500 --> 00:00:02,000\nBonjour tout le monde\n\n2\n00:00:03,000 --> 00:00:04,000\nMerci\n");
    ok({"track", "import", item, (dir / "source.srt").string(), "--kind", "source", "--language", "fr", "--json"});
    dubhost::test::write_file(dir / "script.vtt",
                              "WEBVTT\n\n00:00.500 --> 00:02.000\n<v Ann>Hello everyone\n\n"
                              "00:01.800 --> 00:02.800\n<v Bob>This sentence is far too long for one second of screen time.\n\n"
                              "00:03.000 --> 00:04.000\n<v Ann>Merci\n");
    ok({"track", "import", item, (dir / "script.vtt").string(), "--kind", "script", "--language", "en", "--json"});
    BOOST_TEST(dubhost({"speakers", "set", item, "Ann", "--voice", "gmw/en+f3"}).exit_code == 0);
    stage({"extract", item});
    stage({"tts", item});
    stage({"mix", item, "--background", "original"});
    const json report = ok({"qc", item, "--json"});
    std::map<std::string, int> kinds;
    for (const auto &issue : report["issues"]) ++kinds[issue["kind"]];
    BOOST_TEST(kinds["reading-speed"] >= 1);
    BOOST_TEST(kinds["overlap"] == 1);
    BOOST_TEST(kinds["untranslated"] == 1);           // "Merci" in the script is the source's text
    BOOST_TEST(kinds["speaker-without-voice"] == 1);  // Bob; Ann has a chosen voice
    BOOST_TEST(report["mix"]["loudness_ok"] == true);
    BOOST_TEST(report["mix"]["clipping"] == false);
    BOOST_TEST(fs::exists(dir / "ws" / "derived" / "items" / item / "qc" / "report.json"));
}

BOOST_AUTO_TEST_CASE(backends_set_writes_the_machine_profile) {
    BOOST_TEST(dubhost({"backends", "set", "tts", "example-tone"}).exit_code == 0);
    const auto backends = ok({"backends", "--json"})["backends"];
    for (const auto &choice : backends)
        if (choice["capability"] == "tts") {
            BOOST_TEST(choice["selected"] == "example-tone");
            BOOST_TEST(choice["reason"].get<std::string>().find("machine profile") != std::string::npos);
        }
    BOOST_TEST(dubhost({"backends", "set", "tts", "no-such"}).exit_code == 1);
}

BOOST_AUTO_TEST_CASE(dub_runs_the_whole_graph_and_a_rerun_is_nearly_free) {
    const fs::path script = fs::path(DUBHOST_SOURCE_DIR) / "packaging" / "sample" / "movie-hello.script.srt";
    const fs::path output = dir / "out" / "hello.dub.mp4";
    const auto first = dubhost({"dub", sample_video, "--subtitles", script.string(), "--language", "en", "-o", output.string()});
    BOOST_TEST_REQUIRE(first.exit_code == 0, first.err);
    BOOST_TEST(first.out.substr(first.out.rfind('\n', first.out.size() - 2) + 1) ==
               output.string() + "\n");                                   // the path comes last
    BOOST_TEST(first.out.find("separate  native") != std::string::npos);  // the default chain separates natively
    const auto probe = dubhost::run_process({"ffprobe", "-v", "error", "-show_streams", "-of", "json", output.string()},
                                            std::chrono::seconds(30));
    const auto streams = json::parse(probe.out)["streams"];
    BOOST_TEST_REQUIRE(streams.size() == 4u);
    BOOST_TEST(streams[0]["codec_type"] == "video");
    BOOST_TEST(streams[1]["codec_type"] == "audio");
    BOOST_TEST(streams[2]["codec_type"] == "audio");
    BOOST_TEST(streams[3]["codec_name"] == "mov_text");

    const auto again =
        dubhost({"dub", sample_video, "--subtitles", script.string(), "--language", "en", "-o", output.string(), "--json"});
    BOOST_TEST_REQUIRE(again.exit_code == 0, again.err);
    const json summary = json::parse(again.out.substr(again.out.find("{\n")));
    for (const auto &stage : summary["stages"])
        if (!stage["backend"].get<std::string>().empty()) BOOST_TEST(stage["skipped"] == true, stage["stage"]);
    BOOST_TEST(summary["output"] == output.string());
}

namespace {

json stage_of(const json &summary, const std::string &name) {
    for (const auto &stage : summary["stages"])
        if (stage["stage"] == name) return stage;
    BOOST_FAIL("no stage " + name + " in the dub summary");
    return {};
}

json finished_document(const dubhost::ProcessResult &result) { return json::parse(result.out.substr(result.out.find("{\n"))); }

}  // namespace

// --to: the script is translated into a track linked to it, spoken in Spanish (a speaker's chosen
// English voice keeps its variant in Spanish), and muxed with the dub (default, spa), the original
// audio (eng) and subtitles in both languages (Spanish default).
BOOST_AUTO_TEST_CASE(dub_to_spanish_keeps_the_original_and_both_subtitle_languages) {
    const fs::path script = fs::path(DUBHOST_SOURCE_DIR) / "packaging" / "sample" / "movie-hello.script.srt";
    BOOST_TEST(dubhost({"speakers", "set", item, "SPEAKER_1", "--voice", "gmw/en+f3"}).exit_code == 0);
    const fs::path output = dir / "out" / "hello.es.mp4";
    const auto result = dubhost({"dub", sample_video, "--subtitles", script.string(), "--language", "en", "--to", "es",
                                 "--backend", "tts=espeak-ng", "-o", output.string(), "--json"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    const json summary = finished_document(result);
    BOOST_TEST(stage_of(summary, "translate")["backend"] == "apertium");
    const auto probe = dubhost::run_process({"ffprobe", "-v", "error", "-show_streams", "-of", "json", output.string()},
                                            std::chrono::seconds(30));
    const auto streams = json::parse(probe.out)["streams"];
    BOOST_TEST_REQUIRE(streams.size() == 5u);
    auto described = [&streams](std::size_t i) {
        return streams[i]["codec_type"].get<std::string>() + ":" + streams[i]["tags"].value("language", "") + ":" +
               std::to_string(streams[i]["disposition"]["default"].get<int>());
    };
    BOOST_TEST(described(1) == "audio:spa:1");  // the dub
    BOOST_TEST(described(2) == "audio:eng:0");  // the original, kept
    BOOST_TEST(described(3) == "subtitle:spa:1");
    BOOST_TEST(described(4) == "subtitle:eng:0");

    const auto tracks = ok({"tracks", item, "--json"})["tracks"];
    const json translation = tracks.back();
    BOOST_TEST(translation["kind"] == "translation");
    BOOST_TEST(translation["language"] == "es");
    BOOST_TEST(translation["created_by"] == "translate:apertium");
    const json original = ok({"tracks", item, "--json"})["tracks"][tracks.size() - 2];
    BOOST_TEST(translation["source_track"] == original["id"]);
    BOOST_TEST_REQUIRE(translation["segments"].size() == 3u);
    BOOST_TEST(translation["segments"][0]["text"].get<std::string>().find("Hola") != std::string::npos);
    for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(translation["segments"][i]["start"] == original["segments"][i]["start"]);

    const json jobs = ok({"jobs", item, "--json"});
    json tts;
    for (const auto &job : jobs["jobs"])
        if (job["stage"] == "tts") tts = ok({"job", std::to_string(job["id"].get<std::int64_t>()), "--json"})["result"];
    const std::string voice = tts["voice_map"].value("SPEAKER_1", "");
    BOOST_TEST(voice.rfind("gmw/en", 0) != 0u, voice);  // not an English voice reading Spanish
    BOOST_TEST(voice.size() > 3u);
    BOOST_TEST(voice.substr(voice.size() - 3) == "+f3", voice);
    BOOST_TEST(tts["voice_changes"].size() == 1u);
}

// The re-dub measure of issue 15: 40 lines, one edited with `track set-text`, and the second tts
// job speaks that one line (synthesized 1, reused 39) in under a quarter of the first one's time
// (the backend's own time speaking the track; the stage's wall time, which adds the backend status
// checks and the worker's start, is printed beside it).
BOOST_AUTO_TEST_CASE(a_one_line_edit_re_dubs_only_that_line) {
    const fs::path clip = dir / "talk.mp4";  // the sample looped to 48 s: room for 40 lines
    BOOST_TEST_REQUIRE(dubhost::run_process(
                           {"ffmpeg", "-v", "error", "-y", "-stream_loop", "5", "-i", sample_video, "-c", "copy", clip.string()},
                           std::chrono::seconds(60))
                           .succeeded());
    // 40 different lines (the same line twice would be spoken once and reused).
    const char *subjects[] = {"The old man", "My sister",   "The children", "Our teacher",
                              "The doctor",  "Your friend", "The driver",   "A young woman"};
    const char *actions[] = {"walks to the market every morning.", "reads a long book in the garden.",
                             "buys fresh bread at the station.", "writes a letter to the mayor.",
                             "cooks dinner for the whole family."};
    std::string srt;
    for (int i = 0; i < 40; ++i) {
        char cue[200];
        std::snprintf(cue, sizeof cue, "%d\n00:00:%02d,%03d --> 00:00:%02d,%03d\n%s %s\n\n", i + 1, (i * 1150) / 1000,
                      (i * 1150) % 1000, (i * 1150 + 1000) / 1000, (i * 1150 + 1000) % 1000, subjects[i % 8], actions[i / 8]);
        srt += cue;
    }
    dubhost::test::write_file(dir / "talk.en.srt", srt);
    const std::vector<std::string> dub = {"dub",          clip.string(),
                                          "--subtitles",  (dir / "talk.en.srt").string(),
                                          "--language",   "en",
                                          "--to",         "es",
                                          "--background", "original",
                                          "--backend",    "tts=espeak-ng",
                                          "-o",           (dir / "talk.es.mp4").string(),
                                          "--json"};
    const auto first = dubhost(dub);
    BOOST_TEST_REQUIRE(first.exit_code == 0, first.err);
    const json first_tts = stage_of(finished_document(first), "tts");
    const std::string clip_item = finished_document(first)["item_id"];

    auto last_tts_result = [&] {
        json last;
        const json jobs = ok({"jobs", clip_item, "--json"});
        for (const auto &job : jobs["jobs"])
            if (job["stage"] == "tts") last = job;
        return ok({"job", std::to_string(last["id"].get<std::int64_t>()), "--json"})["result"];
    };
    const json first_result = last_tts_result();
    BOOST_TEST(first_result["synthesized"] == 40);
    BOOST_TEST(first_result["reused"] == 0);

    const json translation = ok({"tracks", clip_item, "--json"})["tracks"].back();
    BOOST_TEST_REQUIRE(translation["kind"] == "translation");
    const std::string segment = std::to_string(translation["segments"][17]["id"].get<std::int64_t>());
    BOOST_TEST(dubhost({"track", "set-text", std::to_string(translation["id"].get<std::int64_t>()), segment,
                        "El tren sale de la estación a las diez."})
                   .exit_code == 0);

    const auto again = dubhost(dub);
    BOOST_TEST_REQUIRE(again.exit_code == 0, again.err);
    const json summary = finished_document(again);
    BOOST_TEST(stage_of(summary, "translate")["skipped"] == true);  // the source did not change
    const json second_tts = stage_of(summary, "tts");
    BOOST_TEST(second_tts["skipped"] == false);
    const json second_result = last_tts_result();
    BOOST_TEST(second_result["synthesized"] == 1);
    BOOST_TEST(second_result["reused"] == 39);
    const double ratio = second_result["seconds"].get<double>() / first_result["seconds"].get<double>();
    BOOST_TEST_MESSAGE("tts after a one-line edit: " << second_result["seconds"] << " s, first " << first_result["seconds"]
                                                     << " s (" << ratio * 100 << "%); the stage's wall time "
                                                     << second_tts["seconds"] << " s, first " << first_tts["seconds"] << " s");
    BOOST_TEST(ratio < 0.25);
}

// Bad --to input stops the dub before any stage runs, naming the problem and the fix.
BOOST_AUTO_TEST_CASE(a_bad_target_language_stops_the_dub_before_any_work) {
    const fs::path script = fs::path(DUBHOST_SOURCE_DIR) / "packaging" / "sample" / "movie-hello.script.srt";
    auto refused = [&](const std::string &to) {
        const auto result = dubhost({"dub", sample_video, "--subtitles", script.string(), "--language", "en", "--to", to, "-o",
                                     (dir / "never.mp4").string()});
        BOOST_TEST(result.exit_code == 1, to + ": " + result.err);
        return result.err;
    };
    BOOST_TEST(refused("xx").find("'xx' is not an ISO 639 language code") != std::string::npos);
    BOOST_TEST(refused("eng").find("already in English") != std::string::npos);
    const std::string catalan = refused("ca");
    BOOST_TEST(catalan.find("no translation from English to Catalan") != std::string::npos, catalan);
    BOOST_TEST(catalan.find("apt-get install apertium-eng-cat") != std::string::npos, catalan);
    BOOST_TEST(ok({"jobs", item, "--json"})["jobs"].empty());
    BOOST_TEST(!fs::exists(dir / "never.mp4"));
}

// `run translate` on its own: the target is required, the track must have text and a language.
BOOST_AUTO_TEST_CASE(run_translate_checks_its_languages_and_track_before_any_work) {
    BOOST_TEST(hint_of({"run", "translate", item}).find("--to LANGUAGE") != std::string::npos);
    BOOST_TEST(hint_of({"run", "translate", item, "--to", "en"}).find("already in English") != std::string::npos);
    BOOST_TEST(stage({"translate", item, "--to", "spa"}));
    BOOST_TEST(!stage({"translate", item, "--to", "es"}));  // the same language spelled another way: up to date
    BOOST_TEST(hint_of({"run", "translate", item, "--to", "xx"}).find("'xx' is not an ISO 639 language code") !=
               std::string::npos);
    const auto tracks = ok({"tracks", item, "--json"})["tracks"];
    BOOST_TEST(tracks.back()["language"] == "es");
    // A track whose only line was blanked has nothing to translate.
    const std::string script_id = std::to_string(tracks[0]["id"].get<std::int64_t>());
    for (const auto &segment : tracks[0]["segments"])
        BOOST_TEST(dubhost({"track", "set-text", script_id, std::to_string(segment["id"].get<std::int64_t>()), " "}).exit_code ==
                   0);
    BOOST_TEST(hint_of({"run", "translate", item, "--to", "es", "--track", script_id}).find("has no text to translate") !=
               std::string::npos);
    BOOST_TEST(hint_of({"track", "set-text", script_id, "999999", "x"}).find("has no segment 999999") != std::string::npos);
}

// qc on a translation: a track in another language than it claims is flagged "untranslated", a
// line emptied after translation "empty-translation", unknown words are listed; and a translate
// backend that loses a line fails its job and no track is stored.
BOOST_AUTO_TEST_CASE(qc_flags_what_a_translation_left_and_a_misaligned_one_is_refused) {
    dubhost::test::write_file(dir / "spanish.srt",
                              "1\n00:00:00,500 --> 00:00:02,500\nEl perro come la comida en la casa grande.\n\n"
                              "2\n00:00:03,000 --> 00:00:05,000\nMañana vamos a la playa con mis amigos.\n\n"
                              "3\n00:00:05,500 --> 00:00:07,500\nNo quiero trabajar hoy porque estoy cansado.\n");
    const json imported =
        ok({"track", "import", item, (dir / "spanish.srt").string(), "--kind", "script", "--language", "en", "--json"});
    const std::string claimed_english = std::to_string(imported["track_id"].get<std::int64_t>());
    BOOST_TEST(stage({"translate", item, "--to", "es", "--track", claimed_english}));
    const json translation = ok({"tracks", item, "--json"})["tracks"].back();
    BOOST_TEST_REQUIRE(translation["kind"] == "translation");
    const std::string translation_id = std::to_string(translation["id"].get<std::int64_t>());
    BOOST_TEST(
        dubhost({"track", "set-text", translation_id, std::to_string(translation["segments"][1]["id"].get<std::int64_t>()), " "})
            .exit_code == 0);
    const json report = ok({"qc", item, "--json"});
    BOOST_TEST(report["track_id"] == translation["id"]);
    std::map<std::string, int> kinds;
    for (const auto &issue : report["issues"]) ++kinds[issue["kind"]];
    BOOST_TEST(kinds["untranslated"] == 1);  // the track, not English as it claims
    BOOST_TEST(kinds["empty-translation"] == 1);
    BOOST_TEST(kinds["unknown-words"] >= 2);

    const std::size_t tracks_before = ok({"tracks", item, "--json"})["tracks"].size();
    const auto misaligned = dubhost({"--plugin-path", DUBHOST_FIXTURE_DIR, "run", "translate", item, "--to", "es", "--track",
                                     claimed_english, "--backend", "fixture-drops-a-line"});
    BOOST_TEST(misaligned.exit_code == 2, misaligned.err);
    BOOST_TEST(misaligned.err.find("has 2 segments, the original 3") != std::string::npos, misaligned.err);
    BOOST_TEST(ok({"tracks", item, "--json"})["tracks"].size() == tracks_before);
    const json jobs = ok({"jobs", item, "--json"});
    BOOST_TEST(jobs["jobs"].back()["status"] == "failed");
}

// A Theora video cannot be copied into an MP4: the dub says so before any stage runs and names the
// container that works, instead of failing at mux after all the work (issue 17).
BOOST_AUTO_TEST_CASE(a_video_the_output_container_cannot_carry_is_refused_before_any_work) {
    const std::string theora = "/usr/share/forensics-samples/original-files/movie2/movie-hello.ogg";
    const fs::path script = fs::path(DUBHOST_SOURCE_DIR) / "packaging" / "sample" / "movie-hello.script.srt";
    const auto refused =
        dubhost({"dub", theora, "--subtitles", script.string(), "--language", "en", "-o", (dir / "hello.mp4").string()});
    BOOST_TEST(refused.exit_code == 1, refused.err);
    BOOST_TEST(refused.err.find("is theora, which an mp4 file cannot carry") != std::string::npos, refused.err);
    BOOST_TEST(refused.err.find("-o NAME.mkv") != std::string::npos, refused.err);
    const json items = ok({"items", "--json"});
    for (const auto &imported : items["items"])
        if (imported["original_name"] == "movie-hello.ogg") {
            BOOST_TEST(ok({"jobs", imported["id"].get<std::string>(), "--json"})["jobs"].empty());
            BOOST_TEST(hint_of({"run", "mux", imported["id"].get<std::string>()}).find("cannot carry") != std::string::npos);
        }
    BOOST_TEST(!fs::exists(dir / "hello.mp4"));
}

// A script that runs past the video's end: the dub is as long as the video (within a frame), the
// cue after the end is cut with its speech, and the summary and qc name it; --keep-overrun keeps
// the old behaviour (issue 17).
BOOST_AUTO_TEST_CASE(a_dub_is_as_long_as_its_video_and_says_what_the_end_cut) {
    dubhost::test::write_file(dir / "late.srt",
                              "1\n00:00:01,000 --> 00:00:03,000\nHello there.\n\n"
                              "2\n00:00:07,500 --> 00:00:09,500\nThis one is cut at the end.\n\n"
                              "3\n00:00:09,000 --> 00:00:12,000\nThis line starts after the video ends.\n");
    auto duration = [](const fs::path &file) {
        const auto probe =
            dubhost::run_process({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file.string()},
                                 std::chrono::seconds(30));
        return std::stod(probe.out);
    };
    const double video = duration(sample_video);
    const fs::path output = dir / "late.mp4";
    const auto result = dubhost({"dub", sample_video, "--subtitles", (dir / "late.srt").string(), "--language", "en",
                                 "--background", "original", "-o", output.string(), "--json"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    BOOST_TEST(std::abs(duration(output) - video) < 0.05, duration(output) << " s against the video's " << video);
    const std::string note = stage_of(finished_document(result), "mux")["note"];
    BOOST_TEST(note.find("2 cue(s) past the video's end") != std::string::npos, note);
    const json report = ok({"qc", item, "--json"});
    std::map<std::string, int> severities;
    for (const auto &issue : report["issues"])
        if (issue["kind"] == "cut-at-end") ++severities[issue["severity"]];
    BOOST_TEST(severities["warning"] == 1);  // clipped: faded speech, shorter cue
    BOOST_TEST(severities["error"] == 1);    // after the end: neither heard nor shown

    // The same script with two cues run together reads the same, and the dub says what it repaired.
    std::string run_together = dubhost::test::read_file(dir / "late.srt");
    run_together.erase(run_together.find("\n\n3\n"), 1);
    dubhost::test::write_file(dir / "run-together.srt", run_together);
    const fs::path kept = dir / "kept.mp4";
    const auto keep = dubhost({"dub", sample_video, "--subtitles", (dir / "run-together.srt").string(), "--language", "en",
                               "--background", "original", "--keep-overrun", "-o", kept.string()});
    BOOST_TEST_REQUIRE(keep.exit_code == 0, keep.err);
    BOOST_TEST(keep.err.find("note: run-together.srt: line 8: a cue starts with no blank line before it; read it as a new cue") !=
                   std::string::npos,
               keep.err);
    BOOST_TEST(duration(kept) >= 11.9);
}

namespace {

// What ffprobe says of each stream of `file`: "codec_name codec_type duration", one per stream.
std::vector<std::string> streams_of(const fs::path &file) {
    const auto probe = dubhost::run_process({"ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,duration",
                                             "-of", "csv=p=0:s=\\ ", file.string()},
                                            std::chrono::seconds(30));
    BOOST_TEST_REQUIRE(probe.exit_code == 0, probe.err);
    std::vector<std::string> streams;
    std::istringstream lines(probe.out);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) streams.push_back(line);
    return streams;
}

double seconds_in(const std::string &stream) { return std::stod(stream.substr(stream.rfind(' ') + 1)); }

// The mean volume of the audio of `file` in dB (the ffmpeg program's volumedetect, the peer).
double mean_volume_db(const fs::path &file) {
    const auto measured = dubhost::run_process(
        {"ffmpeg", "-v", "info", "-nostats", "-i", file.string(), "-vn", "-af", "volumedetect", "-f", "null", "-"},
        std::chrono::seconds(60));
    const auto at = measured.err.find("mean_volume: ");
    BOOST_TEST_REQUIRE(at != std::string::npos, measured.err);
    return std::stod(measured.err.substr(at + 13));
}

}  // namespace

// A screen recording with no sound track, narrated from a script: no extract, separation, ASR or
// diarization; the speech is the result's only audio, as long as the video; qc says so. Without a
// script, or asked to mix over a background it does not have, it is refused before any work.
BOOST_AUTO_TEST_CASE(a_silent_video_is_narrated_from_a_script_and_the_speech_is_its_only_audio) {
    const fs::path silent = dir / "screen recording.mp4";
    const auto made = dubhost::run_process({"ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t",
                                            "6", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an", silent.string()},
                                           std::chrono::seconds(60));
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    const fs::path output = dir / "narrated.mp4";

    const auto no_script = dubhost({"dub", silent.string(), "-o", output.string()});
    BOOST_TEST(no_script.exit_code == 1);
    BOOST_TEST(no_script.err.find("has no sound track, so there is no speech to recognise") != std::string::npos, no_script.err);
    BOOST_TEST(no_script.err.find("--subtitles FILE.srt") != std::string::npos, no_script.err);
    const auto over_original = dubhost({"dub", silent.string(), "--subtitles", (dir / "script.srt").string(), "--background",
                                        "original", "-o", output.string()});
    BOOST_TEST(over_original.exit_code == 1);
    BOOST_TEST(over_original.err.find("no original audio to mix the dub over") != std::string::npos, over_original.err);
    std::string silent_item;
    const json items = ok({"items", "--json"});
    for (const auto &imported : items["items"])
        if (imported["original_name"] == silent.filename().string()) silent_item = imported["id"].get<std::string>();
    BOOST_TEST_REQUIRE(!silent_item.empty());
    BOOST_TEST(ok({"jobs", silent_item, "--json"})["jobs"].empty());  // refused before any stage ran
    BOOST_TEST(!fs::exists(output));

    const auto result =
        dubhost({"dub", silent.string(), "--subtitles", (dir / "script.srt").string(), "-o", output.string(), "--json"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    const json summary = finished_document(result);
    for (const char *left_out : {"extract", "separate", "diarize"}) {
        BOOST_TEST_CONTEXT(left_out) {
            BOOST_TEST(stage_of(summary, left_out)["backend"] == "");
            BOOST_TEST(stage_of(summary, left_out)["note"].get<std::string>().find("no sound track") != std::string::npos);
        }
    }
    BOOST_TEST(stage_of(summary, "mix")["backend"] == "ffmpeg");
    const auto streams = streams_of(output);
    BOOST_TEST_REQUIRE(streams.size() == 3u);  // the video, the dub, its subtitles: no original track
    BOOST_TEST(streams[0].rfind("h264 video ", 0) == 0u, streams[0]);
    BOOST_TEST(streams[1].rfind("aac audio ", 0) == 0u, streams[1]);
    BOOST_TEST(streams[2].rfind("mov_text subtitle", 0) == 0u, streams[2]);
    BOOST_TEST(std::abs(seconds_in(streams[1]) - seconds_in(streams[0])) < 0.05, streams[1] << " against " << streams[0]);
    BOOST_TEST(mean_volume_db(output) > -40.0);  // speech, not silence

    const json report = ok({"qc", silent_item, "--json"});
    BOOST_TEST(report["mix"]["background"] == "none");
    BOOST_TEST(report["mix"]["loudness_ok"] == true);
    bool said = false;
    for (const auto &issue : report["issues"])
        said = said ||
               (issue["kind"] == "speech-only" && issue["detail"].get<std::string>().find("no sound track") != std::string::npos);
    BOOST_TEST(said, report["issues"].dump());
}

// An audio-only input is dubbed into exactly the file -o names, encoded as its extension says,
// as long as the input; a video container or an extension dubhost does not write is refused first.
BOOST_AUTO_TEST_CASE(an_audio_input_is_dubbed_into_exactly_the_file_o_names) {
    const fs::path talk = dir / "talk.wav";
    fs::copy_file("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav", talk);
    const std::string input_seconds = streams_of(talk).at(0);
    const std::map<std::string, std::string> codec_of = {{"pod.m4a", "aac"}, {"pod.opus", "opus"}, {"pod.OGG", "vorbis"},
                                                         {"pod.mp3", "mp3"}, {"pod.flac", "flac"}, {"pod.wav", "pcm_s16le"}};
    for (const auto &[name, codec] : codec_of) {
        BOOST_TEST_CONTEXT(name) {
            const auto result = dubhost({"dub", talk.string(), "--subtitles", (dir / "script.srt").string(), "--language", "en",
                                         "-o", (dir / "out" / name).string(), "--json"});
            BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
            BOOST_TEST(finished_document(result)["output"] == (dir / "out" / name).string());
            const auto streams = streams_of(dir / "out" / name);
            BOOST_TEST_REQUIRE(streams.size() == 1u);
            BOOST_TEST(streams[0].rfind(codec + " audio ", 0) == 0u, streams[0]);
            BOOST_TEST(std::abs(seconds_in(streams[0]) - seconds_in(input_seconds)) < 0.06,
                       streams[0] << " vs " << input_seconds);
        }
    }
    BOOST_TEST(std::distance(fs::directory_iterator(dir / "out"), fs::directory_iterator()) == 6);  // nothing beside them

    const auto into_video =
        dubhost({"dub", talk.string(), "--subtitles", (dir / "script.srt").string(), "-o", (dir / "pod.mp4").string()});
    BOOST_TEST(into_video.exit_code == 1);
    BOOST_TEST(into_video.err.find("is audio-only: there is no video to put the dub into") != std::string::npos, into_video.err);
    BOOST_TEST(into_video.err.find("-o NAME.m4a") != std::string::npos, into_video.err);
    const auto unknown =
        dubhost({"dub", talk.string(), "--subtitles", (dir / "script.srt").string(), "-o", (dir / "pod.aiff").string()});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(unknown.err.find("dubhost does not write .aiff files (pod.aiff)") != std::string::npos, unknown.err);
    BOOST_TEST(!fs::exists(dir / "pod.mp4"));
    BOOST_TEST(!fs::exists(dir / "pod.aiff"));
}

BOOST_AUTO_TEST_CASE(dub_without_subtitles_recognises_the_speech_first) {
    const fs::path output = dir / "out" / "auto.mkv";
    const auto result = dubhost({"dub", sample_video, "-o", output.string(), "--json"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    const json summary = json::parse(result.out.substr(result.out.find("{\n")));
    std::vector<std::string> ran;
    for (const auto &stage : summary["stages"])
        if (!stage["backend"].get<std::string>().empty()) ran.push_back(stage["stage"]);
    BOOST_TEST((ran == std::vector<std::string>{"extract", "separate", "asr", "diarize", "tts", "mix", "mux"}));
    BOOST_TEST(fs::exists(output));
    const auto tracks = ok({"tracks", item, "--json"})["tracks"];
    BOOST_TEST_REQUIRE(tracks.size() >= 3u);  // the script, what ASR heard, and that labelled by speaker
    BOOST_TEST(tracks[tracks.size() - 2]["created_by"] == "asr:pocketsphinx");
    BOOST_TEST(tracks.back()["created_by"] == "diarize:native");
    BOOST_TEST(!tracks.back()["segments"].empty());
    BOOST_TEST(tracks.back()["segments"][0]["speaker"].is_string());

    // The sample's sound is mono (both channels the same): the separator does not trust its
    // background stem, so the default mix is already over the original audio, and says so.
    for (const auto &stage : summary["stages"])
        if (stage["stage"] == "mix")
            BOOST_TEST(stage["note"].get<std::string>().find("mixed over the original audio, ducked") != std::string::npos);

    // Over the original audio by choice: separation is skipped and said so.
    const auto original =
        dubhost({"dub", sample_video, "-o", (dir / "out" / "original.mkv").string(), "--background", "original", "--json"});
    BOOST_TEST_REQUIRE(original.exit_code == 0, original.err);
    const json over_original = json::parse(original.out.substr(original.out.find("{\n")));
    for (const auto &stage : over_original["stages"]) {
        if (stage["stage"] == "separate")
            BOOST_TEST(stage["note"].get<std::string>().find("--background original") != std::string::npos);
        if (stage["stage"] == "mix") BOOST_TEST(stage["skipped"] == true);  // the same mix as the default's fallback
    }
}

BOOST_AUTO_TEST_CASE(speakers_get_the_voices_users_choose) {
    BOOST_TEST(dubhost({"speakers", "set", item, "Ann", "--voice", "slt+low"}).exit_code == 0);
    const auto speakers = ok({"speakers", item, "--json"})["speakers"];
    BOOST_TEST_REQUIRE(speakers.size() == 1u);
    BOOST_TEST(speakers[0]["voice"] == "slt+low");
    dubhost::test::write_file(
        dir / "two.vtt", "WEBVTT\n\n00:00.500 --> 00:02.000\n<v Ann>Hello there.\n\n00:02.500 --> 00:04.000\n<v Bob>Hi Ann.\n");
    ok({"track", "import", item, (dir / "two.vtt").string(), "--kind", "script", "--language", "en", "--json"});
    stage({"tts", item});
    auto job = ok({"jobs", item, "--json"})["jobs"].back();
    BOOST_TEST(job["backend"] == "flite");  // the default English voice
    BOOST_TEST(job["result"]["voice_map"]["Ann"] == "slt+low");
    BOOST_TEST(job["result"]["voice_map"]["Bob"] != "slt+low");
    // An espeak-ng voice chosen for Ann is espeak-ng's to speak; flite gives her one of its own and says so.
    BOOST_TEST(dubhost({"speakers", "set", item, "Ann", "--voice", "gmw/en+f3"}).exit_code == 0);
    stage({"tts", item, "--backend", "espeak-ng"});
    job = ok({"jobs", item, "--json"})["jobs"].back();
    BOOST_TEST(job["backend"] == "espeak-ng");
    BOOST_TEST(job["result"]["voice_map"]["Ann"] == "gmw/en+f3");
    stage({"tts", item});
    job = ok({"jobs", item, "--json"})["jobs"].back();
    BOOST_TEST(job["result"]["voice_changes"][0]["chosen"] == "gmw/en+f3");
}

// A mono recording has no stereo image to separate by: the separator does not trust its background
// stem, and the mix falls back to the original audio, ducked (never worse than what was given) and
// says so; --background stem insists on the stem.
BOOST_AUTO_TEST_CASE(an_untrusted_background_stem_falls_back_to_the_original_and_says_so) {
    const std::string mono = ok({"import", "/usr/share/sounds/alsa/Front_Center.wav", "--json"})["item_id"];
    ok({"track", "import", mono, (dir / "script.srt").string(), "--kind", "script", "--language", "en", "--json"});
    for (const char *name : {"extract", "separate", "tts", "mix"}) stage({name, mono});
    auto jobs = ok({"jobs", mono, "--json"})["jobs"];
    BOOST_TEST(jobs[1]["result"]["background_confidence"] == "low");
    json mix = jobs.back();
    BOOST_TEST(mix["params"]["background"] == "original");
    BOOST_TEST(mix["result"]["mix"]["background_mode"] == "original");
    BOOST_TEST_REQUIRE(mix["result"]["notes"].size() == 1u);
    BOOST_TEST(mix["result"]["notes"][0].get<std::string>().find("mixed over the original audio, ducked") != std::string::npos);
    BOOST_TEST(!stage({"mix", mono}));  // the same decision again: up to date
    stage({"mix", mono, "--background", "stem"});
    mix = ok({"jobs", mono, "--json"})["jobs"].back();
    BOOST_TEST(mix["params"]["background"] == "stem");
    BOOST_TEST(mix["result"]["mix"]["background_mode"] == "stem");
    BOOST_TEST(!mix["result"].contains("notes"));
}

// The default English voice is flite's; a track in a language flite does not speak goes to
// espeak-ng without anyone naming it, and --backend still means what it says.
BOOST_AUTO_TEST_CASE(each_language_is_spoken_by_the_best_backend_that_speaks_it) {
    dubhost::test::write_file(dir / "es.srt",
                              "1\n00:00:00,500 --> 00:00:02,000\nBuenos d\xC3\xAD"
                              "as.\n");
    ok({"track", "import", item, (dir / "es.srt").string(), "--kind", "script", "--language", "es", "--json"});
    stage({"tts", item});
    auto job = ok({"jobs", item, "--json"})["jobs"].back();
    BOOST_TEST(job["backend"] == "espeak-ng");
    const std::string named = hint_of({"run", "tts", item, "--backend", "flite"});
    BOOST_TEST(named.find("flite speaks English only") != std::string::npos, named);
    BOOST_TEST(named.find("--backend tts=espeak-ng") != std::string::npos, named);
    dubhost::test::write_file(dir / "en.srt", "1\n00:00:00,500 --> 00:00:02,000\nGood morning.\n");
    ok({"track", "import", item, (dir / "en.srt").string(), "--kind", "script", "--language", "en-GB", "--json"});
    stage({"tts", item});
    job = ok({"jobs", item, "--json"})["jobs"].back();
    BOOST_TEST(job["backend"] == "flite");
}

BOOST_AUTO_TEST_SUITE_END()
