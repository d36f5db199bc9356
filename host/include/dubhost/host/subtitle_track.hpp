// Subtitle tracks and segments: the text dubhost speaks, with times and speakers.
// Used by the workspace (storage), the subtitle formats (SRT/VTT/JSON) and the CLI.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dubhost {

// Times are integer milliseconds everywhere (database, JSON, ABI): exact, and no rounding drift
// between formats whose clocks are millisecond-based.
struct SubtitleSegment {
    std::int64_t id = 0;  // 0 until stored
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::string text;
    std::string speaker;  // empty when unknown
    bool operator==(const SubtitleSegment &) const = default;
};

struct SubtitleTrack {
    std::int64_t id = 0;
    std::string item_id;
    std::string kind;               // "source" (what is said), "script" (what to speak), "translation"
    std::string language;           // BCP 47 tag or empty when unknown
    std::string created_by;         // "import:<file name>", "asr:<backend>", "diarize:<backend>", "translate:<backend>"
    std::int64_t source_track = 0;  // the track this one was made from (a translation's original); 0: none
    std::vector<SubtitleSegment> segments;
};

// JSON field names: {id, start, end, text, speaker}; start/end in milliseconds.
void to_json(nlohmann::json &out, const SubtitleSegment &segment);
void from_json(const nlohmann::json &in, SubtitleSegment &segment);
// {id, item_id, kind, language, created_by, source_track (id or null), segments}
void to_json(nlohmann::json &out, const SubtitleTrack &track);
void from_json(const nlohmann::json &in, SubtitleTrack &track);

}  // namespace dubhost
