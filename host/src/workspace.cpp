#include "dubhost/host/workspace.hpp"

#include "dubhost/host/media_sniff.hpp"
#include "dubhost/host/sha256.hpp"
#include "workspace_schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/clock.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/language_codes.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>
#include <thread>

namespace dubhost {
namespace fs = std::filesystem;

struct Workspace::State {
    fs::path root;
    SQLite::Database db;
};

namespace {

Failure unwritable_workspace(const fs::path &root, const std::string &reason) {
    return user_error(
        "workspace-not-writable", "the workspace " + root.string() + " is not writable: " + reason,
        "use a writable folder with --workspace DIR (or DUBHOST_WORKSPACE), or make it writable: chmod u+w " + root.string());
}

// Fails early and clearly, instead of letting SQLite report "attempt to write a readonly database".
void require_writable_folder(const fs::path &root) {
    std::error_code error;
    fs::create_directories(root, error);
    if (error) throw unwritable_workspace(root, error.message());
    const fs::path probe = root / (".write-probe-" + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw unwritable_workspace(root, std::strerror(errno));
    ::close(fd);
    fs::remove(probe, error);
}

int read_schema_version(SQLite::Database &db) {
    if (!db.tableExists("schema_version")) return 0;
    SQLite::Statement query(db, "SELECT version FROM schema_version");
    return query.executeStep() ? query.getColumn(0).getInt() : 0;
}

void refuse_newer_schema(int stored, int known, const fs::path &database) {
    if (stored > known)
        throw user_error("library-too-new",
                         database.string() + " has schema version " + std::to_string(stored) +
                             " but this dubhost knows only up to " + std::to_string(known),
                         "upgrade dubhost, or use another workspace with --workspace DIR");
}

void migrate(SQLite::Database &db, const fs::path &database) {
    const int known = static_cast<int>(schema::migrations.size());
    refuse_newer_schema(read_schema_version(db), known, database);
    if (read_schema_version(db) == known) return;
    // IMMEDIATE takes the write lock first, so two processes opening a new workspace at once
    // migrate it once: the second waits (busy timeout), then sees the version the first wrote.
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int stored = read_schema_version(db);
    refuse_newer_schema(stored, known, database);
    if (stored == known) return;
    if (stored == 0) db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    for (int version = stored; version < known; ++version) db.exec(std::string(schema::migrations[version]));
    db.exec("DELETE FROM schema_version");
    db.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(known) + ")");
    transaction.commit();
}

// Switching a new library to WAL needs an exclusive lock, and SQLite answers "busy" at once
// (without its busy handler) when another process is opening the same new library: retry for as
// long as the busy timeout would have waited.
void prepare_library(SQLite::Database &db, const fs::path &database) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
        try {
            db.exec("PRAGMA journal_mode=WAL");
            db.exec("PRAGMA foreign_keys=ON");
            db.exec("PRAGMA synchronous=NORMAL");
            migrate(db, database);
            return;
        } catch (const SQLite::Exception &failure) {
            const int code = failure.getErrorCode() & 0xff;
            if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

Item read_item(SQLite::Statement &row) {
    Item item;
    item.id = row.getColumn(0).getString();
    item.original_name = row.getColumn(1).getString();
    item.original_path = row.getColumn(2).getString();
    item.stored_path = row.getColumn(3).getString();
    item.linked = row.getColumn(4).getInt() != 0;
    item.size_bytes = row.getColumn(5).getInt64();
    item.sha256 = row.getColumn(6).getString();
    item.container = row.getColumn(7).getString();
    item.media_kind = row.getColumn(8).getString();
    item.probe_json = row.getColumn(9).getString();
    item.imported_at = row.getColumn(10).getString();
    return item;
}

constexpr const char *item_columns =
    "id, original_name, original_path, stored_path, linked, size_bytes, sha256, container, media_kind, probe_json, imported_at";

std::string lower_extension(const fs::path &file, const std::string &container) {
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool plain = extension.size() >= 2 && extension.size() <= 6 &&
                       std::all_of(extension.begin() + 1, extension.end(), [](unsigned char c) { return std::isalnum(c); });
    if (plain) return extension;
    return container == "unknown" ? std::string(".bin") : "." + container;
}

// Puts the content (or a link to it) at items/<id>/source.<ext>, atomically.
void store_source(const fs::path &source, const fs::path &stored, Workspace::ImportMode mode) {
    std::error_code error;
    fs::create_directories(stored.parent_path(), error);
    if (error) throw user_error("write-failed", "cannot create " + stored.parent_path().string() + ": " + error.message());
    if (mode == Workspace::ImportMode::copy) {
        copy_file_atomically(source, stored);
        return;
    }
    PendingFile pending(stored);
    fs::create_symlink(fs::absolute(source), pending.temp_path(), error);
    if (error) throw user_error("write-failed", "cannot link " + stored.string() + ": " + error.message());
    pending.commit();
}

// A copy into items/ is written as `source.<ext>.tmp-<pid>-<n>` and renamed (atomic_file.hpp). A
// process killed mid-copy leaves that temp file, and perhaps a folder holding nothing else; both
// are removed once their writer is gone.
void remove_abandoned_copies(const fs::path &items) {
    std::error_code error;
    for (fs::directory_iterator folder(items, error), end; !error && folder != end; folder.increment(error)) {
        std::error_code inner;
        std::vector<fs::path> abandoned;
        for (fs::directory_iterator it(folder->path(), inner), stop; !inner && it != stop; it.increment(inner)) {
            const std::string name = it->path().filename().string();
            const auto marker = name.rfind(".tmp-");
            if (marker == std::string::npos) continue;
            const pid_t writer = static_cast<pid_t>(std::atol(name.c_str() + marker + 5));
            if (writer <= 0 || (::kill(writer, 0) != 0 && errno == ESRCH)) abandoned.push_back(it->path());
        }
        for (const auto &path : abandoned) fs::remove(path, inner);
        if (!abandoned.empty()) fs::remove(folder->path(), inner);  // only succeeds when nothing else is there
    }
}

bool stored_source_intact(const fs::path &stored) {
    std::error_code error;
    return fs::exists(stored, error);  // follows a link: a moved original counts as missing
}

}  // namespace

Workspace::Workspace(std::unique_ptr<State> state) : state_(std::move(state)) {}
Workspace::Workspace(Workspace &&) noexcept = default;
Workspace &Workspace::operator=(Workspace &&) noexcept = default;
Workspace::~Workspace() = default;

const fs::path &Workspace::root() const { return state_->root; }

Workspace Workspace::open(const fs::path &requested_root) {
    const fs::path root = fs::absolute(requested_root).lexically_normal();
    std::error_code error;
    if (fs::exists(root, error) && !fs::is_directory(root, error))
        throw user_error("workspace-not-a-folder", "the workspace " + root.string() + " exists and is not a folder",
                         "pass a folder with --workspace DIR");
    require_writable_folder(root);
    const fs::path database = root / "library.db";
    try {
        auto state = std::unique_ptr<State>(
            new State{root, SQLite::Database(database.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 15000)});
        SQLite::Database &db = state->db;
        prepare_library(db, database);
        for (const char *folder : {"items", "derived", "packs", "logs", "cache"}) fs::create_directories(root / folder);
        remove_abandoned_copies(root / "items");
        return Workspace(std::move(state));
    } catch (const SQLite::Exception &failure) {
        const int code = failure.getErrorCode() & 0xff;
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            throw user_error(
                "library-corrupt",
                database.string() + " is not a readable dubhost library (" + failure.what() + "); it has been left untouched",
                "restore it from a backup, or move it aside to start an empty library: mv '" + database.string() + "' '" +
                    database.string() + ".broken'");
        if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM)
            throw unwritable_workspace(root, failure.what());
        if (code == SQLITE_FULL)
            throw user_error("disk-full", "the disk holding " + root.string() + " is full", "free some space and retry");
        throw Failure(ErrorKind::internal, "library-error", "opening " + database.string() + " failed: " + failure.what());
    }
}

int Workspace::stored_schema_version() const { return read_schema_version(state_->db); }

ImportOutcome Workspace::import_media(const fs::path &file, ImportMode mode, const MediaProber *prober) {
    const MediaSniff sniff = sniff_media(file);
    const std::optional<ProbeResult> probe = prober ? std::optional<ProbeResult>((*prober)(file)) : std::nullopt;
    const std::string digest = sha256_file_hex(file);
    const std::string item_id = digest.substr(0, 16);
    SQLite::Database &db = state_->db;

    SQLite::Statement existing(db, std::string("SELECT ") + item_columns + " FROM items WHERE id = ?");
    existing.bind(1, item_id);
    if (existing.executeStep()) {
        ImportOutcome outcome{read_item(existing), true};
        if (!stored_source_intact(root() / outcome.item.stored_path)) {  // heal a lost copy or a dangling link
            store_source(file, root() / outcome.item.stored_path, outcome.item.linked ? ImportMode::link : ImportMode::copy);
        }
        if (probe && outcome.item.probe_json == "{}") {
            SQLite::Statement update(db, "UPDATE items SET probe_json = ?, media_kind = ? WHERE id = ?");
            update.bind(1, probe->probe_json);
            update.bind(2, probe->media_kind);
            update.bind(3, item_id);
            update.exec();
            outcome.item.probe_json = probe->probe_json;
            outcome.item.media_kind = probe->media_kind;
        }
        return outcome;
    }

    Item item;
    item.id = item_id;
    item.original_name = file.filename().string();
    item.original_path = fs::absolute(file).lexically_normal().string();
    item.stored_path = (fs::path("items") / item_id / ("source" + lower_extension(file, sniff.container))).string();
    item.linked = mode == ImportMode::link;
    item.size_bytes = static_cast<std::int64_t>(fs::file_size(file));
    item.sha256 = digest;
    item.container = sniff.container == "unknown" && probe && !probe->format.empty() ? probe->format : sniff.container;
    item.media_kind = probe ? probe->media_kind : sniff.kind;
    item.probe_json = probe ? probe->probe_json : "{}";
    item.imported_at = utc_timestamp();

    const fs::path stored = root() / item.stored_path;
    store_source(file, stored, mode);
    try {
        SQLite::Statement insert(
            db, std::string("INSERT INTO items (") + item_columns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, item.id);
        insert.bind(2, item.original_name);
        insert.bind(3, item.original_path);
        insert.bind(4, item.stored_path);
        insert.bind(5, item.linked ? 1 : 0);
        insert.bind(6, static_cast<int64_t>(item.size_bytes));
        insert.bind(7, item.sha256);
        insert.bind(8, item.container);
        insert.bind(9, item.media_kind);
        insert.bind(10, item.probe_json);
        insert.bind(11, item.imported_at);
        insert.exec();
    } catch (const SQLite::Exception &failure) {
        // Another process imported the same content between our look-up and our insert: its row wins, and
        // the file it recorded is whole (both copies were renamed into place atomically, with the same
        // bytes). Nothing it recorded may be removed, so neither is the item's folder; only our own copy,
        // where it is not the file the winner recorded.
        SQLite::Statement winner(db, std::string("SELECT ") + item_columns + " FROM items WHERE id = ?");
        winner.bind(1, item_id);
        if (winner.executeStep()) {
            const Item recorded = read_item(winner);
            if (recorded.stored_path != item.stored_path) {
                std::error_code ignored;
                fs::remove(stored, ignored);
            }
            return {recorded, true};
        }
        std::error_code ignored;
        fs::remove(stored, ignored);                // no file without its record
        fs::remove(stored.parent_path(), ignored);  // and its folder, when nothing else is in it
        throw Failure(ErrorKind::internal, "library-error", "recording " + file.string() + " failed: " + failure.what());
    }
    return {item, false};
}

std::vector<Item> Workspace::items() const {
    SQLite::Statement query(state_->db, std::string("SELECT ") + item_columns + " FROM items ORDER BY imported_at, id");
    std::vector<Item> items;
    while (query.executeStep()) items.push_back(read_item(query));
    return items;
}

Item Workspace::require_item(const std::string &id_or_prefix) const {
    const bool plausible =
        !id_or_prefix.empty() && id_or_prefix.size() <= 64 &&
        std::all_of(id_or_prefix.begin(), id_or_prefix.end(), [](unsigned char c) { return std::isxdigit(c); });
    std::vector<Item> matches;
    if (plausible) {
        SQLite::Statement query(state_->db, std::string("SELECT ") + item_columns + " FROM items WHERE id LIKE ? || '%' LIMIT 2");
        query.bind(1, id_or_prefix);
        while (query.executeStep()) matches.push_back(read_item(query));
    }
    if (matches.size() == 1) return matches.front();
    if (matches.empty())
        throw user_error("no-such-item", "no item '" + id_or_prefix + "' in the workspace " + root().string(),
                         "list the items with `dubhost items`, or import the file with `dubhost import FILE`");
    throw user_error("ambiguous-item", "'" + id_or_prefix + "' matches several items",
                     "type more of the item id (see `dubhost items`)");
}

std::int64_t Workspace::add_track(SubtitleTrack track) {
    require_item(track.item_id);
    if (!track.language.empty()) track.language = require_language(track.language).canonical;
    SQLite::Database &db = state_->db;
    SQLite::Transaction transaction(db);
    SQLite::Statement insert_track(db,
                                   "INSERT INTO tracks (item_id, kind, language, created_by, created_at, source_track_id) "
                                   "VALUES (?, ?, ?, ?, ?, ?)");
    insert_track.bind(1, track.item_id);
    insert_track.bind(2, track.kind);
    insert_track.bind(3, track.language);
    insert_track.bind(4, track.created_by);
    insert_track.bind(5, utc_timestamp());
    if (track.source_track > 0)
        insert_track.bind(6, static_cast<int64_t>(track.source_track));
    else
        insert_track.bind(6);
    insert_track.exec();
    const std::int64_t track_id = db.getLastInsertRowid();
    SQLite::Statement insert_segment(
        db, "INSERT INTO segments (track_id, position, start_ms, end_ms, text, speaker) VALUES (?, ?, ?, ?, ?, ?)");
    SQLite::Statement insert_speaker(db, "INSERT OR IGNORE INTO speakers (item_id, label) VALUES (?, ?)");
    std::int64_t position = 0;
    for (const SubtitleSegment &segment : track.segments) {
        insert_segment.bind(1, static_cast<int64_t>(track_id));
        insert_segment.bind(2, static_cast<int64_t>(position++));
        insert_segment.bind(3, static_cast<int64_t>(segment.start_ms));
        insert_segment.bind(4, static_cast<int64_t>(segment.end_ms));
        insert_segment.bind(5, segment.text);
        insert_segment.bind(6, segment.speaker);
        insert_segment.exec();
        insert_segment.reset();
        if (!segment.speaker.empty()) {
            insert_speaker.bind(1, track.item_id);
            insert_speaker.bind(2, segment.speaker);
            insert_speaker.exec();
            insert_speaker.reset();
        }
    }
    transaction.commit();
    return track_id;
}

void Workspace::set_segment_text(std::int64_t track_id, std::int64_t segment_id, const std::string &text) {
    const SubtitleTrack track = require_track(track_id);
    SQLite::Statement update(state_->db, "UPDATE segments SET text = ? WHERE id = ? AND track_id = ?");
    update.bind(1, text);
    update.bind(2, static_cast<int64_t>(segment_id));
    update.bind(3, static_cast<int64_t>(track_id));
    if (update.exec() == 0)
        throw user_error("no-such-segment",
                         "track " + std::to_string(track_id) + " has no segment " + std::to_string(segment_id) + " (its " +
                             std::to_string(track.segments.size()) + " segments are numbered by id)",
                         "list them with `dubhost track export " + std::to_string(track_id) + " --format json`");
}

namespace {

std::vector<SubtitleSegment> read_segments(SQLite::Database &db, std::int64_t track_id) {
    SQLite::Statement query(db, "SELECT id, start_ms, end_ms, text, speaker FROM segments WHERE track_id = ? ORDER BY position");
    query.bind(1, static_cast<int64_t>(track_id));
    std::vector<SubtitleSegment> segments;
    while (query.executeStep())
        segments.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getInt64(), query.getColumn(2).getInt64(),
                            query.getColumn(3).getString(), query.getColumn(4).getString()});
    return segments;
}

SubtitleTrack read_track(SQLite::Database &db, SQLite::Statement &row) {
    SubtitleTrack track;
    track.id = row.getColumn(0).getInt64();
    track.item_id = row.getColumn(1).getString();
    track.kind = row.getColumn(2).getString();
    track.language = row.getColumn(3).getString();
    track.created_by = row.getColumn(4).getString();
    track.source_track = row.getColumn(5).isNull() ? 0 : row.getColumn(5).getInt64();
    track.segments = read_segments(db, track.id);
    return track;
}

}  // namespace

std::vector<SubtitleTrack> Workspace::tracks(const std::string &item_id) const {
    SQLite::Statement query(
        state_->db, "SELECT id, item_id, kind, language, created_by, source_track_id FROM tracks WHERE item_id = ? ORDER BY id");
    query.bind(1, item_id);
    std::vector<SubtitleTrack> tracks;
    while (query.executeStep()) tracks.push_back(read_track(state_->db, query));
    return tracks;
}

SubtitleTrack Workspace::require_track(std::int64_t track_id) const {
    SQLite::Statement query(state_->db,
                            "SELECT id, item_id, kind, language, created_by, source_track_id FROM tracks WHERE id = ?");
    query.bind(1, static_cast<int64_t>(track_id));
    if (!query.executeStep())
        throw user_error("no-such-track", "no subtitle track " + std::to_string(track_id) + " in " + root().string(),
                         "list an item's tracks with `dubhost tracks ITEM`");
    return read_track(state_->db, query);
}

std::vector<SpeakerRecord> Workspace::speakers(const std::string &item_id) const {
    SQLite::Statement query(state_->db, "SELECT item_id, label, voice FROM speakers WHERE item_id = ? ORDER BY label");
    query.bind(1, item_id);
    std::vector<SpeakerRecord> speakers;
    while (query.executeStep())
        speakers.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString()});
    return speakers;
}

void Workspace::set_speaker_voice(const std::string &item_id, const std::string &label, const std::string &voice) {
    if (label.empty())
        throw user_error("bad-speaker", "a speaker label cannot be empty",
                         "see the labels with `dubhost speakers " + item_id + "`");
    SQLite::Statement upsert(state_->db,
                             "INSERT INTO speakers (item_id, label, voice) VALUES (?, ?, ?) ON CONFLICT (item_id, label) DO "
                             "UPDATE SET voice = excluded.voice");
    upsert.bind(1, item_id);
    upsert.bind(2, label);
    upsert.bind(3, voice);
    upsert.exec();
}

}  // namespace dubhost

namespace dubhost {
namespace {

constexpr const char *job_columns =
    "id, item_id, stage, backend, backend_plugin, backend_version, params_json, status, created_at, COALESCE(started_at, ''), "
    "COALESCE(finished_at, ''), COALESCE(error_json, ''), COALESCE(result_json, ''), COALESCE(log_path, ''), inputs_key";

JobRecord read_job(SQLite::Database &db, SQLite::Statement &row) {
    JobRecord job;
    job.id = row.getColumn(0).getInt64();
    job.item_id = row.getColumn(1).getString();
    job.stage = row.getColumn(2).getString();
    job.backend = row.getColumn(3).getString();
    job.backend_plugin = row.getColumn(4).getString();
    job.backend_version = row.getColumn(5).getString();
    job.params_json = row.getColumn(6).getString();
    job.status = row.getColumn(7).getString();
    job.created_at = row.getColumn(8).getString();
    job.started_at = row.getColumn(9).getString();
    job.finished_at = row.getColumn(10).getString();
    job.error_json = row.getColumn(11).getString();
    job.result_json = row.getColumn(12).getString();
    job.log_path = row.getColumn(13).getString();
    job.inputs_key = row.getColumn(14).getString();
    SQLite::Statement artifacts(
        db, "SELECT role, name, path, COALESCE(sha256, ''), COALESCE(size_bytes, 0) FROM artifacts WHERE job_id = ? ORDER BY id");
    artifacts.bind(1, static_cast<int64_t>(job.id));
    while (artifacts.executeStep())
        job.artifacts.push_back({artifacts.getColumn(0).getString(), artifacts.getColumn(1).getString(),
                                 artifacts.getColumn(2).getString(), artifacts.getColumn(3).getString(),
                                 artifacts.getColumn(4).getInt64()});
    return job;
}

}  // namespace

std::int64_t Workspace::start_job(const JobRecord &job) {
    SQLite::Database &db = state_->db;
    SQLite::Statement insert(
        db,
        "INSERT INTO jobs (item_id, stage, backend, backend_plugin, backend_version, params_json, status, created_at, "
        "started_at, log_path, inputs_key, pid) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)");
    const std::string now = utc_timestamp();
    insert.bind(1, job.item_id);
    insert.bind(2, job.stage);
    insert.bind(3, job.backend);
    insert.bind(4, job.backend_plugin);
    insert.bind(5, job.backend_version);
    insert.bind(6, job.params_json);
    insert.bind(7, now);
    insert.bind(8, now);
    insert.bind(9, std::string());
    insert.bind(10, job.inputs_key);
    insert.bind(11, static_cast<int64_t>(::getpid()));
    insert.exec();
    const std::int64_t id = db.getLastInsertRowid();
    SQLite::Statement log(db, "UPDATE jobs SET log_path = ? WHERE id = ?");
    log.bind(1, job_log_path(id).string());
    log.bind(2, static_cast<int64_t>(id));
    log.exec();
    return id;
}

void Workspace::finish_job(std::int64_t job_id, const std::string &status, const std::string &error_json,
                           const std::string &result_json, const std::vector<ArtifactRecord> &artifacts) {
    SQLite::Database &db = state_->db;
    SQLite::Transaction transaction(db);
    SQLite::Statement update(db,
                             "UPDATE jobs SET status = ?, finished_at = ?, error_json = NULLIF(?, ''), result_json = NULLIF(?, "
                             "''), pid = NULL WHERE id = ?");
    update.bind(1, status);
    update.bind(2, utc_timestamp());
    update.bind(3, error_json);
    update.bind(4, result_json);
    update.bind(5, static_cast<int64_t>(job_id));
    update.exec();
    SQLite::Statement item(db, "SELECT item_id FROM jobs WHERE id = ?");
    item.bind(1, static_cast<int64_t>(job_id));
    const std::string item_id = item.executeStep() ? item.getColumn(0).getString() : std::string();
    SQLite::Statement insert(db,
                             "INSERT INTO artifacts (item_id, job_id, role, name, path, sha256, size_bytes, created_at) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?)");
    for (const ArtifactRecord &artifact : artifacts) {
        insert.bind(1, item_id);
        insert.bind(2, static_cast<int64_t>(job_id));
        insert.bind(3, artifact.role);
        insert.bind(4, artifact.name);
        insert.bind(5, artifact.path);
        insert.bind(6, artifact.sha256);
        insert.bind(7, static_cast<int64_t>(artifact.size_bytes));
        insert.bind(8, utc_timestamp());
        insert.exec();
        insert.reset();
    }
    transaction.commit();
}

int Workspace::mark_abandoned_jobs() {
    SQLite::Database &db = state_->db;
    SQLite::Statement running(db, "SELECT id, COALESCE(pid, 0) FROM jobs WHERE status = 'running'");
    std::vector<std::int64_t> abandoned;
    while (running.executeStep()) {
        const auto pid = static_cast<pid_t>(running.getColumn(1).getInt64());
        // A pid that no longer exists (or was never recorded) cannot finish the job any more.
        if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) abandoned.push_back(running.getColumn(0).getInt64());
    }
    for (const std::int64_t id : abandoned) {
        SQLite::Statement update(
            db, "UPDATE jobs SET status = 'interrupted', finished_at = ?, pid = NULL, error_json = ? WHERE id = ?");
        update.bind(1, utc_timestamp());
        update.bind(
            2,
            R"({"code":"interrupted","message":"the process running this job ended before it finished","hint":"run the stage again"})");
        update.bind(3, static_cast<int64_t>(id));
        update.exec();
    }
    return static_cast<int>(abandoned.size());
}

std::vector<JobRecord> Workspace::jobs(const std::string &item_id) const {
    SQLite::Statement query(state_->db,
                            std::string("SELECT ") + job_columns + " FROM jobs WHERE (? = '' OR item_id = ?) ORDER BY id");
    query.bind(1, item_id);
    query.bind(2, item_id);
    std::vector<JobRecord> jobs;
    while (query.executeStep()) jobs.push_back(read_job(state_->db, query));
    return jobs;
}

JobRecord Workspace::require_job(std::int64_t job_id) const {
    SQLite::Statement query(state_->db, std::string("SELECT ") + job_columns + " FROM jobs WHERE id = ?");
    query.bind(1, static_cast<int64_t>(job_id));
    if (!query.executeStep())
        throw user_error("no-such-job", "no job " + std::to_string(job_id) + " in " + root().string(),
                         "list jobs with `dubhost jobs`");
    return read_job(state_->db, query);
}

std::optional<JobRecord> Workspace::last_succeeded_job(const std::string &item_id, const std::string &stage) const {
    SQLite::Statement query(state_->db,
                            std::string("SELECT ") + job_columns +
                                " FROM jobs WHERE item_id = ? AND stage = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1");
    query.bind(1, item_id);
    query.bind(2, stage);
    if (!query.executeStep()) return std::nullopt;
    return read_job(state_->db, query);
}

}  // namespace dubhost
