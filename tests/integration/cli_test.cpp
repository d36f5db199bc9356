// The dubhost binary driven as users and scripts drive it: argv in, exit code and output out.
#include <dubhost/support/process.hpp>
#include "dubhost/host/sha256.hpp"

#include "support/isolated_home.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdlib>

namespace fs = std::filesystem;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

const fs::path fixture_dir = DUBHOST_FIXTURE_DIR;
const fs::path dubhost_binary = DUBHOST_BINARY;

using dubhost::test::IsolatedHome;

dubhost::ProcessResult dubhost_run(std::vector<std::string> args) {
    args.insert(args.begin(), dubhost_binary.string());
    return dubhost::run_process(args, std::chrono::seconds(60));
}

json run_json(const std::vector<std::string> &args) {
    const auto result = dubhost_run(args);
    BOOST_TEST_REQUIRE(result.exit_code == 0, "dubhost failed: " + result.err);
    return json::parse(result.out);
}

std::size_t plugins_from(const json &document, const std::string &origin) {
    std::size_t count = 0;
    for (const auto &plugin : document["plugins"]) count += plugin["origin"] == origin;
    return count;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli, IsolatedHome)

BOOST_AUTO_TEST_CASE(version_and_usage_errors) {
    const auto version = dubhost_run({"--version"});
    BOOST_TEST(version.exit_code == 0);
    BOOST_TEST(version.out.find("plugin ABI 1.0") != std::string::npos);
    BOOST_TEST(dubhost_run({}).exit_code == 1);
    BOOST_TEST(dubhost_run({"no-such-command"}).exit_code == 1);
    BOOST_TEST(dubhost_run({"import"}).exit_code == 1);
}

BOOST_AUTO_TEST_CASE(the_stage_reference_is_the_stage_table) {
    // docs/reference/stages.md is generated from the table; regenerate it with
    // `dubhost stages --markdown > docs/reference/stages.md` when a stage changes.
    const auto markdown = dubhost_run({"stages", "--markdown"});
    BOOST_TEST_REQUIRE(markdown.exit_code == 0, markdown.err);
    BOOST_TEST(markdown.out == dubhost::test::read_file(fs::path(DUBHOST_SOURCE_DIR) / "docs/reference/stages.md"));
    const json stages = run_json({"stages", "--json"})["stages"];
    std::vector<std::string> names;
    for (const auto &stage : stages) names.push_back(stage["name"]);
    BOOST_TEST(names == (std::vector<std::string>{"extract", "separate", "asr", "diarize", "translate", "tts", "mix", "mux"}),
               boost::test_tools::per_element());
    const auto help = dubhost_run({"run", "--help"});
    for (const auto &stage : stages)
        BOOST_TEST(help.out.find("  " + stage["name"].get<std::string>() + ": " + stage["summary"].get<std::string>()) !=
                       std::string::npos,
                   help.out);
}

BOOST_AUTO_TEST_CASE(plugins_json_lists_loaded_plugins_and_rejected_files) {
    TempDir ws;
    const auto document =
        run_json({"--workspace", ws.path().string(), "--plugin-path", fixture_dir.string(), "plugins", "--json"});
    BOOST_TEST(plugins_from(document, "--plugin-path") == 3u);
    BOOST_TEST(plugins_from(document, "install") >= 1u);  // the in-tree plugins beside the binary
    for (const auto &plugin : document["plugins"]) {
        BOOST_TEST(plugin.contains("backends"));
        BOOST_TEST(plugin["abi"]["major"] == 1);
    }
    BOOST_TEST(document["rejected"].size() == 9u);
    for (const auto &rejected : document["rejected"]) {
        BOOST_TEST(rejected.contains("path"));
        BOOST_TEST(rejected.contains("state"));
        BOOST_TEST(!rejected["reason"].get<std::string>().empty());
    }
    BOOST_TEST(document["search_path"][0]["origin"] == "--plugin-path");
}

BOOST_AUTO_TEST_CASE(plugin_path_from_the_environment_and_safe_mode) {
    TempDir ws;
    ::setenv("DUBHOST_PLUGIN_PATH", fixture_dir.c_str(), 1);
    const auto from_environment = run_json({"--workspace", ws.path().string(), "plugins", "--json"});
    BOOST_TEST(plugins_from(from_environment, "DUBHOST_PLUGIN_PATH") == 3u);
    BOOST_TEST(run_json({"--workspace", ws.path().string(), "--safe-mode", "plugins", "--json"})["rejected"].empty());
    ::unsetenv("DUBHOST_PLUGIN_PATH");
}

BOOST_AUTO_TEST_CASE(backends_and_doctor_explain_the_choice) {
    TempDir ws;
    const auto backends =
        run_json({"--workspace", ws.path().string(), "--plugin-path", fixture_dir.string(), "backends", "--json"});
    bool saw_tts = false;
    for (const auto &choice : backends["backends"]) {
        if (choice["capability"] != "tts") continue;
        saw_tts = true;
        // fixture-missing ranks highest but is not installed; flite (in-tree, the English voice)
        // outranks pyttsx3, espeak-ng and fixture-echo.
        BOOST_TEST(choice["selected"] == "flite");
        BOOST_TEST(choice["backends"].size() == 5u);  // the fixtures, flite, espeak-ng and pyttsx3 (its pack not installed)
        BOOST_TEST(choice["backends"][0]["id"] == "fixture-missing");
        BOOST_TEST(choice["backends"][0]["installed"] == false);
        for (const auto &backend : choice["backends"])
            if (backend["id"] == "pyttsx3") BOOST_TEST(backend["installed"] == false);
    }
    BOOST_TEST(saw_tts);
    const auto doctor = run_json({"--workspace", ws.path().string(), "--plugin-path", fixture_dir.string(), "doctor", "--json"});
    for (const char *section : {"version", "workspace", "plugins", "backends", "packs", "python", "checks"})
        BOOST_TEST(doctor.contains(section), section);
    BOOST_TEST(doctor["plugins"]["rejected"].size() == 9u);
    const auto human = dubhost_run({"--workspace", ws.path().string(), "doctor"});
    BOOST_TEST(human.exit_code == 0);
    BOOST_TEST(human.out.find("Checks:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(import_items_tracks_and_subtitle_round_trip) {
    TempDir dir;
    const fs::path ws = dir / "work space ü";
    dubhost::test::write_wav_tone(dir / "clip ü.wav", 16000, 0.5, 440);
    const auto imported = run_json({"--workspace", ws.string(), "import", (dir / "clip ü.wav").string(), "--json"});
    const std::string item = imported["item_id"];
    BOOST_TEST(imported["already_present"] == false);
    BOOST_TEST(run_json({"--workspace", ws.string(), "import", (dir / "clip ü.wav").string(), "--json"})["item_id"] == item);
    BOOST_TEST(run_json({"--workspace", ws.string(), "items", "--json"})["items"].size() == 1u);

    dubhost::test::write_file(dir / "script.vtt",
                              "WEBVTT\n\n00:00.000 --> 00:00.400\n<v Ann>Hello: [world], it's me; a\\b</v>\n\n"
                              "00:00.400 --> 00:00.500\n<v Bo>Bye</v>\n");
    const auto added = run_json({"--workspace", ws.string(), "track", "import", item.substr(0, 8), (dir / "script.vtt").string(),
                                 "--language", "en", "--json"});
    const auto track_id = added["track_id"].get<std::int64_t>();
    const auto tracks = run_json({"--workspace", ws.string(), "tracks", item, "--json"});
    BOOST_TEST_REQUIRE(tracks["tracks"].size() == 1u);
    const auto &track = tracks["tracks"][0];
    for (const char *field : {"id", "kind", "language", "created_by", "segments"}) BOOST_TEST(track.contains(field), field);
    BOOST_TEST(track["segments"][0]["text"] == "Hello: [world], it's me; a\\b");
    BOOST_TEST(track["segments"][0]["speaker"] == "Ann");
    BOOST_TEST(track["segments"][0]["start"] == 0);
    BOOST_TEST(track["segments"][0]["end"] == 400);

    const auto vtt = dubhost_run({"--workspace", ws.string(), "track", "export", std::to_string(track_id), "--format", "vtt"});
    BOOST_TEST(vtt.exit_code == 0);
    BOOST_TEST(vtt.out.find("<v Ann>Hello: [world], it's me; a\\b") != std::string::npos);
    const auto srt_file = dir / "out" / "exported.srt";
    fs::create_directories(srt_file.parent_path());
    BOOST_TEST(dubhost_run({"--workspace", ws.string(), "track", "export", std::to_string(track_id), "--format", "srt", "-o",
                            srt_file.string()})
                   .exit_code == 0);
    BOOST_TEST(dubhost::test::read_file(srt_file).find("1\n00:00:00,000 --> 00:00:00,400\nHello") == 0u);
    const auto again = run_json({"--workspace", ws.string(), "track", "import", item, srt_file.string(), "--json"});
    BOOST_TEST(again["segments"] == 2);
}

// A file a player would show imports as the player shows it, each repair printed with its line;
// --strict refuses it at the first defect.
BOOST_AUTO_TEST_CASE(a_defective_subtitle_file_imports_as_a_player_shows_it) {
    TempDir dir;
    const std::string ws = (dir / "ws").string();
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 300);
    const std::string item = run_json({"--workspace", ws, "import", (dir / "a.wav").string(), "--json"})["item_id"];
    dubhost::test::write_file(dir / "player.vtt",
                              "WEBVTT\n\n"
                              "00:00:00:01.000 --> 00:00:02.000\nAn extra colon\n\n"
                              "00:03.000 --> 00:04.000\nFirst\n00:04.000 --> 00:05.000\nSecond\n\n"
                              "00:06.000 --> 00:06.000\nNo length\n");
    const auto imported = dubhost_run({"--workspace", ws, "track", "import", item, (dir / "player.vtt").string()});
    BOOST_TEST_REQUIRE(imported.exit_code == 0, imported.err);
    for (const char *note : {"note: player.vtt: line 3: bad start time '00:00:00:01.000'",
                             "note: player.vtt: line 8: a timing line with no blank line before it; read it as a new cue",
                             "note: player.vtt: line 11: cue has zero duration (00:06.000); it now ends at 00:00:07.000"})
        BOOST_TEST(imported.err.find(note) != std::string::npos, note << " in " << imported.err);
    const auto tracks = run_json({"--workspace", ws, "tracks", item, "--json"})["tracks"];
    BOOST_TEST_REQUIRE(tracks.size() == 1u);
    std::vector<std::string> texts;
    for (const auto &segment : tracks[0]["segments"]) texts.push_back(segment["text"]);
    BOOST_TEST((texts == std::vector<std::string>{"First", "Second", "No length"}));

    const auto strict = dubhost_run({"--workspace", ws, "track", "import", item, (dir / "player.vtt").string(), "--strict"});
    BOOST_TEST(strict.exit_code == 1);
    BOOST_TEST(strict.err.find("player.vtt:3: bad start time") != std::string::npos, strict.err);
    BOOST_TEST(run_json({"--workspace", ws, "tracks", item, "--json"})["tracks"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(user_errors_exit_1_with_the_fix) {
    TempDir dir;
    const std::string ws = (dir / "ws").string();
    const auto missing = dubhost_run({"--workspace", ws, "import", (dir / "nope.mp4").string()});
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("no such file") != std::string::npos);
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 300);
    const std::string item = run_json({"--workspace", ws, "import", (dir / "a.wav").string(), "--json"})["item_id"];
    dubhost::test::write_file(dir / "bad.srt", "1\n00:00:01,000 --> 00:00:00,500\nbackwards\n");
    const auto bad = dubhost_run({"--workspace", ws, "track", "import", item, (dir / "bad.srt").string(), "--strict"});
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST(bad.err.find("bad.srt:2:") != std::string::npos);
    const auto unknown = dubhost_run({"--workspace", ws, "tracks", "ffffffffffff", "--json"});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(json::parse(unknown.out)["error"]["code"] == "no-such-item");
    BOOST_TEST(json::parse(unknown.out)["error"]["hint"].get<std::string>().find("dubhost items") != std::string::npos);
    BOOST_TEST(dubhost_run({"--workspace", ws, "track", "export", "12345"}).exit_code == 1);
    // A pack-backed backend whose pack is not installed fails before any work, naming the install.
    const auto no_pack = dubhost_run({"--workspace", ws, "run", "separate", item, "--backend", "spleeter"});
    BOOST_TEST(no_pack.exit_code == 1);
    BOOST_TEST(no_pack.err.find("the spleeter separate backend is not installed") != std::string::npos, no_pack.err);
    BOOST_TEST(
        no_pack.err.find("run `dubhost pack install spleeter`; installed separate backends here: native") != std::string::npos,
        no_pack.err);
}

BOOST_AUTO_TEST_CASE(import_stores_the_probe_and_refuses_what_ffmpeg_cannot_read) {
    TempDir dir;
    const std::string ws = (dir / "ws").string();
    const auto video =
        run_json({"--workspace", ws, "import", "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4", "--json"});
    BOOST_TEST(video["item"]["media_kind"] == "video");
    BOOST_TEST(video["item"]["probe"]["streams"].size() == 2u);
    BOOST_TEST(video["item"]["probe"]["streams"][0]["codec"] == "h264");
    const auto audio = run_json({"--workspace", ws, "import", "/usr/share/sounds/alsa/Front_Center.wav", "--json"});
    BOOST_TEST(audio["item"]["media_kind"] == "audio");
    // A WAV header followed by garbage passes the signature check but not FFmpeg.
    std::string fake = "RIFF\x24\x00\x00\x00WAVEjunk";
    fake.resize(4096, '\x01');
    dubhost::test::write_file(dir / "fake.wav", fake);
    const auto refused = dubhost_run({"--workspace", ws, "import", (dir / "fake.wav").string()});
    BOOST_TEST(refused.exit_code == 1, refused.err);
    BOOST_TEST(refused.err.find("fake.wav") != std::string::npos);
    BOOST_TEST(run_json({"--workspace", ws, "items", "--json"})["items"].size() == 2u);
    std::size_t stored = 0;
    for ([[maybe_unused]] const auto &entry : fs::directory_iterator(dir / "ws" / "items")) ++stored;
    BOOST_TEST(stored == 2u);
}

BOOST_AUTO_TEST_CASE(a_corrupt_library_is_refused_and_kept) {
    TempDir dir;
    std::string garbage(4096, 'z');
    dubhost::test::write_file(dir / "library.db", garbage);
    const auto result = dubhost_run({"--workspace", dir.path().string(), "items"});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("not a readable dubhost library") != std::string::npos);
    BOOST_TEST(result.err.find("library.db.broken") != std::string::npos);
    BOOST_TEST(dubhost::test::read_file(dir / "library.db") == garbage);
}

BOOST_AUTO_TEST_CASE(read_only_workspace_is_a_user_error) {
    TempDir dir;
    fs::create_directories(dir / "ro");
    fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
    std::vector<std::string> argv = {dubhost_binary.string(), "--workspace", (dir / "ro").string(), "items"};
    if (::geteuid() == 0) {
        // Permission bits do not bind root: run as nobody, who may read and enter but not write.
        fs::permissions(dir.path(), fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
        argv.insert(argv.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
    }
    const auto result = dubhost::run_process(argv, std::chrono::seconds(30));
    BOOST_TEST_REQUIRE(result.started, result.start_error);
    BOOST_TEST(result.exit_code == 1, result.err);
    BOOST_TEST(result.err.find("is not writable") != std::string::npos);
    BOOST_TEST(result.err.find("--workspace") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
