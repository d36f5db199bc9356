#include "word_error_rate.hpp"

#include <boost/test/unit_test.hpp>

using dubhost::scoring::word_errors;

BOOST_AUTO_TEST_SUITE(word_error_rate)

BOOST_AUTO_TEST_CASE(identical_text_after_normalising_has_no_errors) {
    BOOST_TEST(word_errors("Hello, World!", "hello world").errors() == 0u);
    BOOST_TEST(word_errors("It's here.", "it's here").rate() == 0.0);
}

BOOST_AUTO_TEST_CASE(each_kind_of_error_is_counted) {
    const auto substitution = word_errors("the cat sat", "the bat sat");
    BOOST_TEST(substitution.substitutions == 1u);
    BOOST_TEST(substitution.rate() == 1.0 / 3);
    const auto deletion = word_errors("the cat sat down", "the cat down");
    BOOST_TEST(deletion.deletions == 1u);
    BOOST_TEST(deletion.errors() == 1u);
    const auto insertion = word_errors("the cat", "the big cat");
    BOOST_TEST(insertion.insertions == 1u);
    BOOST_TEST(insertion.rate() == 0.5);
}

BOOST_AUTO_TEST_CASE(alignment_finds_the_cheapest_path) {
    // Shifted by one word: one deletion and one insertion, not four substitutions.
    const auto shifted = word_errors("a b c d", "b c d e");
    BOOST_TEST(shifted.errors() == 2u);
    BOOST_TEST(word_errors("", "").rate() == 0.0);
    BOOST_TEST(word_errors("", "extra").rate() == 1.0);
    BOOST_TEST(word_errors("one two", "").rate() == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
