#include "voice_assignment.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using dubhost::espeak::assign_voices;

BOOST_AUTO_TEST_SUITE(voice_assignment)

BOOST_AUTO_TEST_CASE(every_speaker_gets_a_distinct_voice) {
    const auto voices = assign_voices({"Bob", "Ann", "Cy", "Ann"}, {}, "gmw/en");
    BOOST_TEST(voices.size() == 3u);
    std::set<std::string> distinct;
    for (const auto &[speaker, voice] : voices) distinct.insert(voice);
    BOOST_TEST(distinct.size() == 3u);
    BOOST_TEST(voices.at("Ann") == "gmw/en+m3");  // sorted order: stable across runs
    BOOST_TEST(voices.at("Bob") == "gmw/en+f2");
}

BOOST_AUTO_TEST_CASE(chosen_voices_win_and_are_not_reused) {
    const auto voices = assign_voices({"Ann", "Bob"}, {{"Bob", "gmw/en+m3"}}, "gmw/en");
    BOOST_TEST(voices.at("Bob") == "gmw/en+m3");
    BOOST_TEST(voices.at("Ann") != "gmw/en+m3");
}

BOOST_AUTO_TEST_CASE(many_speakers_still_get_voices) {
    std::vector<std::string> speakers;
    for (int i = 0; i < 30; ++i) speakers.push_back("S" + std::to_string(i));
    BOOST_TEST(assign_voices(speakers, {}, "gmw/en").size() == 30u);
}

BOOST_AUTO_TEST_SUITE_END()
