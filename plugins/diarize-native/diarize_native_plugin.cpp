// The native diarization backend: speaker turns from the 16 kHz speech, and a copy of the given
// subtitle track with each segment's speaker set by its overlap with the turns.
#include "speaker_clustering.hpp"
#include "speaker_features.hpp"

#include <dubhost/plugin.hpp>

#include "dubhost_manifest.h"

#include <filesystem>
#include <limits>
#include <map>
#include <set>

namespace {

namespace fs = std::filesystem;
using dubhost::diarize::SpeakerTurn;
using dubhost::sdk::CallError;
using dubhost::sdk::json;

std::string label(int speaker) { return "SPEAKER_" + std::to_string(speaker); }

// The speaker who talks most within [start, end); the nearest turn's when none overlaps.
int speaker_for(std::int64_t start, std::int64_t end, const std::vector<SpeakerTurn> &turns) {
    std::map<int, std::int64_t> overlap;
    int nearest = turns.front().speaker;
    std::int64_t nearest_gap = std::numeric_limits<std::int64_t>::max();
    for (const auto &turn : turns) {
        const std::int64_t shared = std::min(end, turn.end_ms) - std::max(start, turn.start_ms);
        if (shared > 0) overlap[turn.speaker] += shared;
        const std::int64_t gap = std::max<std::int64_t>(0, std::max(turn.start_ms - end, start - turn.end_ms));
        if (gap < nearest_gap) nearest_gap = gap, nearest = turn.speaker;
    }
    if (overlap.empty()) return nearest;
    return std::max_element(overlap.begin(), overlap.end(), [](const auto &a, const auto &b) { return a.second < b.second; })
        ->first;
}

class NativeDiarizer : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &) override {
        return {{"installed", true},
                {"version", "0.2.0"},
                {"missing", json::array()},
                {"notes",
                 {"a DSP baseline: MFCC statistics, agglomerative clustering and the BIC for the speaker count; a neural "
                  "diarizer (the diarization pack) is more accurate"}}};
    }

    json run(const dubhost::sdk::Host &host, const json &job) override {
        const json params = job.value("params", json::object());
        dubhost::diarize::ClusteringOptions options;
        options.speakers = params.value("speakers", 0);
        options.penalty = params.value("penalty", options.penalty);
        if (options.speakers < 0 || options.speakers > 20)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "speakers must be between 0 (find out) and 20",
                            "pass --param speakers=2");
        if (!(options.penalty > 0 && options.penalty <= 10))
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "penalty must be above 0 and at most 10",
                            "pass --param penalty=3 (the default; higher finds fewer speakers)");
        host.progress(0.05, "reading speech");
        const auto samples =
            dubhost::sdk::read_wav_pcm16(job.at("inputs").at("speech").get<std::string>(), dubhost::diarize::sample_rate, 1);
        host.throw_if_cancelled();
        host.progress(0.2, "finding speakers");
        const auto turns = dubhost::diarize::find_speaker_turns(samples, options);
        host.throw_if_cancelled();

        json track = job.at("inputs").at("track");
        std::set<int> speakers;
        for (const auto &turn : turns) speakers.insert(turn.speaker);
        if (!turns.empty())
            for (auto &segment : track["segments"])
                segment["speaker"] =
                    label(speaker_for(segment.at("start").get<std::int64_t>(), segment.at("end").get<std::int64_t>(), turns));
        json turn_list = json::array(), speaker_list = json::array();
        for (const auto &turn : turns)
            turn_list.push_back({{"start", turn.start_ms}, {"end", turn.end_ms}, {"speaker", label(turn.speaker)}});
        for (int speaker : speakers) speaker_list.push_back(label(speaker));
        const fs::path output = job.at("outputs").at("diarization").get<std::string>();
        fs::create_directories(output.parent_path());
        dubhost::sdk::write_file_atomically(output, json{{"item_id", job.value("item_id", std::string())},
                                                         {"backend", "native"},
                                                         {"speakers", speaker_list},
                                                         {"turns", turn_list}}
                                                        .dump(2));
        const fs::path track_path = output.parent_path() / "diarized_track.json";
        dubhost::sdk::write_file_atomically(track_path, track.dump(2));
        host.info("found " + std::to_string(speakers.size()) + " speaker(s) in " + std::to_string(turns.size()) + " turns");
        return {{"outputs", {{"diarization", output.string()}, {"track", track_path.string()}}},
                {"speakers", speaker_list.size()}};
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<NativeDiarizer>("native"))
