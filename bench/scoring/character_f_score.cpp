// Counts are per n-gram order over the whole corpus; the score is the mean of each order's F-beta
// over the orders both sides have, on Unicode code points (UTF-8 decoded), case kept.
#include "character_f_score.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace dubhost::scoring {
namespace {

constexpr int max_order = 6;
constexpr double beta = 2.0;

// The code points of a UTF-8 text without its whitespace (a malformed byte counts as one).
std::u32string code_points(std::string_view text) {
    std::u32string out;
    for (std::size_t at = 0; at < text.size();) {
        const auto lead = static_cast<unsigned char>(text[at]);
        const std::size_t length = lead < 0x80           ? 1
                                   : (lead >> 5) == 0x6  ? 2
                                   : (lead >> 4) == 0xE  ? 3
                                   : (lead >> 3) == 0x1E ? 4
                                                         : 1;
        char32_t point = length == 1 ? lead : lead & (0x7F >> length);
        for (std::size_t i = 1; i < length && at + i < text.size(); ++i)
            point = (point << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
        at += length;
        if (point != U' ' && point != U'\t' && point != U'\n' && point != U'\r') out.push_back(point);
    }
    return out;
}

std::map<std::u32string, int> ngrams(const std::u32string &text, std::size_t order) {
    std::map<std::u32string, int> counts;
    for (std::size_t at = 0; at + order <= text.size(); ++at) ++counts[text.substr(at, order)];
    return counts;
}

}  // namespace

double character_f_score(const std::vector<std::string> &hypotheses, const std::vector<std::string> &references) {
    std::array<double, max_order> hypothesis_total{}, reference_total{}, matched{};
    for (std::size_t i = 0; i < std::min(hypotheses.size(), references.size()); ++i) {
        const auto hypothesis = code_points(hypotheses[i]), reference = code_points(references[i]);
        for (int order = 1; order <= max_order; ++order) {
            const auto from_hypothesis = ngrams(hypothesis, static_cast<std::size_t>(order));
            const auto from_reference = ngrams(reference, static_cast<std::size_t>(order));
            for (const auto &[gram, count] : from_hypothesis) {
                hypothesis_total[order - 1] += count;
                if (const auto found = from_reference.find(gram); found != from_reference.end())
                    matched[order - 1] += std::min(count, found->second);
            }
            for (const auto &[gram, count] : from_reference) reference_total[order - 1] += count;
        }
    }
    double sum = 0;
    int orders = 0;
    for (int n = 0; n < max_order; ++n) {
        if (hypothesis_total[n] == 0 || reference_total[n] == 0) continue;
        ++orders;
        const double precision = matched[n] / hypothesis_total[n], recall = matched[n] / reference_total[n];
        const double denominator = beta * beta * precision + recall;
        if (denominator > 0) sum += (1 + beta * beta) * precision * recall / denominator;
    }
    return orders == 0 ? 0.0 : 100.0 * sum / orders;
}

}  // namespace dubhost::scoring
