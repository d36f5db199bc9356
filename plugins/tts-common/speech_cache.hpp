// Speech already made, found by everything that shapes it (text, voice, engine settings, engine
// version, sample rate), so a re-dub after a one-line edit speaks only that line.
// Used by track_speech.cpp for every native TTS backend.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dubhost::tts {

// Each entry is cache/<hash>.wav beside cache/<hash>.key, the full key: a reused file is always the
// one made from the same key, whatever the hash.
class SpeechCache {
public:
    explicit SpeechCache(std::filesystem::path dir);

    // `settings` is the engine's own settings as JSON text (rate, pitch): part of what the speech is made from.
    static std::string key(const std::string &text, const std::string &voice, const std::string &settings,
                           const std::string &engine_version, int sample_rate);

    // The entry's audio when it was made before, else nullopt.
    std::optional<std::filesystem::path> find(const std::string &key);
    std::filesystem::path store(const std::string &key, const std::vector<std::int16_t> &samples, int sample_rate);

    // Entries this run did not use (text since edited, another voice) are removed: the cache holds
    // the current track's speech, no more.
    void remove_unused();

private:
    std::filesystem::path path(const std::string &key, const char *extension) const;

    std::filesystem::path dir_;
    std::set<std::string> used_;
};

// `to` as a new name of `from`'s content (a hard link; a copy where links are refused), replacing it whole.
void place(const std::filesystem::path &from, const std::filesystem::path &to);

}  // namespace dubhost::tts
