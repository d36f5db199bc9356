#include "dubhost/host/subtitle_track.hpp"

#include <nlohmann/json.hpp>

namespace dubhost {

void to_json(nlohmann::json &out, const SubtitleSegment &segment) {
    out = nlohmann::json{{"id", segment.id},
                         {"start", segment.start_ms},
                         {"end", segment.end_ms},
                         {"text", segment.text},
                         {"speaker", segment.speaker.empty() ? nlohmann::json(nullptr) : nlohmann::json(segment.speaker)}};
}

void from_json(const nlohmann::json &in, SubtitleSegment &segment) {
    segment.id = in.value("id", std::int64_t{0});
    segment.start_ms = in.at("start").get<std::int64_t>();
    segment.end_ms = in.at("end").get<std::int64_t>();
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
    track.id = in.value("id", std::int64_t{0});
    track.item_id = in.value("item_id", std::string());
    track.kind = in.value("kind", std::string("source"));
    track.language = in.value("language", std::string());
    track.created_by = in.value("created_by", std::string());
    const auto source = in.find("source_track");
    track.source_track = source != in.end() && source->is_number_integer() ? source->get<std::int64_t>() : 0;
    track.segments = in.at("segments").get<std::vector<SubtitleSegment>>();
}

}  // namespace dubhost
