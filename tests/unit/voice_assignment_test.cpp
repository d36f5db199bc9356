// Voices per speaker: the shared assignment (tts-common) with espeak-ng's variants and flite's
// voices, espeak-ng's move of chosen voices into the track's language, flite's voice ids.
#include "flite_voices.hpp"
#include "voice_assignment.hpp"
#include "voice_variants.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using dubhost::espeak::automatic_voices;
using dubhost::tts::assign_voices;

BOOST_AUTO_TEST_SUITE(voice_assignment)

BOOST_AUTO_TEST_CASE(every_speaker_gets_a_distinct_voice) {
    const auto voices = assign_voices({"Bob", "Ann", "Cy", "Ann"}, {}, automatic_voices("gmw/en"));
    BOOST_TEST(voices.size() == 3u);
    std::set<std::string> distinct;
    for (const auto &[speaker, voice] : voices) distinct.insert(voice);
    BOOST_TEST(distinct.size() == 3u);
    BOOST_TEST(voices.at("Ann") == "gmw/en+m3");  // sorted order: stable across runs
    BOOST_TEST(voices.at("Bob") == "gmw/en+f2");
}

BOOST_AUTO_TEST_CASE(chosen_voices_win_and_are_not_reused) {
    const auto voices = assign_voices({"Ann", "Bob"}, {{"Bob", "gmw/en+m3"}}, automatic_voices("gmw/en"));
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
    const auto voices = assign_voices({"Ann", "Bob", "Cy", "Dee"}, chosen, automatic_voices("roa/es"));
    BOOST_TEST(voices.at("Dee") != "roa/es+f3");
}

BOOST_AUTO_TEST_CASE(many_speakers_still_get_voices) {
    std::vector<std::string> speakers;
    for (int i = 0; i < 30; ++i) speakers.push_back("S" + std::to_string(i));
    BOOST_TEST(assign_voices(speakers, {}, automatic_voices("gmw/en")).size() == 30u);
}

BOOST_AUTO_TEST_CASE(flite_speakers_alternate_female_and_male_and_stay_distinct) {
    const auto &automatic = dubhost::flite::automatic_voices();
    const auto voices = assign_voices({"A", "B", "C", "D"}, {}, automatic);
    BOOST_TEST(voices.at("A") == "slt");
    BOOST_TEST(voices.at("B") == "rms");
    std::set<std::string> distinct;
    for (const auto &voice : automatic) {
        distinct.insert(voice);
        BOOST_TEST(dubhost::flite::parse_voice(voice).has_value(), voice);  // every automatic voice can be spoken
    }
    BOOST_TEST(distinct.size() == automatic.size());
    BOOST_TEST(dubhost::flite::parse_voice(automatic[0])->voice->gender !=
               dubhost::flite::parse_voice(automatic[1])->voice->gender);
}

BOOST_AUTO_TEST_CASE(flite_voice_ids_are_read_as_written_and_others_refused) {
    const auto high = dubhost::flite::parse_voice("SLT+High");
    BOOST_TEST_REQUIRE(high.has_value());
    BOOST_TEST(high->voice->name == "slt");
    BOOST_TEST(high->pitch_factor > 1.0);
    BOOST_TEST(dubhost::flite::parse_voice("cmu_us_awb+low")->pitch_factor < 1.0);
    BOOST_TEST(!dubhost::flite::parse_voice("rms+high").has_value());  // rms's pitch does not move
    BOOST_TEST(!dubhost::flite::parse_voice("gmw/en+f3").has_value());
    BOOST_TEST(!dubhost::flite::parse_voice("slt+loud").has_value());
    BOOST_TEST(!dubhost::flite::parse_voice("").has_value());
    for (const auto &id : dubhost::flite::voice_ids()) BOOST_TEST(dubhost::flite::parse_voice(id).has_value(), id);
}

BOOST_AUTO_TEST_SUITE_END()
