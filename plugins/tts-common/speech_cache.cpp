// The TTS speech cache (speech_cache.hpp): entries named by an FNV-1a hash of their key, the key
// stored beside the audio and compared whole, so a hash collision can never reuse the wrong speech.
#include "speech_cache.hpp"

#include <dubhost/plugin.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace dubhost::tts {
namespace fs = std::filesystem;

SpeechCache::SpeechCache(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

std::string SpeechCache::key(const std::string &text, const std::string &voice, const std::string &settings,
                             const std::string &engine_version, int sample_rate) {
    return sdk::json{
        {"text", text}, {"voice", voice}, {"settings", settings}, {"engine", engine_version}, {"sample_rate", sample_rate}}
        .dump();
}

std::optional<fs::path> SpeechCache::find(const std::string &key) {
    const fs::path wav = path(key, ".wav");
    used_.insert(wav.stem().string());
    std::ifstream stored(path(key, ".key"), std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(stored), std::istreambuf_iterator<char>()};
    std::error_code error;
    if (!stored || text != key || !fs::is_regular_file(wav, error)) return std::nullopt;
    return wav;
}

fs::path SpeechCache::store(const std::string &key, const std::vector<std::int16_t> &samples, int sample_rate) {
    const fs::path wav = path(key, ".wav");
    sdk::write_wav_pcm16(wav, samples.data(), samples.size(), sample_rate);
    sdk::write_file_atomically(path(key, ".key"), key);  // after the audio: a key names a whole file
    used_.insert(wav.stem().string());
    return wav;
}

void SpeechCache::remove_unused() {
    for (const auto &entry : fs::directory_iterator(dir_))
        if (!used_.count(entry.path().stem().string())) fs::remove(entry.path());
}

fs::path SpeechCache::path(const std::string &key, const char *extension) const {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
    for (const unsigned char c : key) hash = (hash ^ c) * 1099511628211ull;
    char name[24];
    std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(hash));
    return dir_ / (std::string(name) + extension);
}

void place(const fs::path &from, const fs::path &to) {
    const fs::path temporary = to.string() + ".part";
    std::error_code error;
    fs::remove(temporary, error);
    fs::create_hard_link(from, temporary, error);
    if (error) fs::copy_file(from, temporary, fs::copy_options::overwrite_existing);
    fs::rename(temporary, to);
}

}  // namespace dubhost::tts
