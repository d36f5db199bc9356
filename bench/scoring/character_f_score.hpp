// chrF (Popović, 2015): the character n-gram F-score of machine translation against references, as
// sacreBLEU computes it by default (n = 1..6, beta = 2, whitespace ignored, corpus statistics).
// Used by the translation benchmark and its unit test.
#pragma once

#include <string>
#include <vector>

namespace dubhost::scoring {

// 0-100; hypotheses and references are paired by index (the shorter list decides how many pairs).
double character_f_score(const std::vector<std::string> &hypotheses, const std::vector<std::string> &references);

}  // namespace dubhost::scoring
