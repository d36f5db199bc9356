#include <dubhost/support/error.hpp>
#include "dubhost/host/sha256.hpp"
#include "dubhost/host/workspace.hpp"

#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using dubhost::Workspace;
using dubhost::test::TempDir;
using dubhost::test::write_file;

namespace {

std::string failure_code(const std::function<void()> &action) {
    try {
        action();
    } catch (const dubhost::Failure &failure) {
        return failure.code();
    }
    return "";
}

// Everything below the workspace's items/ folder, to prove a failed import left nothing behind.
std::size_t files_under(const fs::path &folder) {
    std::size_t count = 0;
    for (auto it = fs::recursive_directory_iterator(folder); it != fs::recursive_directory_iterator(); ++it) ++count;
    return count;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(workspace)

BOOST_AUTO_TEST_CASE(fresh_workspace_has_layout_schema_and_wal) {
    TempDir dir;
    const fs::path root = dir / "my workspace ünïcode";
    {
        Workspace workspace = Workspace::open(root);
        BOOST_TEST(workspace.stored_schema_version() == Workspace::schema_version);
        for (const char *folder : {"items", "derived", "packs", "logs", "cache"}) BOOST_TEST(fs::is_directory(root / folder));
    }
    SQLite::Database db((root / "library.db").string());
    BOOST_TEST(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
    for (const char *table : {"items", "tracks", "segments", "speakers", "jobs", "artifacts", "schema_version"})
        BOOST_TEST(db.tableExists(table), table);
}

BOOST_AUTO_TEST_CASE(an_empty_database_file_is_migrated_and_data_survives_reopen) {
    TempDir dir;
    { SQLite::Database db((dir / "library.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
    dubhost::test::write_wav_tone(dir / "tone.wav", 16000, 0.5, 440);
    std::string id;
    {
        Workspace workspace = Workspace::open(dir.path());
        BOOST_TEST(workspace.stored_schema_version() == Workspace::schema_version);
        id = workspace.import_media(dir / "tone.wav", Workspace::ImportMode::copy).item.id;
    }
    Workspace reopened = Workspace::open(dir.path());
    BOOST_TEST(reopened.stored_schema_version() == Workspace::schema_version);
    BOOST_TEST_REQUIRE(reopened.items().size() == 1u);
    BOOST_TEST(reopened.items()[0].id == id);
}

BOOST_AUTO_TEST_CASE(a_version_1_library_is_migrated_keeping_its_jobs) {
    TempDir dir;
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 500);
    std::string item;
    { item = Workspace::open(dir / "ws").import_media(dir / "a.wav", Workspace::ImportMode::copy).item.id; }
    {
        // Turn it back into what version 1 wrote: no job columns of migration 2, no track link of 3.
        SQLite::Database db((dir / "ws" / "library.db").string(), SQLite::OPEN_READWRITE);
        for (const char *column : {"backend_plugin", "inputs_key", "pid", "result_json"})
            db.exec(std::string("ALTER TABLE jobs DROP COLUMN ") + column);
        db.exec("ALTER TABLE tracks DROP COLUMN source_track_id");
        db.exec("UPDATE schema_version SET version = 1");
        db.exec("INSERT INTO jobs (item_id, stage, backend, status, created_at) VALUES ('" + item +
                "', 'extract', 'ffmpeg', 'succeeded', 'then')");
    }
    Workspace migrated = Workspace::open(dir / "ws");
    BOOST_TEST(migrated.stored_schema_version() == Workspace::schema_version);
    const auto jobs = migrated.jobs(item);
    BOOST_TEST_REQUIRE(jobs.size() == 1u);
    BOOST_TEST(jobs[0].stage == "extract");
    BOOST_TEST(jobs[0].inputs_key == "");
}

BOOST_AUTO_TEST_CASE(running_jobs_of_dead_processes_are_marked_interrupted) {
    TempDir dir;
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 500);
    Workspace workspace = Workspace::open(dir / "ws");
    const std::string item = workspace.import_media(dir / "a.wav", Workspace::ImportMode::copy).item.id;
    dubhost::JobRecord job;
    job.item_id = item;
    job.stage = "mix";
    job.backend = "ffmpeg";
    const auto mine = workspace.start_job(job);  // this process: alive
    {
        SQLite::Database db((dir / "ws" / "library.db").string(), SQLite::OPEN_READWRITE);
        db.exec("INSERT INTO jobs (item_id, stage, backend, status, created_at, pid) VALUES ('" + item +
                "', 'mux', 'ffmpeg', 'running', 'x', 999999999)");
    }
    BOOST_TEST(workspace.mark_abandoned_jobs() == 1);
    BOOST_TEST(workspace.require_job(mine).status == "running");
    const auto jobs = workspace.jobs(item);
    BOOST_TEST(jobs.back().status == "interrupted");
    BOOST_TEST(jobs.back().error_json.find("run the stage again") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused) {
    TempDir dir;
    { Workspace::open(dir.path()); }
    {
        SQLite::Database db((dir / "library.db").string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE schema_version SET version = 99");
    }
    BOOST_TEST(failure_code([&] { Workspace::open(dir.path()); }) == "library-too-new");
}

BOOST_AUTO_TEST_CASE(a_corrupt_library_is_reported_and_left_untouched) {
    TempDir dir;
    std::string garbage = "this is not an SQLite database, just bytes";
    garbage.resize(8192, 'x');
    write_file(dir / "library.db", garbage);
    const std::string before = dubhost::sha256_file_hex(dir / "library.db");
    BOOST_TEST(failure_code([&] { Workspace::open(dir.path()); }) == "library-corrupt");
    BOOST_TEST(dubhost::sha256_file_hex(dir / "library.db") == before);
}

BOOST_AUTO_TEST_CASE(importing_the_same_content_twice_gives_the_same_item) {
    TempDir dir;
    dubhost::test::write_wav_tone(dir / "in put" / "voice ü.wav", 16000, 0.3, 300);
    fs::copy_file(dir / "in put" / "voice ü.wav", dir / "renamed copy.wav");
    Workspace workspace = Workspace::open(dir / "ws");
    const auto first = workspace.import_media(dir / "in put" / "voice ü.wav", Workspace::ImportMode::copy);
    BOOST_TEST(!first.already_present);
    BOOST_TEST(first.item.id.size() == 16u);
    BOOST_TEST(first.item.media_kind == "audio");
    BOOST_TEST(first.item.container == "wav");
    BOOST_TEST(first.item.original_name == "voice ü.wav");
    BOOST_TEST(dubhost::sha256_file_hex(workspace.root() / first.item.stored_path) == first.item.sha256);
    const auto second = workspace.import_media(dir / "renamed copy.wav", Workspace::ImportMode::copy);
    BOOST_TEST(second.already_present);
    BOOST_TEST(second.item.id == first.item.id);
    dubhost::test::write_wav_tone(dir / "other.wav", 16000, 0.3, 600);
    BOOST_TEST(workspace.import_media(dir / "other.wav", Workspace::ImportMode::copy).item.id != first.item.id);
    BOOST_TEST(workspace.items().size() == 2u);
}

BOOST_AUTO_TEST_CASE(link_import_points_at_the_original_and_heals_a_lost_copy) {
    TempDir dir;
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 500);
    Workspace workspace = Workspace::open(dir / "ws");
    const auto linked = workspace.import_media(dir / "a.wav", Workspace::ImportMode::link);
    const fs::path stored = workspace.root() / linked.item.stored_path;
    BOOST_TEST(linked.item.linked);
    BOOST_TEST(fs::is_symlink(stored));
    BOOST_TEST(fs::equivalent(stored, dir / "a.wav"));

    dubhost::test::write_wav_tone(dir / "b.wav", 8000, 0.2, 700);
    const auto copied = workspace.import_media(dir / "b.wav", Workspace::ImportMode::copy);
    fs::remove(workspace.root() / copied.item.stored_path);
    const auto again = workspace.import_media(dir / "b.wav", Workspace::ImportMode::copy);
    BOOST_TEST(again.already_present);
    BOOST_TEST(fs::is_regular_file(workspace.root() / copied.item.stored_path));
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_user_errors_and_leave_nothing_behind) {
    TempDir dir;
    Workspace workspace = Workspace::open(dir / "ws");
    write_file(dir / "empty.mp4", "");
    write_file(dir / "notes.mp4", "1\n00:00:01,000 --> 00:00:02,000\nI am a subtitle file\n");
    fs::create_directories(dir / "folder.mp4");
    BOOST_TEST(failure_code([&] { workspace.import_media(dir / "missing.mp4", Workspace::ImportMode::copy); }) == "no-such-file");
    BOOST_TEST(failure_code([&] { workspace.import_media(dir / "empty.mp4", Workspace::ImportMode::copy); }) == "empty-file");
    BOOST_TEST(failure_code([&] { workspace.import_media(dir / "notes.mp4", Workspace::ImportMode::copy); }) == "not-media");
    BOOST_TEST(failure_code([&] { workspace.import_media(dir / "folder.mp4", Workspace::ImportMode::copy); }) == "not-a-file");
    BOOST_TEST(workspace.items().empty());
    BOOST_TEST(files_under(workspace.items_dir()) == 0u);
}

BOOST_AUTO_TEST_CASE(tracks_store_segments_and_register_speakers) {
    TempDir dir;
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 500);
    Workspace workspace = Workspace::open(dir / "ws");
    const auto item = workspace.import_media(dir / "a.wav", Workspace::ImportMode::copy).item;
    dubhost::SubtitleTrack track;
    track.item_id = item.id;
    track.kind = "source";
    track.language = "en";
    track.created_by = "import:test.srt";
    track.segments = {{0, 0, 1000, "Hello", "Alice"}, {0, 1000, 2500, "Hi, Alice", "Bob"}, {0, 3000, 3500, "Mm", ""}};
    const auto id = workspace.add_track(track);
    const auto stored = workspace.require_track(id);
    BOOST_TEST(stored.item_id == item.id);
    BOOST_TEST_REQUIRE(stored.segments.size() == 3u);
    BOOST_TEST(stored.segments[1].text == "Hi, Alice");
    BOOST_TEST(stored.segments[1].speaker == "Bob");
    BOOST_TEST(stored.segments[1].id > 0);
    BOOST_TEST(workspace.tracks(item.id).size() == 1u);
    const auto speakers = workspace.speakers(item.id);
    BOOST_TEST_REQUIRE(speakers.size() == 2u);
    BOOST_TEST(speakers[0].label == "Alice");
    BOOST_TEST(failure_code([&] { workspace.require_track(id + 100); }) == "no-such-track");
}

BOOST_AUTO_TEST_CASE(items_are_found_by_unique_prefix) {
    TempDir dir;
    dubhost::test::write_wav_tone(dir / "a.wav", 8000, 0.2, 500);
    Workspace workspace = Workspace::open(dir / "ws");
    const auto item = workspace.import_media(dir / "a.wav", Workspace::ImportMode::copy).item;
    BOOST_TEST(workspace.require_item(item.id.substr(0, 6)).id == item.id);
    BOOST_TEST(failure_code([&] { workspace.require_item("zzzz"); }) == "no-such-item");
    BOOST_TEST(failure_code([&] { workspace.require_item("'; DROP TABLE items; --"); }) == "no-such-item");
}

BOOST_AUTO_TEST_CASE(a_read_only_folder_is_a_clear_user_error) {
    TempDir dir;
    fs::create_directories(dir / "ro");
    const auto read_and_enter = fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec;
    fs::permissions(dir / "ro", read_and_enter);
    const auto open_read_only = [&] { return failure_code([&] { Workspace::open(dir / "ro"); }); };
    if (::geteuid() != 0) {
        BOOST_TEST(open_read_only() == "workspace-not-writable");
        return;
    }
    // Permission bits do not bind root: try it in a child that has become nobody.
    fs::permissions(dir.path(), read_and_enter, fs::perm_options::add);
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        const bool dropped = ::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0;
        ::_exit(!dropped ? 2 : open_read_only() == "workspace-not-writable" ? 0 : 1);
    }
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0, "exit 1: another error than workspace-not-writable; 2: could not become nobody");
}

BOOST_AUTO_TEST_SUITE_END()
