// Turning recognised words with times into subtitle segments of at most a given length, split at
// the widest pauses. Pure logic; used by the pocketsphinx backend and unit-tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dubhost::asr {

struct TimedWord {
    std::string word;
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
};

struct TimedSegment {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::string text;
};

// One utterance's words -> segments no longer than max_ms (a single longer word stays whole).
std::vector<TimedSegment> split_utterance(const std::vector<TimedWord> &words, std::int64_t max_ms);

// Recogniser tokens that are not words: <s>, </s>, <sil>, [NOISE], ++FILLER++; "word(2)" -> "word".
bool is_filler(const std::string &token);
std::string clean_word(const std::string &token);

}  // namespace dubhost::asr
