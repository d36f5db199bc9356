// kill -9 soak (opt-in: `ctest --preset soak`, under 3 minutes): dubhost is killed at random moments
// (fixed seed) while importing, mixing, muxing and installing a pack. After every kill the
// workspace must open, no recorded artifact may differ from its recorded hash, no output under its
// final name may be half-written, no job may stay "running", and re-running must complete.
#include <dubhost/support/process.hpp>
#include "dubhost/host/sha256.hpp"

#include "support/spawned_process.hpp"
#include "support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

const fs::path sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";

struct SoakFixture {
    TempDir home{"dubhost-soak-home"};
    TempDir dir{"dubhost-soak"};
    fs::path workspace = dir / "ws";
    SoakFixture() {
        ::setenv("XDG_DATA_HOME", (home / "data").c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (home / "config").c_str(), 1);
        ::setenv("XDG_CACHE_HOME", (home / "cache").c_str(), 1);
        ::unsetenv("DUBHOST_PLUGIN_PATH");
    }
    std::vector<std::string> dubhost(std::vector<std::string> args) const {
        args.insert(args.begin(), {DUBHOST_BINARY, "--workspace", workspace.string(), "--plugin-path", DUBHOST_PACK_PLUGIN_DIR});
        return args;
    }
    dubhost::ProcessResult run(const std::vector<std::string> &args) const {
        return dubhost::run_process(dubhost(args), std::chrono::seconds(300));
    }
};

// A WAV under its final name is complete when its RIFF size covers the file.
bool complete_wav(const fs::path &path) {
    const std::string bytes = dubhost::test::read_file(path);
    if (bytes.size() < 12 || bytes.compare(0, 4, "RIFF") != 0) return false;
    const auto riff =
        static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[4]) | static_cast<unsigned char>(bytes[5]) << 8 |
                                   static_cast<unsigned char>(bytes[6]) << 16 | static_cast<unsigned char>(bytes[7]) << 24);
    return riff + 8u == bytes.size();
}

bool playable(const fs::path &path) {
    const auto probe = dubhost::run_process({"ffprobe", "-v", "error", "-i", path.string(), "-show_entries", "format=duration"},
                                            std::chrono::seconds(30));
    return probe.exit_code == 0 && probe.err.empty();
}

// The checks after every kill, on a workspace some dubhost just opened (which marks abandoned jobs).
void check_workspace(const fs::path &workspace) {
    SQLite::Database db((workspace / "library.db").string(), SQLite::OPEN_READONLY);
    BOOST_TEST(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    BOOST_TEST(db.execAndGet("SELECT COUNT(*) FROM jobs WHERE status = 'running'").getInt() == 0);
    // The newest successful job of each stage owns its outputs: they must be what it recorded.
    SQLite::Statement outputs(db,
                              "SELECT path, sha256 FROM artifacts WHERE role = 'output' AND sha256 != '' AND job_id IN "
                              "(SELECT MAX(id) FROM jobs WHERE status = 'succeeded' GROUP BY item_id, stage)");
    while (outputs.executeStep()) {
        const fs::path path = outputs.getColumn(0).getString();
        BOOST_TEST_REQUIRE(fs::exists(path), "a recorded output is missing: " << path);
        BOOST_TEST(dubhost::sha256_file_hex(path) == outputs.getColumn(1).getString(), "differs from its record: " << path);
    }
    for (auto it = fs::recursive_directory_iterator(workspace / "derived"); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file()) continue;
        const fs::path path = it->path();
        if (path.extension() == ".wav") BOOST_TEST(complete_wav(path), "half-written: " << path);
        if (path.extension() == ".mp4") BOOST_TEST(playable(path), "unplayable: " << path);
    }
    // An item folder holds its recorded source and nothing else (no temp copy, no unrecorded folder).
    for (auto it = fs::directory_iterator(workspace / "items"); it != fs::directory_iterator(); ++it) {
        SQLite::Statement item(db, "SELECT sha256, stored_path FROM items WHERE id = ?");
        item.bind(1, it->path().filename().string());
        BOOST_TEST_REQUIRE(item.executeStep(), "a folder with no item: " << it->path());
        for (const auto &file : fs::directory_iterator(it->path()))
            BOOST_TEST(fs::relative(file.path(), workspace).string() == item.getColumn(1).getString(),
                       "a stray file: " << file.path());
        BOOST_TEST(dubhost::sha256_file_hex(workspace / item.getColumn(1).getString()) == item.getColumn(0).getString());
    }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(soak, SoakFixture, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(kill_9_at_random_points_loses_nothing) {
    const auto started = std::chrono::steady_clock::now();
    std::mt19937 random(20261124);
    // Material: a 30 MB WAV to import (its copy and hash take long enough to be hit), the real
    // video dubbed once so mix and mux have their inputs, and the fixture pack's wheels.
    const auto made = dubhost::run_process(
        {"ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=160:r=48000", "-ac", "2", (dir / "long.wav").string()},
        std::chrono::seconds(60));
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    const auto wheels = dubhost::run_process(
        {"python3", std::string(DUBHOST_SOURCE_DIR) + "/tests/packs/make_fixture_wheels.py", (dir / "wheels").string()},
        std::chrono::seconds(60));
    BOOST_TEST_REQUIRE(wheels.exit_code == 0, wheels.err);
    dubhost::test::write_file(dir / "script.srt",
                              "1\n00:00:00,500 --> 00:00:03,000\nhello from the soak test\n\n2\n"
                              "00:00:04,000 --> 00:00:07,000\nnothing may be lost\n");
    const auto dubbed = run({"dub", sample_video.string(), "--subtitles", (dir / "script.srt").string(), "-o",
                             (dir / "first.mp4").string(), "-q", "--json"});
    BOOST_TEST_REQUIRE(dubbed.exit_code == 0, dubbed.err);
    const std::string item = json::parse(dubbed.out.substr(dubbed.out.rfind("\n{") + 1))["item_id"];

    // Each round kills one operation at a random moment within the time it takes when left alone
    // (measured on its first, unkilled run), then runs it again to completion and checks.
    struct Operation {
        std::string name;
        std::vector<std::string> args;
        double seconds = 0;
    };
    std::vector<Operation> operations = {
        {"import", {"import", "", "--json"}},
        {"mix", {"run", "mix", item, "--force"}},
        {"mux", {"run", "mux", item, "--force"}},
        {"pack install", {"pack", "install", "fixture", "--wheelhouse", (dir / "wheels").string(), "--offline", "--force"}},
    };
    // Every import is of new content (one byte differs), so each one copies 30 MB into the workspace.
    int import_number = 0;
    const std::string noise = dubhost::test::read_file(dir / "long.wav");
    auto next_import = [&] {
        std::string content = noise;
        content[content.size() - 1] = static_cast<char>(++import_number);
        const fs::path file = dir / "import.wav";
        dubhost::test::write_file(file, content);
        return file.string();
    };
    for (auto &operation : operations) {
        if (operation.name == "import") operation.args[1] = next_import();
        const auto begun = std::chrono::steady_clock::now();
        const auto completed = run(operation.args);
        BOOST_TEST_REQUIRE(completed.exit_code == 0, operation.name << ": " << completed.err);
        operation.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
        BOOST_TEST_MESSAGE(operation.name << " takes " << operation.seconds << " s");
    }

    int kills = 0, interrupted = 0;
    for (int round = 0; round < 24; ++round) {
        Operation &operation = operations[static_cast<std::size_t>(round) % operations.size()];
        if (operation.name == "import") operation.args[1] = next_import();
        const int delay =
            std::uniform_int_distribution<int>(0, static_cast<int>(operation.seconds * 900))(random);  // up to 90% of its time
        BOOST_TEST_CONTEXT("round " << round << ": " << operation.name << " killed after " << delay << " ms") {
            {
                dubhost::test::SpawnedProcess victim(dubhost(operation.args), dir / "victim.out");
                std::this_thread::sleep_for(std::chrono::milliseconds(delay));
                victim.signal(SIGKILL);
                const int status = victim.wait();
                kills += WIFSIGNALED(status);
            }
            // The next dubhost opens the workspace, marks what the killed one left running, and finishes the work.
            const auto again = run(operation.args);
            BOOST_TEST_REQUIRE(again.exit_code == 0, again.err);
            check_workspace(workspace);
            if (operation.name == "pack install") {
                const auto status = run({"pack", "status", "fixture"});
                BOOST_TEST(status.out.find("fixture: installed") != std::string::npos, status.out);
            }
        }
    }
    const auto listed = run({"jobs", "--json"});
    BOOST_TEST_REQUIRE(listed.exit_code == 0, listed.err);
    std::map<std::string, int> statuses;
    const json jobs = json::parse(listed.out);  // named: a temporary would die before the loop runs
    for (const auto &job : jobs["jobs"]) ++statuses[job["status"].get<std::string>()];
    for (const auto &[status, count] : statuses) BOOST_TEST_MESSAGE("jobs " << status << ": " << count);
    interrupted = statuses["interrupted"];
    BOOST_TEST(kills >= 20, kills << " of 24 runs were killed (the rest finished first)");
    BOOST_TEST(interrupted > 0);  // kills landed inside jobs, and those jobs were marked so
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST_MESSAGE("soak: " << kills << " kills in " << seconds << " s");
    BOOST_TEST(seconds < 180.0);
}

BOOST_AUTO_TEST_SUITE_END()
