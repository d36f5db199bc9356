// Word error rate by word alignment (Levenshtein over words), after normalising case and
// punctuation. Used by the ASR benchmark and the ASR quality test.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dubhost::scoring {

struct WordErrors {
    std::size_t substitutions = 0, deletions = 0, insertions = 0, reference_words = 0;
    std::size_t errors() const { return substitutions + deletions + insertions; }
    double rate() const {
        return reference_words == 0 ? (errors() == 0 ? 0.0 : 1.0)
                                    : static_cast<double>(errors()) / static_cast<double>(reference_words);
    }
    WordErrors &operator+=(const WordErrors &other);
};

// Lower-case words with punctuation removed (apostrophes inside words kept: "it's").
std::vector<std::string> normalise_words(const std::string &text);

WordErrors word_errors(const std::string &reference, const std::string &hypothesis);

}  // namespace dubhost::scoring
