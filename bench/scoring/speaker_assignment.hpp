// The one-to-one pairing of two sets (reference and hypothesis speakers) that maximises the total
// agreement, by the Hungarian algorithm (O(n^3)): exact at any speaker count. Used by the DER scorer.
#pragma once

#include <cstdint>
#include <vector>

namespace dubhost::scoring {

// weight[i][j]: how much row i agrees with column j (e.g. frames both label). Rows and columns may
// differ in number. Returns, for each column, its row or -1 when it is paired with none.
std::vector<int> best_assignment(const std::vector<std::vector<std::int64_t>> &weight, int columns);

}  // namespace dubhost::scoring
