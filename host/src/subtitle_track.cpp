// Subtitle tracks as JSON documents: what `track export --format json` writes and what a JSON
// track file, a backend's answer or the pipeline's stored track is read back from.
#include "dubhost/host/subtitle_track.hpp"

#include <dubhost/support/json_fields.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace dubhost {
namespace {

// A cue time in milliseconds. A fraction is rounded (a script written by Python's json may say
// 1300.0); a number no clip can reach is refused here, because converting such a double to an
// integer is undefined behaviour in nlohmann's get<int64_t> (found by fuzz_json_track).
std::int64_t milliseconds(const nlohmann::json &segment, const char *key) {
    const nlohmann::json &value = segment.at(key);
    constexpr double longest = 1e15;  // about 31,700 years
    if (value.is_number() && std::abs(value.get<double>()) <= longest) {
        if (value.is_number_float()) return std::llround(value.get<double>());
        return value.get<std::int64_t>();
    }
    throw nlohmann::json::type_error::create(302, std::string("\"") + key + "\" is not a time in milliseconds: " + value.dump(),
                                             &value);
}

}  // namespace

void to_json(nlohmann::json &out, const SubtitleSegment &segment) {
    out = nlohmann::json{{"id", segment.id},
                         {"start", segment.start_ms},
                         {"end", segment.end_ms},
                         {"text", segment.text},
                         {"speaker", segment.speaker.empty() ? nlohmann::json(nullptr) : nlohmann::json(segment.speaker)}};
}

void from_json(const nlohmann::json &in, SubtitleSegment &segment) {
    segment.id = integer_field(in, "id", 0);
    segment.start_ms = milliseconds(in, "start");
    segment.end_ms = milliseconds(in, "end");
    segment.text = in.at("text").get<std::string>();
    const auto speaker = in.find("speaker");
    segment.speaker = speaker != in.end() && speaker->is_string() ? speaker->get<std::string>() : std::string();
}

void to_json(nlohmann::json &out, const SubtitleTrack &track) {
    out = nlohmann::json{{"id", track.id},
                         {"item_id", track.item_id},
                         {"kind", track.kind},
                         {"language", track.language},
                         {"created_by", track.created_by},
                         {"source_track", track.source_track > 0 ? nlohmann::json(track.source_track) : nlohmann::json()},
                         {"segments", track.segments}};
}

void from_json(const nlohmann::json &in, SubtitleTrack &track) {
    track.id = integer_field(in, "id", 0);
    track.item_id = in.value("item_id", std::string());
    track.kind = in.value("kind", std::string("source"));
    track.language = in.value("language", std::string());
    track.created_by = in.value("created_by", std::string());
    track.source_track = integer_field(in, "source_track", 0);
    track.segments = in.at("segments").get<std::vector<SubtitleSegment>>();
}

}  // namespace dubhost
