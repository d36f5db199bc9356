// Several dubhost processes on one workspace: different items proceed side by side, the same item
// is refused with a clear "busy" message while another process works on it, and the library stays
// whole.
#include <dubhost/support/process.hpp>
#include "dubhost/host/sha256.hpp"

#include "support/isolated_home.hpp"
#include "support/media_files.hpp"
#include "support/spawned_process.hpp"
#include "support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>

namespace fs = std::filesystem;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

struct SharedWorkspace : dubhost::test::IsolatedHome {
    TempDir dir{"dubhost-concurrency"};
    std::vector<std::string> dubhost(std::vector<std::string> args) const {
        args.insert(args.begin(), {DUBHOST_BINARY, "--workspace", (dir / "ws").string()});
        return args;
    }
    json ok_json(std::vector<std::string> args) const {
        args.push_back("--json");
        const auto result = dubhost::run_process(dubhost(args), std::chrono::seconds(120));
        BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
        return json::parse(result.out);
    }
    std::string integrity() const {
        SQLite::Database db((dir / "ws" / "library.db").string(), SQLite::OPEN_READONLY);
        return db.execAndGet("PRAGMA integrity_check").getString();
    }
};

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(concurrency, SharedWorkspace)

// Imports of one file racing each other: the losers of the insert report the winner's item as already
// present and never remove what it recorded (they once deleted its folder, leaving an item without media).
BOOST_AUTO_TEST_CASE(concurrent_imports_of_one_file_leave_one_item_whose_media_is_whole) {
    const std::string media = "/usr/share/sounds/alsa/Front_Center.wav";
    const std::string digest = dubhost::sha256_file_hex(media);
    for (int round = 0; round < 20; ++round) {
        const fs::path workspace = dir / ("ws-" + std::to_string(round));
        std::vector<std::unique_ptr<dubhost::test::SpawnedProcess>> imports;
        for (int i = 0; i < 4; ++i)
            imports.push_back(std::make_unique<dubhost::test::SpawnedProcess>(
                std::vector<std::string>{DUBHOST_BINARY, "--workspace", workspace.string(), "import", media, "--json"},
                dir / ("import-" + std::to_string(round) + "-" + std::to_string(i) + ".out")));
        for (auto &import : imports) BOOST_TEST_REQUIRE(exit_code(import->wait()) == 0, "round " << round);
        const auto listed = dubhost::run_process({DUBHOST_BINARY, "--workspace", workspace.string(), "items", "--json"},
                                                 std::chrono::seconds(60));
        BOOST_TEST_REQUIRE(listed.exit_code == 0, listed.err);
        const json items = json::parse(listed.out)["items"];
        BOOST_TEST_REQUIRE(items.size() == 1u, "round " << round << ": " << items.dump());
        const fs::path stored = workspace / items[0]["stored_path"].get<std::string>();
        BOOST_TEST_REQUIRE(fs::exists(stored), "round " << round << ": " << stored << " is gone");
        BOOST_TEST(dubhost::sha256_file_hex(stored) == digest, "round " << round);
    }
}

BOOST_AUTO_TEST_CASE(two_processes_open_a_new_workspace_and_dub_different_items_at_once) {
    for (int i = 0; i < 2; ++i) {
        dubhost::test::write_wav_tone(dir / ("clip" + std::to_string(i) + ".wav"), 16000, 3.0, 300 + 200 * i);
        dubhost::test::write_file(dir / ("clip" + std::to_string(i) + ".srt"),
                                  "1\n00:00:00,200 --> 00:00:01,500\nhello there\n\n2\n00:00:01,800 --> 00:00:02,800\nand you\n");
    }
    // Both start on a workspace that does not exist yet: creating and migrating it happens once.
    std::vector<std::unique_ptr<dubhost::test::SpawnedProcess>> runs;
    for (int i = 0; i < 2; ++i) {
        const std::string clip = (dir / ("clip" + std::to_string(i))).string();
        runs.push_back(std::make_unique<dubhost::test::SpawnedProcess>(
            dubhost({"dub", clip + ".wav", "--subtitles", clip + ".srt", "-o", clip + ".dub.wav", "-q"}),
            dir / ("run" + std::to_string(i) + ".out")));
    }
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(exit_code(runs[i]->wait()) == 0, dubhost::test::read_file(dir / ("run" + std::to_string(i) + ".out.err")));
    BOOST_TEST(fs::exists(dir / "clip0.dub.wav"));
    BOOST_TEST(fs::exists(dir / "clip1.dub.wav"));
    const json items = ok_json({"items"})["items"];
    BOOST_TEST(items.size() == 2u);
    const json all_jobs = ok_json({"jobs"});  // named: a temporary would die before the loop runs
    for (const auto &job : all_jobs["jobs"]) BOOST_TEST(job["status"] == "succeeded", job.dump());
    BOOST_TEST(integrity() == "ok");
}

BOOST_AUTO_TEST_CASE(the_same_item_is_busy_while_another_process_works_on_it) {
    dubhost::test::write_wav_tone(dir / "clip.wav", 16000, 2.0, 440);
    const std::string item = ok_json({"import", (dir / "clip.wav").string()})["item_id"];

    // Another process holds the item (as a running dubhost does): the second is told, and waits for nothing.
    const fs::path lock_path = dir / "ws" / "derived" / "items" / item / ".lock";
    fs::create_directories(lock_path.parent_path());
    const int held = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
    BOOST_TEST_REQUIRE(::flock(held, LOCK_EX) == 0);
    const std::string holder = "4242\n";
    BOOST_TEST_REQUIRE(::pwrite(held, holder.data(), holder.size(), 0) == static_cast<ssize_t>(holder.size()));
    const auto busy = dubhost::run_process(dubhost({"run", "extract", item, "--json"}), std::chrono::seconds(30));
    BOOST_TEST(busy.exit_code == 1, busy.err);
    const json error = json::parse(busy.out)["error"];
    BOOST_TEST(error["code"] == "item-busy");
    BOOST_TEST(error["message"] == "item " + item + " is busy: another dubhost process (pid 4242) is working on it");
    BOOST_TEST(error["hint"].get<std::string>().find("dubhost jobs " + item) != std::string::npos);
    BOOST_TEST(ok_json({"jobs", item})["jobs"].empty());  // refused before a job was recorded
    ::close(held);
    BOOST_TEST(dubhost::run_process(dubhost({"run", "extract", item}), std::chrono::seconds(60)).exit_code == 0);

    // A real race: several processes forcing the same stage at once. Each either runs it or is told
    // the item is busy; at least one runs; the library stays whole and no job is left running.
    std::vector<std::unique_ptr<dubhost::test::SpawnedProcess>> racers;
    for (int i = 0; i < 3; ++i)
        racers.push_back(std::make_unique<dubhost::test::SpawnedProcess>(dubhost({"run", "separate", item, "--force", "--json"}),
                                                                         dir / ("race" + std::to_string(i) + ".out")));
    int ran = 0;
    for (int i = 0; i < 3; ++i) {
        const int code = exit_code(racers[i]->wait());
        const std::string out = dubhost::test::read_file(dir / ("race" + std::to_string(i) + ".out"));
        if (code == 0) {
            ++ran;
        } else {
            BOOST_TEST(code == 1, out);
            BOOST_TEST(out.find("\"item-busy\"") != std::string::npos, out);
        }
    }
    BOOST_TEST(ran >= 1);
    const json item_jobs = ok_json({"jobs", item});
    for (const auto &job : item_jobs["jobs"]) BOOST_TEST(job["status"] == "succeeded", job.dump());
    BOOST_TEST(integrity() == "ok");
}

BOOST_AUTO_TEST_SUITE_END()
