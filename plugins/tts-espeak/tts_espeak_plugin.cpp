// The espeak-ng TTS backend: every segment of a subtitle track spoken to its own WAV, with a
// manifest (docs/reference/jobs.md, tts) the mixer places on the timeline. Speech is kept per
// segment by what it was made from, so a re-dub after a one-line edit speaks only that line.
#include "espeak_engine.hpp"
#include "voice_assignment.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/language_codes.hpp>

#include "dubhost_manifest.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>

namespace {

namespace fs = std::filesystem;
using dubhost::espeak::Engine;
using dubhost::sdk::CallError;
using dubhost::sdk::json;

// The sample frames of a mono 16-bit WAV this backend wrote (its data chunk's size over two).
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

// Speech already made, found by everything that shapes it: text, voice, rate, engine version and
// sample rate. Each entry is cache/<hash>.wav beside cache/<hash>.key, the full key: a reused file
// is always the one made from the same key, whatever the hash.
class SpeechCache {
public:
    explicit SpeechCache(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

    static std::string key(const std::string &text, const std::string &voice, int rate, const std::string &engine,
                           int sample_rate) {
        return json{{"text", text}, {"voice", voice}, {"rate", rate}, {"engine", engine}, {"sample_rate", sample_rate}}.dump();
    }

    // The entry's audio when it was made before, else nullopt.
    std::optional<fs::path> find(const std::string &key) {
        const fs::path wav = path(key, ".wav");
        used_.insert(wav.stem().string());
        std::ifstream stored(path(key, ".key"), std::ios::binary);
        const std::string text{std::istreambuf_iterator<char>(stored), std::istreambuf_iterator<char>()};
        std::error_code error;
        if (!stored || text != key || !fs::is_regular_file(wav, error)) return std::nullopt;
        return wav;
    }

    fs::path store(const std::string &key, const std::vector<int16_t> &samples, int sample_rate) {
        const fs::path wav = path(key, ".wav");
        dubhost::sdk::write_wav_pcm16(wav, samples.data(), samples.size(), sample_rate);
        dubhost::sdk::write_file_atomically(path(key, ".key"), key);  // after the audio: a key names a whole file
        used_.insert(wav.stem().string());
        return wav;
    }

    // Entries this run did not use (text since edited, another voice) are removed: the cache holds
    // the current track's speech, no more.
    void remove_unused() {
        for (const auto &entry : fs::directory_iterator(dir_))
            if (!used_.count(entry.path().stem().string())) fs::remove(entry.path());
    }

private:
    fs::path path(const std::string &key, const char *extension) const {
        std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
        for (const unsigned char c : key) hash = (hash ^ c) * 1099511628211ull;
        char name[24];
        std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(hash));
        return dir_ / (std::string(name) + extension);
    }

    fs::path dir_;
    std::set<std::string> used_;
};

// `to` as a new name of `from`'s content (a hard link; a copy where links are refused), replacing it whole.
void place(const fs::path &from, const fs::path &to) {
    const fs::path temporary = to.string() + ".part";
    std::error_code error;
    fs::remove(temporary, error);
    fs::create_hard_link(from, temporary, error);
    if (error) fs::copy_file(from, temporary, fs::copy_options::overwrite_existing);
    fs::rename(temporary, to);
}

std::map<std::string, std::string> string_map(const json &object) {
    std::map<std::string, std::string> map;
    if (object.is_object())
        for (const auto &[key, value] : object.items())
            if (value.is_string()) map[key] = value.get<std::string>();
    return map;
}

class EspeakBackend : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &) override {
        Engine &engine = Engine::instance();
        if (auto problem = engine.start_problem())
            return {{"installed", false},
                    {"version", engine.version()},
                    {"missing", {"espeak-ng-data"}},
                    {"notes", {*problem, "install espeak-ng-data: apt-get install espeak-ng-data"}}};
        json voices = json::array();
        for (const auto &voice : engine.voices())
            voices.push_back({{"id", voice.identifier}, {"name", voice.name}, {"languages", voice.languages}});
        return {{"installed", true},
                {"version", engine.version()},
                {"missing", json::array()},
                {"disk_bytes", 0},
                {"voices", voices},
                {"notes", {std::to_string(voices.size()) + " voices; variants (+m1..m7, +f1..f5) tell speakers apart"}}};
    }

    json run(const dubhost::sdk::Host &host, const json &job) override {
        Engine &engine = Engine::instance();
        if (auto problem = engine.start_problem())
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "not-installed", *problem,
                            "install espeak-ng-data: apt-get install espeak-ng-data");
        const json params = job.value("params", json::object());
        const json &track = job.at("inputs").at("track");
        const int rate = params.value("rate", 165);
        if (rate < 80 || rate > 450)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "rate must be between 80 and 450 words per minute",
                            "pass --param rate=165");
        std::string language = params.value("language", std::string());
        if (language.empty()) language = track.value("language", std::string());
        if (language.empty()) language = "en";
        const auto base_voice = engine.voice_for_language(language);
        if (!base_voice)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "no-voice-for-language",
                            "espeak-ng has no voice for language '" + language + "'",
                            "set the track's language (`dubhost track import ... --language xx`) or pass --param language=en");

        // The item's chosen voices (`dubhost speakers set`) follow the track into its language (a
        // translated dub); a voice_map given for this job is taken as it is.
        std::map<std::string, std::string> chosen = string_map(job.at("inputs").value("voice_map", json::object()));
        const std::string primary = dubhost::primary_language(language);
        const auto voices = engine.voices();
        const auto moved = dubhost::espeak::move_to_language(chosen, *base_voice, [&](const std::string &identifier) {
            for (const auto &voice : voices)
                if (voice.identifier == identifier)
                    return std::any_of(voice.languages.begin(), voice.languages.end(),
                                       [&](const std::string &spoken) { return dubhost::primary_language(spoken) == primary; });
            return true;  // a voice espeak-ng does not list: left as chosen
        });
        json voice_changes = json::array();
        for (const auto &change : moved) {
            host.warn("speaker " + change.speaker + ": the chosen voice " + change.chosen + " does not speak '" + language +
                      "'; speaking with " + change.used + " (same variant)");
            voice_changes.push_back({{"speaker", change.speaker}, {"chosen", change.chosen}, {"used", change.used}});
        }
        for (const auto &[speaker, voice] : string_map(params.value("voice_map", json::object()))) chosen[speaker] = voice;
        const json &segments = track.at("segments");
        std::vector<std::string> speakers;
        for (const auto &segment : segments)
            if (segment.contains("speaker") && segment["speaker"].is_string())
                speakers.push_back(segment["speaker"].get<std::string>());
        const auto voice_map = dubhost::espeak::assign_voices(speakers, chosen, *base_voice);

        const fs::path dir = job.at("outputs").at("dir").get<std::string>();
        fs::create_directories(dir / "segments");
        const int sample_rate = engine.sample_rate();
        const auto started = std::chrono::steady_clock::now();
        SpeechCache cache(dir / "cache");
        json entries = json::array(), skipped = json::array();
        std::set<std::string> written;
        std::size_t synthesized = 0, reused = 0;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            host.throw_if_cancelled();
            const json &segment = segments[i];
            const std::string text = segment.value("text", std::string());
            const std::string id = segment_key(segment);
            if (blank(text)) {
                skipped.push_back({{"segment_id", segment.at("id")}, {"reason", "empty text"}});
                continue;
            }
            const std::string speaker =
                segment.contains("speaker") && segment["speaker"].is_string() ? segment["speaker"].get<std::string>() : "";
            const std::string voice = speaker.empty() ? *base_voice : voice_map.at(speaker);
            const std::string key = SpeechCache::key(text, voice, rate, engine.version(), sample_rate);
            std::optional<fs::path> made = cache.find(key);
            if (made) {
                ++reused;
            } else {
                made = cache.store(key, engine.synthesize(text, voice, rate), sample_rate);
                ++synthesized;
            }
            const fs::path wav = dir / "segments" / (id + ".wav");
            place(*made, wav);
            written.insert(wav.filename().string());
            const auto duration = static_cast<std::int64_t>(
                std::llround(static_cast<double>(wav_frames(*made)) * 1000.0 / static_cast<double>(sample_rate)));
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
        json voice_map_json = json::object();
        for (const auto &[speaker, voice] : voice_map) voice_map_json[speaker] = voice;
        dubhost::sdk::write_file_atomically(manifest_path, json{{"backend", "espeak-ng"},
                                                                {"engine_version", engine.version()},
                                                                {"language", language},
                                                                {"sample_rate", sample_rate},
                                                                {"rate_wpm", rate},
                                                                {"voice_map", voice_map_json},
                                                                {"segments", entries},
                                                                {"skipped", skipped}}
                                                               .dump(2));
        host.info("spoke " + std::to_string(entries.size()) + " segments (" + std::to_string(synthesized) + " synthesized, " +
                  std::to_string(reused) + " reused), skipped " + std::to_string(skipped.size()));
        return {{"outputs", {{"manifest", manifest_path.string()}, {"dir", dir.string()}}},
                {"voice_map", voice_map_json},
                {"voice_changes", voice_changes},
                {"synthesized", synthesized},
                {"reused", reused},
                // Speaking the track: synthesis or reuse, the WAVs and the manifest (not engine start-up).
                {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
                {"skipped", skipped}};
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<EspeakBackend>("espeak-ng"))
