// best_assignment (speaker_assignment.hpp): the matrix padded square with zeros, agreement turned
// into cost (largest weight minus weight), then the shortest-augmenting-path Hungarian algorithm
// with row and column potentials.
#include "speaker_assignment.hpp"

#include <algorithm>
#include <limits>

namespace dubhost::scoring {

std::vector<int> best_assignment(const std::vector<std::vector<std::int64_t>> &weight, int columns) {
    const auto rows = static_cast<int>(weight.size());
    const int n = std::max(rows, columns);
    std::vector<int> column_row(static_cast<std::size_t>(columns), -1);
    if (n == 0) return column_row;
    std::int64_t largest = 0;
    for (const auto &row : weight)
        for (const auto value : row) largest = std::max(largest, value);
    const auto cost = [&](int i, int j) -> std::int64_t {  // 1-based, padded
        const bool real = i <= rows && j <= columns;
        return largest - (real ? weight[static_cast<std::size_t>(i - 1)][static_cast<std::size_t>(j - 1)] : 0);
    };
    const std::int64_t infinity = std::numeric_limits<std::int64_t>::max() / 4;
    const auto size = static_cast<std::size_t>(n + 1);
    std::vector<std::int64_t> row_potential(size, 0), column_potential(size, 0);
    std::vector<int> match(size, 0), way(size, 0);  // match[j]: the row paired with column j (0 = none)
    for (int i = 1; i <= n; ++i) {
        match[0] = i;
        int column = 0;
        std::vector<std::int64_t> least(size, infinity);
        std::vector<bool> used(size, false);
        do {
            used[static_cast<std::size_t>(column)] = true;
            const int row = match[static_cast<std::size_t>(column)];
            std::int64_t delta = infinity;
            int next = 0;
            for (int j = 1; j <= n; ++j) {
                if (used[static_cast<std::size_t>(j)]) continue;
                const std::int64_t reduced =
                    cost(row, j) - row_potential[static_cast<std::size_t>(row)] - column_potential[static_cast<std::size_t>(j)];
                if (reduced < least[static_cast<std::size_t>(j)]) {
                    least[static_cast<std::size_t>(j)] = reduced;
                    way[static_cast<std::size_t>(j)] = column;
                }
                if (least[static_cast<std::size_t>(j)] < delta) {
                    delta = least[static_cast<std::size_t>(j)];
                    next = j;
                }
            }
            for (int j = 0; j <= n; ++j) {
                if (used[static_cast<std::size_t>(j)]) {
                    row_potential[static_cast<std::size_t>(match[static_cast<std::size_t>(j)])] += delta;
                    column_potential[static_cast<std::size_t>(j)] -= delta;
                } else {
                    least[static_cast<std::size_t>(j)] -= delta;
                }
            }
            column = next;
        } while (match[static_cast<std::size_t>(column)] != 0);
        do {  // flip the augmenting path
            const int previous = way[static_cast<std::size_t>(column)];
            match[static_cast<std::size_t>(column)] = match[static_cast<std::size_t>(previous)];
            column = previous;
        } while (column != 0);
    }
    for (int j = 1; j <= columns; ++j) {
        const int row = match[static_cast<std::size_t>(j)];
        column_row[static_cast<std::size_t>(j - 1)] = row >= 1 && row <= rows ? row - 1 : -1;
    }
    return column_row;
}

}  // namespace dubhost::scoring
