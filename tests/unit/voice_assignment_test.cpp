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

BOOST_AUTO_TEST_CASE(a_chosen_voice_of_another_language_keeps_its_variant_in_the_tracks_language) {
    std::map<std::string, std::string> chosen = {{"Ann", "gmw/en+f3"}, {"Bob", "roa/es"}, {"Cy", "gmw/en"}};
    const auto speaks_spanish = [](const std::string &identifier) { return identifier == "roa/es"; };
    const auto changes = dubhost::espeak::move_to_language(chosen, "roa/es", speaks_spanish);
    BOOST_TEST(chosen.at("Ann") == "roa/es+f3");
    BOOST_TEST(chosen.at("Bob") == "roa/es");  // already Spanish: untouched
    BOOST_TEST(chosen.at("Cy") == "roa/es");
    BOOST_TEST_REQUIRE(changes.size() == 2u);
    BOOST_TEST(changes[0].speaker == "Ann");
    BOOST_TEST(changes[0].chosen == "gmw/en+f3");
    BOOST_TEST(changes[0].used == "roa/es+f3");
    // Moved voices still count as taken: nobody else gets Ann's register.
    const auto voices = assign_voices({"Ann", "Bob", "Cy", "Dee"}, chosen, "roa/es");
    BOOST_TEST(voices.at("Dee") != "roa/es+f3");
}

BOOST_AUTO_TEST_CASE(many_speakers_still_get_voices) {
    std::vector<std::string> speakers;
    for (int i = 0; i < 30; ++i) speakers.push_back("S" + std::to_string(i));
    BOOST_TEST(assign_voices(speakers, {}, "gmw/en").size() == 30u);
}

BOOST_AUTO_TEST_SUITE_END()
