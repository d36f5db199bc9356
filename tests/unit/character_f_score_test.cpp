// chrF as the translation benchmark computes it: its bounds, its insensitivity to spacing, its
// sensitivity to every character (accents count), and a value worked out by hand.
#include "character_f_score.hpp"

#include <boost/test/unit_test.hpp>

using dubhost::scoring::character_f_score;

BOOST_AUTO_TEST_SUITE(character_f_score_suite)

BOOST_AUTO_TEST_CASE(identical_text_scores_100_and_unrelated_text_0) {
    BOOST_TEST(character_f_score({"¿Dónde está la estación?"}, {"¿Dónde está la estación?"}) == 100.0,
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(character_f_score({"xyz"}, {"abc"}) == 0.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(character_f_score({}, {}) == 0.0);
}

BOOST_AUTO_TEST_CASE(whitespace_does_not_count_but_accents_do) {
    BOOST_TEST(character_f_score({"la  casa roja"}, {"lacasa roja"}) == 100.0, boost::test_tools::tolerance(1e-9));
    const double with_accent = character_f_score({"estación"}, {"estación"});
    const double without = character_f_score({"estacion"}, {"estación"});
    BOOST_TEST(without < with_accent);
    BOOST_TEST(without > 40.0);  // most n-grams still match: "ó" is one code point, not two bytes
}

BOOST_AUTO_TEST_CASE(a_value_worked_out_by_hand) {
    // "ab" against "abc": order 1 P=2/2 R=2/3, order 2 P=1/1 R=1/2; orders 3-6 have no hypothesis
    // n-grams and are left out. F2 = 5PR/(4P+R): 10/14 and 5/9; the mean is 63.49.
    BOOST_TEST(character_f_score({"ab"}, {"abc"}) == 100.0 * (10.0 / 14.0 + 5.0 / 9.0) / 2.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()
