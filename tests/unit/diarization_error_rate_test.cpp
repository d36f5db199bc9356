// The DER scorer on hand-made labellings, and the speaker pairing it uses checked against every
// permutation on small random matrices and on more speakers than a brute force could try.
#include "diarization_error_rate.hpp"
#include "speaker_assignment.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using dubhost::scoring::diarization_errors;

BOOST_AUTO_TEST_SUITE(diarization_error_rate)

BOOST_AUTO_TEST_CASE(renamed_speakers_are_not_errors) {
    const auto errors = diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 2000, "x"}, {2000, 4000, "y"}}, 0);
    BOOST_TEST(errors.rate() == 0.0);
    BOOST_TEST(std::abs(errors.reference_s - 4.0) < 0.02);
}

BOOST_AUTO_TEST_CASE(missed_false_alarm_and_confusion) {
    const auto errors =
        diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 1000, "x"}, {1000, 4000, "y"}, {5000, 6000, "y"}}, 0);
    BOOST_TEST(std::abs(errors.confusion_s - 1.0) < 0.02);    // 1-2 s labelled y, which maps to B
    BOOST_TEST(std::abs(errors.false_alarm_s - 1.0) < 0.02);  // 5-6 s is silence in the reference
    BOOST_TEST(std::abs(errors.rate() - 0.5) < 0.01);
    const auto missed = diarization_errors({{0, 2000, "A"}}, {{0, 1500, "x"}}, 0);
    BOOST_TEST(std::abs(missed.missed_s - 0.5) < 0.02);
}

BOOST_AUTO_TEST_CASE(the_collar_forgives_boundaries) {
    const auto strict = diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 2200, "x"}, {2200, 4000, "y"}}, 0);
    const auto collared = diarization_errors({{0, 2000, "A"}, {2000, 4000, "B"}}, {{0, 2200, "x"}, {2200, 4000, "y"}}, 250);
    BOOST_TEST(strict.rate() > 0.04);
    BOOST_TEST(collared.rate() == 0.0);
}

BOOST_AUTO_TEST_CASE(twelve_renamed_speakers_are_paired_and_not_errors) {
    // Before the Hungarian pairing, more than 8 speakers were scored as all confusion.
    std::vector<dubhost::scoring::LabelledTurn> reference, hypothesis;
    for (int i = 0; i < 12; ++i) {
        reference.push_back({i * 1000, i * 1000 + 900, "ref" + std::to_string(i)});
        hypothesis.push_back({i * 1000, i * 1000 + 900, "hyp" + std::to_string((i * 5) % 12)});
    }
    BOOST_TEST(diarization_errors(reference, hypothesis, 0).rate() == 0.0);
    hypothesis[3].speaker = hypothesis[4].speaker;  // one turn given to the wrong speaker
    const auto one_wrong = diarization_errors(reference, hypothesis, 0);
    BOOST_TEST(std::abs(one_wrong.confusion_s - 0.9) < 0.02);
}

BOOST_AUTO_TEST_CASE(the_pairing_is_the_best_of_every_permutation) {
    std::mt19937 random(7);
    for (int round = 0; round < 200; ++round) {
        const int rows = 1 + static_cast<int>(random() % 6), columns = 1 + static_cast<int>(random() % 6);
        std::vector<std::vector<std::int64_t>> weight(static_cast<std::size_t>(rows),
                                                      std::vector<std::int64_t>(static_cast<std::size_t>(columns)));
        for (auto &row : weight)
            for (auto &value : row) value = static_cast<std::int64_t>(random() % 100);
        const auto pairing = dubhost::scoring::best_assignment(weight, columns);
        std::int64_t found = 0;
        std::vector<bool> row_used(static_cast<std::size_t>(rows), false);
        for (int j = 0; j < columns; ++j) {
            const int row = pairing[static_cast<std::size_t>(j)];
            if (row < 0) continue;
            BOOST_TEST_REQUIRE(!row_used[static_cast<std::size_t>(row)]);  // one to one
            row_used[static_cast<std::size_t>(row)] = true;
            found += weight[static_cast<std::size_t>(row)][static_cast<std::size_t>(j)];
        }
        std::vector<int> order(static_cast<std::size_t>(std::max(rows, columns)));
        std::iota(order.begin(), order.end(), 0);
        std::int64_t best = 0;
        do {
            std::int64_t total = 0;
            for (int j = 0; j < columns; ++j)
                if (order[static_cast<std::size_t>(j)] < rows)
                    total += weight[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])][static_cast<std::size_t>(j)];
            best = std::max(best, total);
        } while (std::next_permutation(order.begin(), order.end()));
        BOOST_TEST(found == best);
    }
}

BOOST_AUTO_TEST_SUITE_END()
