#include "segmenter.hpp"

#include <boost/test/unit_test.hpp>

using dubhost::asr::split_utterance;
using dubhost::asr::TimedWord;

BOOST_AUTO_TEST_SUITE(asr_segmenter)

BOOST_AUTO_TEST_CASE(short_utterances_stay_whole) {
    const auto segments = split_utterance({{"hello", 0, 400}, {"there", 450, 900}}, 8000);
    BOOST_TEST_REQUIRE(segments.size() == 1u);
    BOOST_TEST(segments[0].text == "hello there");
    BOOST_TEST(segments[0].start_ms == 0);
    BOOST_TEST(segments[0].end_ms == 900);
}

BOOST_AUTO_TEST_CASE(long_utterances_split_at_the_widest_pause) {
    std::vector<TimedWord> words;
    for (int i = 0; i < 20; ++i)
        words.push_back({"w" + std::to_string(i), i * 600 + (i >= 12 ? 700 : 0), i * 600 + 500 + (i >= 12 ? 700 : 0)});
    const auto segments = split_utterance(words, 8000);
    BOOST_TEST_REQUIRE(segments.size() == 2u);
    BOOST_TEST(segments[0].text.substr(segments[0].text.rfind(' ') + 1) == "w11");  // the 800 ms pause before w12
    for (const auto &segment : segments) BOOST_TEST(segment.end_ms - segment.start_ms <= 8000);
}

BOOST_AUTO_TEST_CASE(even_speech_splits_until_every_part_fits) {
    std::vector<TimedWord> words;
    for (int i = 0; i < 100; ++i) words.push_back({"w", i * 300, i * 300 + 250});
    const auto segments = split_utterance(words, 8000);
    BOOST_TEST(segments.size() >= 4u);
    for (const auto &segment : segments) BOOST_TEST(segment.end_ms - segment.start_ms <= 8000);
}

BOOST_AUTO_TEST_CASE(fillers_and_alternates) {
    BOOST_TEST(dubhost::asr::is_filler("<sil>"));
    BOOST_TEST(dubhost::asr::is_filler("[NOISE]"));
    BOOST_TEST(dubhost::asr::is_filler("++BREATH++"));
    BOOST_TEST(!dubhost::asr::is_filler("hello"));
    BOOST_TEST(dubhost::asr::clean_word("the(2)") == "the");
    BOOST_TEST(dubhost::asr::clean_word("plain") == "plain");
}

BOOST_AUTO_TEST_SUITE_END()
