// The library.db schema as an ordered list of migrations; entry N takes version N to N+1.
// Used only by workspace.cpp. Never edit a released migration: append a new one.
#pragma once

#include <array>
#include <string_view>

namespace dubhost::schema {

inline constexpr std::array<std::string_view, 3> migrations = {
    // 0 -> 1: the first library.
    R"sql(
CREATE TABLE items (
    id            TEXT PRIMARY KEY,
    original_name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    stored_path   TEXT NOT NULL,
    linked        INTEGER NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    container     TEXT NOT NULL,
    media_kind    TEXT NOT NULL,
    probe_json    TEXT NOT NULL DEFAULT '{}',
    imported_at   TEXT NOT NULL
);
CREATE TABLE tracks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id    TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    language   TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX tracks_by_item ON tracks(item_id);
CREATE TABLE segments (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start_ms INTEGER NOT NULL CHECK (start_ms >= 0),
    end_ms   INTEGER NOT NULL,
    text     TEXT NOT NULL,
    speaker  TEXT NOT NULL DEFAULT '',
    CHECK (end_ms > start_ms)
);
CREATE INDEX segments_by_track ON segments(track_id, position);
CREATE TABLE speakers (
    item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    voice   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, label)
);
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id         TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    stage           TEXT NOT NULL,
    backend         TEXT NOT NULL,
    backend_version TEXT NOT NULL DEFAULT '',
    params_json     TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN
                        ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    error_json      TEXT,
    log_path        TEXT
);
CREATE INDEX jobs_by_item ON jobs(item_id, stage);
CREATE TABLE artifacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id    TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    job_id     INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    role       TEXT NOT NULL CHECK (role IN ('input', 'output')),
    name       TEXT NOT NULL,
    path       TEXT NOT NULL,
    sha256     TEXT,
    size_bytes INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX artifacts_by_job ON artifacts(job_id);
)sql",
    // 1 -> 2: what a job needs to be checked for staleness and recovered after a crash.
    R"sql(
ALTER TABLE jobs ADD COLUMN backend_plugin TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN inputs_key TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN pid INTEGER;
ALTER TABLE jobs ADD COLUMN result_json TEXT;
)sql",
    // 2 -> 3: a track made from another (a translation, a diarized copy) names the one it came from.
    R"sql(
ALTER TABLE tracks ADD COLUMN source_track_id INTEGER;
)sql",
};

}  // namespace dubhost::schema
