// Segment text into and out of apertium's stream format, and its mode names: what the translate
// backend relies on to keep one segment per block and markup intact, tested without the program.
#include "apertium_pairs.hpp"
#include "apertium_stream.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace dubhost::apertium;

BOOST_AUTO_TEST_SUITE(apertium_text)

BOOST_AUTO_TEST_CASE(special_characters_are_escaped_and_markup_becomes_superblanks) {
    BOOST_TEST(to_stream("Hello.") == "Hello.[]");
    BOOST_TEST(to_stream("a/b $5 ^x^ {y} [z] c:\\d") == "a\\/b \\$5 \\^x\\^ \\{y\\} \\[z\\] c:\\\\d[]");
    BOOST_TEST(to_stream("<i>Hi</i> there") == "[<i>]Hi[</i>] there[]");
    BOOST_TEST(to_stream("<font color=\"red\">Hi</font>") == "[<font color=\"red\">]Hi[</font>][]");
    BOOST_TEST(to_stream("{\\an8}Top") == "[{\\\\an8}]Top[]");
    BOOST_TEST(to_stream("one\r\ntwo") == "one[\n]two[]");
    BOOST_TEST(to_stream("*star* #1 @home") == "[*]star[*] [#]1 [@]home[]");
    BOOST_TEST(to_stream("1 < 2 > 0") == "1 \\< 2 \\> 0[]");  // not a tag
}

BOOST_AUTO_TEST_CASE(output_is_unescaped_marks_are_removed_and_unknown_words_kept) {
    const Translated plain = from_stream(" Quiero el coche rojo.[]");
    BOOST_TEST(plain.text == "Quiero el coche rojo.");
    BOOST_TEST(plain.unknown_words.empty());
    const Translated unknown = from_stream("El *flurbish *zork es aquí.  Bien[]");
    BOOST_TEST(unknown.text == "El flurbish zork es aquí. Bien");
    BOOST_TEST((unknown.unknown_words == std::vector<std::string>{"flurbish", "zork"}));
    BOOST_TEST(from_stream("[<i>] Hola[</i>] amigo[\n]  dos \\$5 \\[a\\][]").text == "<i> Hola</i> amigo\ndos $5 [a]");
    BOOST_TEST(from_stream("[*]estrella[*] #ir @casa[]").text == "*estrella* ir casa");
    BOOST_TEST(from_stream("   ").text.empty());
}

BOOST_AUTO_TEST_CASE(blocks_are_split_at_nul_and_trailing_flushes_ignored) {
    const std::string output("uno\0dos\0\0tres\0\0\0\0", 17);
    BOOST_TEST((split_blocks(output, 4) == std::vector<std::string>{"uno", "dos", "", "tres"}));
    BOOST_TEST(split_blocks(output, 9).size() == 7u);  // fewer than asked: the caller reports it
    BOOST_TEST(split_blocks("no terminator", 1).empty());
}

BOOST_AUTO_TEST_CASE(modes_are_read_and_the_plain_direction_is_preferred) {
    const auto modes = parse_modes("  eng-spa\n  spa-eng_US\n  spa-eng\n  eng-spa-tagger\n  cat-xx\n\n");
    BOOST_TEST_REQUIRE(modes.size() == 3u);
    BOOST_TEST(modes[0].from == "en");
    BOOST_TEST(modes[0].to == "es");
    BOOST_TEST(modes[1].variant == "US");
    const auto back = find_mode(modes, *dubhost::find_language("spa"), *dubhost::find_language("en-GB"));
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(back->name == "spa-eng");
    BOOST_TEST(!find_mode(modes, *dubhost::find_language("en"), *dubhost::find_language("de")).has_value());
}

BOOST_AUTO_TEST_CASE(the_debian_package_of_a_pair_is_named_either_way_round) {
    const auto en = *dubhost::find_language("en"), es = *dubhost::find_language("es");
    BOOST_TEST(pair_package(en, es).value_or("") == "apertium-eng-spa");
    BOOST_TEST(pair_package(es, en).value_or("") == "apertium-eng-spa");
    BOOST_TEST(pair_package(*dubhost::find_language("ca"), en).value_or("") == "apertium-eng-cat");
    BOOST_TEST(!pair_package(en, *dubhost::find_language("ja")).has_value());
    std::set<std::pair<std::string, std::string>> seen;  // one package per pair of languages
    for (const auto &package : debian_pair_packages()) {
        BOOST_TEST(seen.insert(package.languages).second, package.name);
        BOOST_TEST(seen.count({package.languages.second, package.languages.first}) ==
                   (package.languages.first == package.languages.second ? 1u : 0u));
    }
}

BOOST_AUTO_TEST_SUITE_END()
