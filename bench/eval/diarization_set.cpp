// The real conversations the diarization tests and benchmark score (see diarization_set.hpp).
#include "diarization_set.hpp"

#include "audio_reader.hpp"

#include <dubhost/plugin.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace fs = std::filesystem;

namespace dubhost::eval {
namespace {

// The recordings (sorted) of one ktuberling-data language whose names start with `theme` ("" for
// any): single spoken words.
std::vector<std::string> ktuberling_recordings(const std::string &language, const std::string &theme) {
    std::vector<std::string> all;
    std::error_code error;
    for (fs::directory_iterator it("/usr/share/ktuberling/sounds/" + language, error), end; !error && it != end;
         it.increment(error))
        if (const auto extension = it->path().extension(); (extension == ".ogg" || extension == ".opus" || extension == ".wav") &&
                                                           it->path().filename().string().starts_with(theme))
            all.push_back(it->path().string());
    std::sort(all.begin(), all.end());
    if (all.empty()) throw std::runtime_error("ktuberling-data (" + language + ") is missing: apt-get install ktuberling-data");
    return all;
}

// The i-th to (i+count-1)-th of those.
std::vector<std::string> ktuberling_words(const std::string &language, const std::string &theme, std::size_t first,
                                          std::size_t count) {
    const auto all = ktuberling_recordings(language, theme);
    if (all.size() < first + count)
        throw std::runtime_error("ktuberling-data (" + language + ") has " + std::to_string(all.size()) + " words, not " +
                                 std::to_string(first + count) + ": apt-get install --reinstall ktuberling-data");
    return {all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(first + count)};
}

// Allison's asterisk prompts whose names start with n-z (the ASR benchmark judges on a-m), sorted.
std::vector<std::string> allison_prompts(std::size_t count) {
    std::vector<std::string> all;
    std::error_code error;
    for (fs::directory_iterator it("/usr/share/asterisk/sounds/en_US_f_Allison", error), end; !error && it != end;
         it.increment(error))
        if (const std::string name = it->path().filename().string(); it->path().extension() == ".g722" && name[0] >= 'n')
            all.push_back(it->path().string());
    std::sort(all.begin(), all.end());
    if (all.size() < count)
        throw std::runtime_error(
            "the asterisk prompts are missing: apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-g722");
    all.resize(count);
    return all;
}

// Turns alternating between speakers, each taking its next `per_turn` recordings until one runs out.
Conversation alternate(const std::string &name, const std::vector<std::pair<std::string, std::vector<std::string>>> &voices,
                       std::size_t per_turn) {
    Conversation conversation{name, static_cast<int>(voices.size()), {}};
    for (std::size_t next = 0;; next += per_turn)
        for (const auto &[speaker, recordings] : voices) {
            if (next + per_turn > recordings.size()) return conversation;
            conversation.utterances.push_back({{recordings.begin() + static_cast<std::ptrdiff_t>(next),
                                                recordings.begin() + static_cast<std::ptrdiff_t>(next + per_turn)},
                                               speaker});
        }
}

// Seven minutes of one voice: 120 of Allison's prompts, three to a turn (150 ms between prompts,
// 300-900 ms between turns).
Conversation long_monologue() {
    return alternate("1 speaker, minutes (asterisk's Allison)", {{"allison", allison_prompts(120)}}, 3);
}

}  // namespace

std::vector<scoring::LabelledTurn> build_conversation(const std::vector<Utterance> &utterances, const fs::path &wav) {
    std::vector<std::int16_t> samples;
    std::vector<scoring::LabelledTurn> turns;
    const std::vector<int> pauses_ms = {600, 400, 900, 500, 700, 300, 800};
    for (std::size_t i = 0; i < utterances.size(); ++i) {
        samples.insert(samples.end(), static_cast<std::size_t>(pauses_ms[i % pauses_ms.size()] * 16), 0);
        const std::int64_t start = static_cast<std::int64_t>(samples.size()) / 16;
        for (std::size_t p = 0; p < utterances[i].paths.size(); ++p) {
            if (p > 0) samples.insert(samples.end(), 150 * 16, 0);  // a breath between words of one turn
            ffmpeg::AudioReader reader(utterances[i].paths[p], 16000, 1);
            std::vector<float> block(16000);
            while (std::size_t got = reader.read(block.data(), block.size()))
                for (std::size_t k = 0; k < got; ++k)
                    samples.push_back(static_cast<std::int16_t>(std::lround(std::clamp(block[k], -1.0f, 1.0f) * 32767)));
        }
        turns.push_back({start, static_cast<std::int64_t>(samples.size()) / 16, utterances[i].speaker});
    }
    samples.insert(samples.end(), 16000 / 2, 0);
    sdk::write_wav_pcm16(wav, samples.data(), samples.size(), 16000);
    return turns;
}

Conversation two_speaker_conversation() {
    const std::string book = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-";
    const std::string alsa = "/usr/share/sounds/alsa/";
    return {"2 speakers (LibriVox reader, ALSA prompts)",
            2,
            {{{book + "0880.wav"}, "reader"},
             {{alsa + "Front_Center.wav"}, "prompt"},
             {{alsa + "Front_Left.wav"}, "prompt"},
             {{book + "0930.wav"}, "reader"},
             {{alsa + "Rear_Right.wav"}, "prompt"},
             {{book + "0890.wav"}, "reader"},
             {{alsa + "Side_Left.wav"}, "prompt"},
             {{alsa + "Rear_Center.wav"}, "prompt"},
             {{book + "0920.wav"}, "reader"}}};
}

Conversation three_speaker_conversation() {
    Conversation conversation{"3 speakers (ktuberling ca, ru, lt)", 3, {}};
    const std::vector<std::pair<std::string, std::size_t>> order = {{"ca", 3}, {"ru", 4}, {"lt", 3}, {"ca", 4}, {"lt", 4},
                                                                    {"ru", 3}, {"ca", 3}, {"ru", 4}, {"lt", 3}};
    std::map<std::string, std::size_t> used;
    for (const auto &[language, words] : order) {
        conversation.utterances.push_back({ktuberling_words(language, "", used[language], words), language});
        used[language] += words;
    }
    return conversation;
}

Conversation ktuberling_conversation(const std::vector<std::string> &languages, int turns) {
    // Who speaks each turn, and how many words: alternations, a speaker resuming after a pause,
    // short and longer turns.
    const std::vector<int> one(12, 0);
    const std::vector<int> two = {0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1};
    const std::vector<int> three = {0, 1, 2, 0, 2, 1, 1, 0, 2, 1, 0, 2};
    const std::vector<std::size_t> words = {3, 2, 4, 3, 2, 4, 3, 3, 2, 4, 2, 3};
    if (languages.empty() || languages.size() > 3 || turns < 1 || turns > static_cast<int>(words.size()))
        throw std::invalid_argument("a ktuberling conversation has 1 to 3 speakers and 1 to 12 turns");
    std::string joined;
    for (const auto &language : languages) joined += (joined.empty() ? "" : ", ") + language;
    Conversation conversation{
        std::to_string(languages.size()) + (languages.size() == 1 ? " speaker" : " speakers") + " (ktuberling " + joined + ")",
        static_cast<int>(languages.size()),
        {}};
    const auto &order = languages.size() == 1 ? one : languages.size() == 2 ? two : three;
    std::map<std::string, std::size_t> used;
    for (int turn = 0; turn < turns; ++turn) {
        const std::string &language = languages[static_cast<std::size_t>(order[static_cast<std::size_t>(turn)])];
        const std::size_t count = words[static_cast<std::size_t>(turn)];
        conversation.utterances.push_back({ktuberling_words(language, "egypt_", used[language], count), language});
        used[language] += count;
    }
    return conversation;
}

std::vector<Conversation> diarization_tuning_set() {
    return {ktuberling_conversation({"ca"}, 6),
            ktuberling_conversation({"ru"}, 6),
            ktuberling_conversation({"ca", "da"}, 10),
            ktuberling_conversation({"ru", "uk"}, 10),
            ktuberling_conversation({"lt", "wa"}, 10),
            ktuberling_conversation({"da", "uk"}, 10),
            ktuberling_conversation({"ru", "wa"}, 10),
            ktuberling_conversation({"ca", "uk"}, 10),
            ktuberling_conversation({"ca", "ru", "lt"}, 12),
            ktuberling_conversation({"da", "uk", "wa"}, 12),
            ktuberling_conversation({"ca", "uk", "wa"}, 12),
            ktuberling_conversation({"ru", "lt", "wa"}, 12),
            long_monologue(),
            alternate("2 speakers, minutes (asterisk's Allison, ktuberling wa)",
                      {{"allison", allison_prompts(75)}, {"wa", ktuberling_recordings("wa", "")}}, 3)};
}

std::vector<Conversation> diarization_judging_set() {
    return {ktuberling_conversation({"de"}, 6),
            ktuberling_conversation({"en"}, 6),
            ktuberling_conversation({"de", "el"}, 10),
            ktuberling_conversation({"en", "gl"}, 10),
            ktuberling_conversation({"nn", "sl"}, 10),
            ktuberling_conversation({"el", "en"}, 10),
            ktuberling_conversation({"de", "sl"}, 10),
            ktuberling_conversation({"de", "gl", "nn"}, 12),
            ktuberling_conversation({"el", "en", "sl"}, 12),
            ktuberling_conversation({"de", "el", "sl"}, 12),
            alternate("2 speakers, minutes (ktuberling de, el)",
                      {{"de", ktuberling_recordings("de", "")}, {"el", ktuberling_recordings("el", "")}}, 4)};
}

}  // namespace dubhost::eval
