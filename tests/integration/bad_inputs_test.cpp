// The bad-input corpus (tests/bad_inputs/corpus.json): every input a user can get wrong, driven
// through the dubhost binary, must give its exact error code and message and leave the workspace
// as it was (same files, same library rows, integrity_check ok). Also the awkward inputs that are
// not errors at all: unicode and spaces in paths, very long names, a 0.2 s clip, 10,000 cues,
// overlapping cues, and subtitle text full of characters FFmpeg's filter and ASS syntax would read.
#include <dubhost/support/process.hpp>

#include "support/isolated_home.hpp"
#include "support/machine_needs.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>

namespace fs = std::filesystem;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

const fs::path sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";
const bool running_as_root = ::geteuid() == 0;

using dubhost::test::IsolatedHome;

dubhost::ProcessResult dubhost_in(const fs::path &workspace, std::vector<std::string> args,
                                  std::vector<std::string> prefix = {}) {
    args.insert(args.begin(), {DUBHOST_BINARY, "--workspace", workspace.string()});
    args.insert(args.begin(), prefix.begin(), prefix.end());
    return dubhost::run_process(args, std::chrono::seconds(120));
}

json ok_json(const fs::path &workspace, const std::vector<std::string> &args) {
    auto with_json = args;
    with_json.push_back("--json");
    const auto result = dubhost_in(workspace, with_json);
    BOOST_TEST_REQUIRE(result.exit_code == 0, "dubhost " << args.front() << " failed: " << result.err);
    return json::parse(result.out);
}

void run_tool(const std::vector<std::string> &argv) {
    const auto result = dubhost::run_process(argv, std::chrono::seconds(60));
    BOOST_TEST_REQUIRE(result.exit_code == 0, argv.front() << " failed: " << result.err);
}

// A workspace made once and copied for each case: a 1 s tone and a 1 s video without audio.
struct Template {
    TempDir dir{"dubhost-badinput-template"};
    std::string audio_item, video_item;
    Template() {
        dubhost::test::write_wav_tone(dir / "tone.wav", 16000, 1.0, 440);
        run_tool({"ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1", "-c:v", "libx264",
                  "-pix_fmt", "yuv420p", "-an", (dir / "noaudio.mp4").string()});
        audio_item = ok_json(dir / "ws", {"import", (dir / "tone.wav").string()})["item_id"];
        video_item = ok_json(dir / "ws", {"import", (dir / "noaudio.mp4").string()})["item_id"];
    }
};

const Template &workspace_template() {
    static const Template made;
    return made;
}

// What a case may not change: every file (but logs, locks and SQLite's side files) with its size
// and modification time, and every library table's rows.
struct Snapshot {
    std::map<std::string, std::string> files;
    std::map<std::string, std::string> tables;
    std::string database_bytes;  // when the library cannot be opened (the corrupt-library case)
};

Snapshot snapshot(const fs::path &workspace) {
    Snapshot taken;
    for (auto it = fs::recursive_directory_iterator(workspace); it != fs::recursive_directory_iterator(); ++it) {
        const std::string relative = fs::relative(it->path(), workspace).string();
        const std::string name = it->path().filename().string();
        if (!it->is_regular_file() || relative.rfind("logs/", 0) == 0 || name == ".lock" || name.rfind("library.db", 0) == 0)
            continue;
        taken.files[relative] =
            std::to_string(it->file_size()) + " bytes, mtime " + std::to_string(it->last_write_time().time_since_epoch().count());
    }
    try {
        SQLite::Database db((workspace / "library.db").string(), SQLite::OPEN_READONLY);
        SQLite::Statement names(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        while (names.executeStep()) {
            const std::string table = names.getColumn(0).getString();
            // A failed job keeps the record of the inputs it was given: those rows belong to the job.
            const std::string filter =
                table == "artifacts" ? " WHERE job_id NOT IN (SELECT id FROM jobs WHERE status = 'failed')" : "";
            SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\"" + filter);
            std::string content;
            while (rows.executeStep()) {
                for (int column = 0; column < rows.getColumnCount(); ++column)
                    content += rows.getColumn(column).getString() + "\x1f";
                content += "\n";
            }
            taken.tables[table] = content;
        }
    } catch (const SQLite::Exception &) {
        taken.database_bytes = dubhost::test::read_file(workspace / "library.db");
    }
    return taken;
}

std::string integrity(const fs::path &workspace) {
    SQLite::Database db((workspace / "library.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet("PRAGMA integrity_check").getString();
}

std::string substitute(std::string text, const std::map<std::string, std::string> &values) {
    for (const auto &[key, value] : values)
        for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
            text.replace(at, key.size(), value);
    return text;
}

// A small tmpfs, mounted for one case and unmounted after; absent when this machine may not mount.
class SmallDisk {
public:
    SmallDisk(const fs::path &at, const std::string &size) : at_(at) {
        fs::create_directories(at);
        mounted_ = running_as_root && ::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }
    // Fills the disk up to `leave` free bytes with a file beside the workspace.
    void fill_leaving(std::uintmax_t leave) const {
        struct statvfs space {};
        ::statvfs(at_.c_str(), &space);
        const std::uintmax_t free = static_cast<std::uintmax_t>(space.f_bavail) * space.f_frsize;
        if (free > leave) {
            std::ofstream filler(at_ / "filler", std::ios::binary);
            const std::string block(4096, '\0');
            for (std::uintmax_t written = 0; written + block.size() <= free - leave; written += block.size())
                filler.write(block.data(), static_cast<std::streamsize>(block.size()));
        }
    }

private:
    fs::path at_;
    bool mounted_ = false;
};

// Makes the case's input (in `dir`) and any change of the workspace it needs. Returns the input.
fs::path make_input(const std::string &kind, const fs::path &dir, const fs::path &workspace) {
    const std::string latin1_text = std::string("1\n00:00:00,000 --> 00:00:01,000\ncaf") + '\xe9' + "\n";
    const std::map<std::string, std::string> files = {{"empty.mp4", ""},
                                                      {"text.mp4", "this is a note, not a video\n"},
                                                      {"broken.srt", "1\n00:00:01,000 --> 00:0x:02,000\nhello\n"},
                                                      {"negative.srt", "1\n00:00:02,000 --> 00:00:01,000\nhello\n"},
                                                      {"latin1.srt", latin1_text},
                                                      {"cues.srt", "1\n00:00:00,000 --> 00:00:01,000\nhello\n"}};
    if (const auto text = files.find(kind); text != files.end()) {
        dubhost::test::write_file(dir / kind, text->second);
        return dir / kind;
    }
    if (kind == "nothing") return dir / "nope.mp4";
    if (kind == "directory") {
        fs::create_directories(dir / "folder");
        return dir / "folder";
    }
    if (kind == "truncated.mp4") {
        const std::string whole = dubhost::test::read_file(sample_video);
        dubhost::test::write_file(dir / kind, whole.substr(0, whole.size() / 10));
        return dir / kind;
    }
    if (kind == "fake.wav") {
        std::string fake = std::string("RIFF\x24\x00\x00\x00WAVEjunk", 16);
        fake.resize(4096, '\x01');
        dubhost::test::write_file(dir / kind, fake);
        return dir / kind;
    }
    if (kind == "corrupt-library") {
        for (const char *side : {"library.db-wal", "library.db-shm"}) fs::remove(workspace / side);
        dubhost::test::write_file(workspace / "library.db", std::string(4096, 'z'));
        return {};
    }
    if (kind == "read-only-workspace") {
        dubhost::test::write_wav_tone(dir / "new.wav", 16000, 0.5, 660);
        fs::permissions(workspace, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                        fs::perm_options::remove);
        return dir / "new.wav";
    }
    if (kind == "full-disk") {
        dubhost::test::write_wav_tone(dir / "big.wav", 48000, 10.0, 660);
        return dir / "big.wav";
    }
    throw std::invalid_argument("corpus: unknown input kind " + kind);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(bad_inputs, IsolatedHome)

BOOST_AUTO_TEST_CASE(every_bad_input_gives_its_error_and_leaves_the_workspace_unchanged) {
    std::ifstream in(fs::path(DUBHOST_SOURCE_DIR) / "tests" / "bad_inputs" / "corpus.json");
    const json corpus = json::parse(in);
    const Template &base = workspace_template();
    for (const json &entry : corpus["cases"]) {
        const std::string name = entry["name"];
        BOOST_TEST_CONTEXT("case: " << name) {
            const TempDir dir{"dubhost-badinput"};
            const std::string kind = entry["make"];
            std::optional<SmallDisk> disk;
            fs::path workspace = dir / "ws";
            if (kind == "full-disk") {
                disk.emplace(dir / "small", "8m");
                if (!dubhost::test::machine_has(disk->mounted(), "a tmpfs mount for the full-disk case",
                                                "run the tests as root, or see the manual check in docs/reliability.md"))
                    continue;
                workspace = dir / "small" / "ws";
            }
            fs::copy(base.dir / "ws", workspace, fs::copy_options::recursive);
            const fs::path input = make_input(kind, dir.path(), workspace);
            if (disk) disk->fill_leaving(150 * 1024);
            std::vector<std::string> prefix;
            if (kind == "read-only-workspace" && running_as_root) {
                // Permission bits do not bind root: run as nobody, who may enter but not write.
                fs::permissions(dir.path(), fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
                fs::permissions(input, fs::perms::others_read, fs::perm_options::add);
                prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
            }
            const std::map<std::string, std::string> values = {{"{input}", input.string()},
                                                               {"{ws}", workspace.string()},
                                                               {"{audio_item}", base.audio_item},
                                                               {"{video_item}", base.video_item}};
            std::vector<std::string> args;
            for (const auto &arg : entry["run"]) args.push_back(substitute(arg.get<std::string>(), values));
            args.push_back("--json");

            const Snapshot before = snapshot(workspace);
            const auto result = dubhost_in(workspace, args, prefix);
            BOOST_TEST_REQUIRE(result.started, result.start_error);
            BOOST_TEST(result.exit_code == entry["exit"].get<int>(), result.err);
            const json answer = json::parse(result.out, nullptr, false);
            BOOST_TEST_REQUIRE(answer.contains("error"), "no JSON error on stdout: " << result.out << result.err);
            BOOST_TEST(answer["error"]["code"] == entry["code"]);
            const std::string message = answer["error"]["message"];
            if (entry.contains("message")) BOOST_TEST(message == substitute(entry["message"], values));
            if (entry.contains("message_contains"))
                BOOST_TEST(message.find(substitute(entry["message_contains"], values)) != std::string::npos, message);
            BOOST_TEST(!answer["error"]["hint"].get<std::string>().empty(), "an error without a next step: " << message);
            BOOST_TEST(result.err.find("next: ") != std::string::npos, result.err);

            if (kind == "read-only-workspace")
                fs::permissions(workspace, fs::perms::owner_write, fs::perm_options::add);  // so the snapshot may open it
            Snapshot after = snapshot(workspace);
            BOOST_TEST((after.files == before.files), "files changed in the workspace");
            BOOST_TEST((after.database_bytes == before.database_bytes), "library.db was rewritten");
            if (entry["changes"] == "failed-job") {
                SQLite::Database db((workspace / "library.db").string(), SQLite::OPEN_READONLY);
                BOOST_TEST(db.execAndGet("SELECT COUNT(*) FROM jobs WHERE status = 'failed'").getInt() == 1);
                BOOST_TEST(db.execAndGet("SELECT json_extract(error_json, '$.code') FROM jobs").getString() ==
                           entry["code"].get<std::string>());
            }
            auto expected_tables = before.tables;
            if (entry["changes"] == "failed-job")
                for (const char *table : {"jobs", "sqlite_sequence"}) {  // the job row and its id counter
                    expected_tables.erase(table);
                    after.tables.erase(table);
                }
            for (const auto &[table, rows] : after.tables)
                BOOST_TEST((expected_tables.count(table) && expected_tables.at(table) == rows),
                           "library table " << table << " changed: " << rows);
            if (before.database_bytes.empty()) BOOST_TEST(integrity(workspace) == "ok");
        }
    }
}

BOOST_AUTO_TEST_CASE(unicode_spaces_and_very_long_names_work_everywhere) {
    const TempDir dir{"dubhost-badinput"};
    const fs::path workspace = dir / "Übersetzung — 日本語 workspace";
    const fs::path clip = dir / "my clip ✓ (final) ' ; [1].wav";
    dubhost::test::write_wav_tone(clip, 16000, 1.0, 440);
    const json unicode = ok_json(workspace, {"import", clip.string()});
    BOOST_TEST(unicode["item"]["original_name"] == clip.filename().string());
    const std::string item = unicode["item_id"];
    const json extracted = ok_json(workspace, {"run", "extract", item});
    BOOST_TEST_REQUIRE(extracted["job"]["outputs"].size() == 2u);
    for (const auto &output : extracted["job"]["outputs"]) BOOST_TEST(fs::exists(output["path"].get<std::string>()));

    const fs::path long_name = dir / (std::string(250, 'n') + ".wav");  // NAME_MAX is 255 bytes
    dubhost::test::write_wav_tone(long_name, 16000, 0.5, 550);
    const json imported = ok_json(workspace, {"import", long_name.string()});
    BOOST_TEST(imported["item"]["original_name"] == long_name.filename().string());
    BOOST_TEST(imported["item"]["stored_path"].get<std::string>().size() < 64u);  // stored by id, not by name
    BOOST_TEST(integrity(workspace) == "ok");
}

BOOST_AUTO_TEST_CASE(a_clip_of_a_fifth_of_a_second_dubs_end_to_end) {
    const TempDir dir{"dubhost-badinput"};
    dubhost::test::write_wav_tone(dir / "short.wav", 16000, 0.2, 440);
    dubhost::test::write_file(dir / "short.srt", "1\n00:00:00,000 --> 00:00:00,200\nhi\n");
    const auto result = dubhost_in(dir / "ws", {"dub", (dir / "short.wav").string(), "--subtitles", (dir / "short.srt").string(),
                                                "-o", (dir / "short.dub.wav").string(), "-q"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    BOOST_TEST(fs::file_size(dir / "short.dub.wav") > 44u);
}

BOOST_AUTO_TEST_CASE(ten_thousand_and_overlapping_cues_import_quickly_and_intact) {
    const TempDir dir{"dubhost-badinput"};
    const fs::path workspace = dir / "ws";
    const std::string item = ok_json(workspace, {"import", (workspace_template().dir / "tone.wav").string()})["item_id"];
    std::string many;
    auto stamp = [](int ms) {
        char text[32];
        std::snprintf(text, sizeof text, "%02d:%02d:%02d,%03d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
        return std::string(text);
    };
    for (int i = 0; i < 10000; ++i)
        many += std::to_string(i + 1) + "\n" + stamp(i * 300) + " --> " + stamp(i * 300 + 250) + "\ncue " + std::to_string(i) +
                "\n\n";
    dubhost::test::write_file(dir / "many.srt", many);
    const auto started = std::chrono::steady_clock::now();
    const json imported = ok_json(workspace, {"track", "import", item, (dir / "many.srt").string()});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(imported["segments"] == 10000);
    BOOST_TEST(seconds < 5.0, "importing 10,000 cues took " << seconds << " s");
    const auto exported = dubhost_in(
        workspace, {"track", "export", std::to_string(imported["track_id"].get<int>()), "-o", (dir / "back.srt").string()});
    BOOST_TEST_REQUIRE(exported.exit_code == 0, exported.err);
    BOOST_TEST(dubhost::test::read_file(dir / "back.srt") == many);

    dubhost::test::write_file(dir / "overlap.srt",
                              "1\n00:00:01,000 --> 00:00:03,000\nfirst\n\n2\n00:00:02,000 --> 00:00:04,000\nsecond\n");
    const json overlapping = ok_json(workspace, {"track", "import", item, (dir / "overlap.srt").string()});
    BOOST_TEST(overlapping["segments"] == 2);  // both speakers keep their lines
    BOOST_TEST(overlapping["repairs"][0] == "kept 1 overlapping cue(s), the first at 00:00:02.000");
}

BOOST_AUTO_TEST_CASE(subtitle_text_special_to_ffmpeg_comes_out_verbatim) {
    const TempDir dir{"dubhost-badinput"};
    const std::vector<std::string> lines = {"It's 10:30, [really]; a\\b 'q' = x",
                                            "[in]volume=0:dur=5,apad;[out] %{pts} {\\an8} \\N end"};
    dubhost::test::write_file(dir / "special.srt", "1\n00:00:00,500 --> 00:00:03,000\n" + lines[0] +
                                                       "\n\n2\n00:00:03,500 --> 00:00:06,000\n" + lines[1] + "\n");
    for (const std::string container : {"mp4", "mkv"}) {
        const fs::path output = dir / ("special." + container);
        const auto dubbed = dubhost_in(dir / "ws", {"dub", sample_video.string(), "--subtitles", (dir / "special.srt").string(),
                                                    "-o", output.string(), "-q"});
        BOOST_TEST_REQUIRE(dubbed.exit_code == 0, dubbed.err);
        // The subtitle stream's packets as stored: mov_text is a 2-byte length and the text.
        const auto stored = dubhost::run_process(
            {"ffmpeg", "-v", "error", "-i", output.string(), "-map", "0:s:0", "-c", "copy", "-f", "data", "-"},
            std::chrono::seconds(30));
        BOOST_TEST_REQUIRE(stored.exit_code == 0, stored.err);
        std::string text;
        if (container == "mkv") {
            text = stored.out;
        } else {
            // mov_text samples: a 16-bit length and the text; the muxer fills gaps with empty samples.
            for (std::size_t at = 0; at + 2 <= stored.out.size();) {
                const std::size_t size =
                    (static_cast<unsigned char>(stored.out[at]) << 8) | static_cast<unsigned char>(stored.out[at + 1]);
                text += stored.out.substr(at + 2, size);
                at += 2 + size;
            }
        }
        BOOST_TEST(text == lines[0] + lines[1]);
    }
}

BOOST_AUTO_TEST_SUITE_END()
