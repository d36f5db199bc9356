#include "segmenter.hpp"

#include <algorithm>

namespace dubhost::asr {
namespace {

TimedSegment join(const std::vector<TimedWord> &words, std::size_t first, std::size_t last) {
    TimedSegment segment{words[first].start_ms, words[last].end_ms, {}};
    for (std::size_t i = first; i <= last; ++i) segment.text += (i == first ? "" : " ") + words[i].word;
    return segment;
}

// Splits words[first..last] recursively at the widest gap until every part fits.
void split(const std::vector<TimedWord> &words, std::size_t first, std::size_t last, std::int64_t max_ms,
           std::vector<TimedSegment> &out) {
    if (first == last || words[last].end_ms - words[first].start_ms <= max_ms) {
        out.push_back(join(words, first, last));
        return;
    }
    std::size_t cut = first;  // split after words[cut]
    std::int64_t widest = -1;
    for (std::size_t i = first; i < last; ++i) {
        const std::int64_t gap = words[i + 1].start_ms - words[i].end_ms;
        // Prefer the widest pause; among equals, the one nearest the middle keeps parts balanced.
        const auto middle = (words[first].start_ms + words[last].end_ms) / 2;
        if (gap > widest || (gap == widest && std::abs(words[i].end_ms - middle) < std::abs(words[cut].end_ms - middle))) {
            widest = gap;
            cut = i;
        }
    }
    split(words, first, cut, max_ms, out);
    split(words, cut + 1, last, max_ms, out);
}

}  // namespace

std::vector<TimedSegment> split_utterance(const std::vector<TimedWord> &words, std::int64_t max_ms) {
    std::vector<TimedSegment> segments;
    if (!words.empty()) split(words, 0, words.size() - 1, std::max<std::int64_t>(max_ms, 1), segments);
    return segments;
}

bool is_filler(const std::string &token) {
    if (token.empty()) return true;
    if (token == "<s>" || token == "</s>" || token == "<sil>") return true;
    if (token.front() == '[' || token.front() == '<') return true;
    return token.size() >= 4 && token.rfind("++", 0) == 0;
}

std::string clean_word(const std::string &token) {
    const auto paren = token.find('(');
    return paren == std::string::npos || paren == 0 ? token : token.substr(0, paren);
}

}  // namespace dubhost::asr
