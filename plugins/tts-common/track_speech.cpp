// speak_track (track_speech.hpp): the segment loop every native TTS backend shares: cache lookup or
// synthesis, the segment's WAV placed by its id, durations measured from the audio, then stale
// segments and cache entries removed and the manifest written atomically.
#include "track_speech.hpp"

#include "speech_cache.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string_view>

namespace dubhost::tts {
namespace {

namespace fs = std::filesystem;
using sdk::CallError;
using sdk::json;

// The sample frames of a mono 16-bit WAV the cache holds (its data chunk's size over two).
std::uint64_t wav_frames(const fs::path &wav) {
    std::ifstream in(wav, std::ios::binary);
    char header[12];
    in.read(header, sizeof header);
    for (char chunk[8]; in.read(chunk, sizeof chunk);) {
        std::uint32_t size = 0;
        for (int i = 0; i < 4; ++i) size |= static_cast<std::uint32_t>(static_cast<unsigned char>(chunk[4 + i])) << (8 * i);
        if (std::string_view(chunk, 4) == "data") return size / 2;
        in.seekg(size + (size & 1), std::ios::cur);
    }
    throw CallError(DUBHOST_STATUS_ERROR, "bad-cache-entry", wav.string() + " has no audio data", "remove it and run again");
}

bool blank(const std::string &text) { return text.find_first_not_of(" \t\r\n\xC2\xA0") == std::string::npos; }

std::string segment_key(const json &segment) {
    const auto &id = segment.at("id");
    return id.is_string() ? id.get<std::string>() : id.dump();
}

std::string speaker_of(const json &segment) {
    const auto found = segment.find("speaker");
    return found != segment.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::map<std::string, std::string> voice_map_of(const json &object) {
    std::map<std::string, std::string> map;
    if (object.is_object())
        for (const auto &[key, value] : object.items())
            if (value.is_string()) map[key] = value.get<std::string>();
    return map;
}

std::vector<std::string> track_speakers(const json &track) {
    std::vector<std::string> speakers;
    for (const auto &segment : track.at("segments"))
        if (std::string speaker = speaker_of(segment); !speaker.empty()) speakers.push_back(std::move(speaker));
    return speakers;
}

json speak_track(const sdk::Host &host, const json &job, const std::string &language,
                 const std::map<std::string, std::string> &voice_map, const std::string &default_voice,
                 const SpeechEngine &engine) {
    const json &segments = job.at("inputs").at("track").at("segments");
    const fs::path dir = job.at("outputs").at("dir").get<std::string>();
    fs::create_directories(dir / "segments");
    const auto started = std::chrono::steady_clock::now();
    const std::string settings = engine.settings.dump();
    SpeechCache cache(dir / "cache");
    json entries = json::array(), skipped = json::array();
    std::set<std::string> written;
    std::size_t synthesized = 0, reused = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        host.throw_if_cancelled();
        const json &segment = segments[i];
        const std::string text = segment.value("text", std::string());
        if (blank(text)) {
            skipped.push_back({{"segment_id", segment.at("id")}, {"reason", "empty text"}});
            continue;
        }
        const std::string speaker = speaker_of(segment);
        const std::string voice = speaker.empty() ? default_voice : voice_map.at(speaker);
        const std::string key = SpeechCache::key(text, voice, settings, engine.version, engine.sample_rate);
        std::optional<fs::path> made = cache.find(key);
        if (made) {
            ++reused;
        } else {
            made = cache.store(key, engine.speak(text, voice), engine.sample_rate);
            ++synthesized;
        }
        const fs::path wav = dir / "segments" / (segment_key(segment) + ".wav");
        place(*made, wav);
        written.insert(wav.filename().string());
        const auto duration = static_cast<std::int64_t>(
            std::llround(static_cast<double>(wav_frames(*made)) * 1000.0 / static_cast<double>(engine.sample_rate)));
        entries.push_back({{"segment_id", segment.at("id")},
                           {"text", text},
                           {"speaker", speaker.empty() ? json(nullptr) : json(speaker)},
                           {"voice", voice},
                           {"path", wav.string()},
                           {"start", segment.at("start")},
                           {"end", segment.at("end")},
                           {"duration", duration},
                           {"fitted_duration", duration}});
        host.progress(static_cast<double>(i + 1) / static_cast<double>(segments.size()), "segment " + std::to_string(i + 1));
    }
    // Segments of an earlier run that this track no longer has would confuse anyone reading the folder.
    for (const auto &entry : fs::directory_iterator(dir / "segments"))
        if (!written.count(entry.path().filename().string())) fs::remove(entry.path());
    cache.remove_unused();
    const fs::path manifest_path = dir / "manifest.json";
    json voices = json::object();
    for (const auto &[speaker, voice] : voice_map) voices[speaker] = voice;
    json manifest = {{"backend", engine.backend}, {"engine_version", engine.version},
                     {"language", language},      {"sample_rate", engine.sample_rate},
                     {"voice_map", voices},       {"segments", entries},
                     {"skipped", skipped}};
    for (const auto &[name, value] : engine.settings.items()) manifest[name] = value;
    sdk::write_file_atomically(manifest_path, manifest.dump(2));
    host.info("spoke " + std::to_string(entries.size()) + " segments (" + std::to_string(synthesized) + " synthesized, " +
              std::to_string(reused) + " reused), skipped " + std::to_string(skipped.size()));
    return {{"outputs", {{"manifest", manifest_path.string()}, {"dir", dir.string()}}},
            {"voice_map", voices},
            {"synthesized", synthesized},
            {"reused", reused},
            // Speaking the track: synthesis or reuse, the WAVs and the manifest (not engine start-up).
            {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
            {"skipped", skipped}};
}

}  // namespace dubhost::tts
