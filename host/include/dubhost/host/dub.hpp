// `dubhost dub`: import a video and run the whole graph (extract, separate, asr or given subtitles,
// diarize, tts, mix, mux), then copy the result out. Up-to-date stages are skipped, so a re-run is
// nearly free. Used by the CLI and the Python module.
#pragma once

#include "dubhost/host/media_prober.hpp"
#include "dubhost/host/pipeline.hpp"
#include "dubhost/host/subtitle_formats.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

struct DubRequest {
    std::filesystem::path video;
    std::optional<std::filesystem::path> subtitles;  // the text to speak (a translated script); skips ASR
    std::string language;                            // of the subtitles
    SubtitleReading subtitle_reading = SubtitleReading::tolerant;
    std::string to;                               // translate into this language first; empty: no translation
    std::string from;                             // the source language when neither subtitles nor ASR say
    std::map<std::string, std::string> voices;    // speaker -> voice
    std::map<std::string, std::string> backends;  // capability -> backend id
    std::optional<std::filesystem::path> output;  // default: ./<video name>.dub.mp4
    std::string background;                       // "", "stem" or "original"
    bool keep_overrun = false;                    // keep subtitle cues past the video's end
};

struct DubStage {
    std::string stage;
    std::string backend;   // empty when the stage did not run
    bool skipped = false;  // up to date
    double seconds = 0;
    std::string note;  // why a stage did not run, or what it fell back to
    std::vector<std::string> outputs;
};

struct DubResult {
    std::string item_id;
    std::vector<DubStage> stages;
    std::filesystem::path output;
    std::vector<std::string> subtitle_repairs;  // what reading the subtitles repaired or dropped, with lines
};

// `on_stage` is told each stage's name before it starts (for progress labels).
DubResult run_dub(Workspace &workspace, Pipeline &pipeline, const std::vector<BackendChoice> &choices, const DubRequest &request,
                  const MediaProber *prober, const std::function<void(const std::string &)> &on_stage = {});

}  // namespace dubhost
