// The workspace: a folder with library.db (items, subtitle tracks, speakers, jobs, artifacts) and the
// artifact tree laid out in docs/reference/workspace.md. Used by every command that touches user data.
#pragma once

#include "dubhost/host/media_prober.hpp"
#include "dubhost/host/subtitle_track.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

struct Item {
    std::string id;             // first 16 hex digits of the content's SHA-256: same file, same id
    std::string original_name;  // file name at import
    std::string original_path;  // absolute path at import
    std::string stored_path;    // relative to the workspace: items/<id>/source.<ext>
    bool linked = false;        // stored_path is a symbolic link to original_path
    std::int64_t size_bytes = 0;
    std::string sha256;
    std::string container;    // from the first bytes; refined by the FFmpeg probe
    std::string media_kind;   // "video", "audio" or "unknown"
    std::string probe_json;   // FFmpeg probe data once available, else "{}"
    std::string imported_at;  // UTC, ISO 8601
};

struct ImportOutcome {
    Item item;
    bool already_present = false;  // the same content was imported before
};

struct ArtifactRecord {
    std::string role;  // "input" or "output"
    std::string name;  // e.g. "media", "mix_48k"
    std::string path;  // absolute
    std::string sha256;
    std::int64_t size_bytes = 0;
};

struct JobRecord {
    std::int64_t id = 0;
    std::string item_id;
    std::string stage;
    std::string backend;
    std::string backend_plugin;
    std::string backend_version;
    std::string params_json = "{}";
    std::string status;  // queued, running, succeeded, failed, cancelled, interrupted
    std::string created_at, started_at, finished_at;
    std::string error_json;   // {code, message, hint} when failed
    std::string result_json;  // the backend's result when succeeded
    std::string log_path;
    std::string inputs_key;  // hash of backend version, params and input hashes (up-to-date checks)
    std::vector<ArtifactRecord> artifacts;
};

struct SpeakerRecord {
    std::string item_id;
    std::string label;
    std::string voice;  // empty until chosen
};

class Workspace {
public:
    static constexpr int schema_version = 3;

    // Creates the folder layout if needed, opens (or creates) library.db in WAL mode and applies
    // migrations. Throws Failure(user) for a folder that cannot be written and for a library.db that
    // is not a dubhost library (which is never overwritten).
    static Workspace open(const std::filesystem::path &root);

    Workspace(Workspace &&) noexcept;
    Workspace &operator=(Workspace &&) noexcept;
    ~Workspace();

    const std::filesystem::path &root() const;
    std::filesystem::path database_path() const { return root() / "library.db"; }
    std::filesystem::path items_dir() const { return root() / "items"; }
    std::filesystem::path derived_dir() const { return root() / "derived"; }
    std::filesystem::path packs_dir() const { return root() / "packs"; }
    std::filesystem::path logs_dir() const { return root() / "logs"; }
    std::filesystem::path cache_dir() const { return root() / "cache"; }
    std::filesystem::path derived_item_dir(const std::string &item_id) const { return derived_dir() / "items" / item_id; }
    int stored_schema_version() const;

    enum class ImportMode { copy, link };
    // With a prober, the file is probed before anything is stored (a file the probe refuses is
    // never imported) and the probe is kept on the item; an item imported without one gets its
    // probe the next time it is imported with one.
    ImportOutcome import_media(const std::filesystem::path &file, ImportMode mode, const MediaProber *prober = nullptr);

    std::vector<Item> items() const;
    // Accepts a full id or a unique prefix. Throws Failure(user) naming the fix when none or several match.
    Item require_item(const std::string &id_or_prefix) const;

    // Stores the track and its segments (ids are assigned) and registers its speakers. Its language
    // is stored in canonical form (require_language); an unknown code is a user Failure.
    std::int64_t add_track(SubtitleTrack track);
    // Replaces one segment's text in place (a correction before a re-dub); the segment keeps its id,
    // times and speaker. Throws Failure(user) when the track has no such segment.
    void set_segment_text(std::int64_t track_id, std::int64_t segment_id, const std::string &text);
    std::vector<SubtitleTrack> tracks(const std::string &item_id) const;
    SubtitleTrack require_track(std::int64_t track_id) const;
    std::vector<SpeakerRecord> speakers(const std::string &item_id) const;
    // Records the voice a speaker of the item should have (the speaker need not exist yet).
    void set_speaker_voice(const std::string &item_id, const std::string &label, const std::string &voice);

    // Jobs. A job is created "running" with this process's pid; a "running" job whose process is
    // gone is marked "interrupted" by mark_abandoned_jobs(), called when a pipeline starts.
    std::int64_t start_job(const JobRecord &job);
    std::filesystem::path job_log_path(std::int64_t job_id) const {
        return logs_dir() / ("job-" + std::to_string(job_id) + ".log");
    }
    void finish_job(std::int64_t job_id, const std::string &status, const std::string &error_json, const std::string &result_json,
                    const std::vector<ArtifactRecord> &artifacts);
    int mark_abandoned_jobs();
    std::vector<JobRecord> jobs(const std::string &item_id = {}) const;
    JobRecord require_job(std::int64_t job_id) const;
    // The newest succeeded job of a stage for an item, with its artifacts.
    std::optional<JobRecord> last_succeeded_job(const std::string &item_id, const std::string &stage) const;

private:
    struct State;
    explicit Workspace(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace dubhost
