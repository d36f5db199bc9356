#include "word_error_rate.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace dubhost::scoring {

WordErrors &WordErrors::operator+=(const WordErrors &other) {
    substitutions += other.substitutions;
    deletions += other.deletions;
    insertions += other.insertions;
    reference_words += other.reference_words;
    return *this;
}

std::vector<std::string> normalise_words(const std::string &text) {
    std::string cleaned;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool inner_apostrophe = c == '\'' && i > 0 && i + 1 < text.size() &&
                                      std::isalnum(static_cast<unsigned char>(text[i - 1])) &&
                                      std::isalnum(static_cast<unsigned char>(text[i + 1]));
        if (std::isalnum(c) || inner_apostrophe || c >= 0x80)
            cleaned.push_back(static_cast<char>(std::tolower(c)));
        else
            cleaned.push_back(' ');
    }
    std::istringstream words(cleaned);
    std::vector<std::string> out;
    for (std::string word; words >> word;) out.push_back(word);
    return out;
}

WordErrors word_errors(const std::string &reference, const std::string &hypothesis) {
    const auto ref = normalise_words(reference), hyp = normalise_words(hypothesis);
    struct Cell {
        std::size_t cost = 0, substitutions = 0, deletions = 0, insertions = 0;
    };
    std::vector<std::vector<Cell>> table(ref.size() + 1, std::vector<Cell>(hyp.size() + 1));
    for (std::size_t i = 1; i <= ref.size(); ++i) table[i][0] = {i, 0, i, 0};
    for (std::size_t j = 1; j <= hyp.size(); ++j) table[0][j] = {j, 0, 0, j};
    for (std::size_t i = 1; i <= ref.size(); ++i) {
        for (std::size_t j = 1; j <= hyp.size(); ++j) {
            Cell best = table[i - 1][j - 1];
            if (ref[i - 1] != hyp[j - 1]) {
                ++best.cost;
                ++best.substitutions;
            }
            Cell deletion = table[i - 1][j];
            ++deletion.cost, ++deletion.deletions;
            Cell insertion = table[i][j - 1];
            ++insertion.cost, ++insertion.insertions;
            if (deletion.cost < best.cost) best = deletion;
            if (insertion.cost < best.cost) best = insertion;
            table[i][j] = best;
        }
    }
    const Cell &end = table[ref.size()][hyp.size()];
    return {end.substitutions, end.deletions, end.insertions, ref.size()};
}

}  // namespace dubhost::scoring
