// Speaking a subtitle track with a native TTS engine: one WAV per segment under outputs.dir/segments,
// the manifest the mix places on the timeline (docs/reference/jobs.md, tts), speech reused from the
// cache when nothing that shapes it changed. The engine only turns one text into samples.
#pragma once

#include <dubhost/plugin.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dubhost::tts {

struct SpeechEngine {
    std::string backend;  // the backend id written in the manifest ("flite")
    std::string version;  // the engine's version: part of every cache key
    int sample_rate = 0;  // of every WAV `speak` returns samples for
    sdk::json settings;   // rate, pitch...: part of every cache key and written in the manifest
    std::function<std::vector<std::int16_t>(const std::string &text, const std::string &voice)> speak;
};

// A JSON object of speaker -> voice as a map (entries that are not strings are left out).
std::map<std::string, std::string> voice_map_of(const sdk::json &object);

// The speaker labels the track's segments carry, in track order (repeats kept).
std::vector<std::string> track_speakers(const sdk::json &track);

// Speaks every segment of job.inputs.track: each speaker with voice_map's voice, unlabelled
// segments with `default_voice`; blank segments are skipped and listed. Returns the job result
// (outputs, voice_map, synthesized, reused, seconds, skipped); the backend adds its own fields.
sdk::json speak_track(const sdk::Host &host, const sdk::json &job, const std::string &language,
                      const std::map<std::string, std::string> &voice_map, const std::string &default_voice,
                      const SpeechEngine &engine);

}  // namespace dubhost::tts
