// Language codes as users type them, against the ISO 639 table compiled from iso-codes: one stored
// form whatever the spelling, the codes stream tags carry, and a named error for a code that is none.
#include <dubhost/support/error.hpp>
#include <dubhost/support/language_codes.hpp>

#include <boost/test/unit_test.hpp>

using dubhost::find_language;

BOOST_AUTO_TEST_SUITE(language_codes)

BOOST_AUTO_TEST_CASE(every_spelling_of_a_language_has_one_stored_form) {
    for (const char *code : {"es", "ES", "spa", "Spa"}) {
        const auto language = find_language(code);
        BOOST_TEST_REQUIRE(language.has_value(), code);
        BOOST_TEST(language->canonical == "es");
        BOOST_TEST(language->alpha3 == "spa");
        BOOST_TEST(language->name == "Spanish");
    }
    // 639-2/B and 639-3 differ for German: both are accepted; tags carry the bibliographic one.
    for (const char *code : {"de", "deu", "ger"}) {
        BOOST_TEST_REQUIRE(find_language(code).has_value(), code);
        BOOST_TEST(find_language(code)->canonical == "de");
        BOOST_TEST(find_language(code)->bibliographic == "ger");
    }
    BOOST_TEST(find_language("pt_br")->canonical == "pt-BR");
    BOOST_TEST(find_language("zh-hant")->canonical == "zh-Hant");
    // A language with no two-letter code keeps its three letters.
    BOOST_TEST(find_language("ast")->canonical == "ast");
}

BOOST_AUTO_TEST_CASE(what_is_not_a_code_is_refused_by_name) {
    for (const char *code : {"", "xx", "english", "e", "es-", "es-!!", "qqq1"})
        BOOST_TEST(!find_language(code).has_value(), code);
    try {
        dubhost::require_language("xx");
        BOOST_FAIL("accepted xx");
    } catch (const dubhost::Failure &failure) {
        BOOST_TEST(failure.code() == "unknown-language");
        BOOST_TEST(std::string(failure.what()).find("'xx'") != std::string::npos);
        BOOST_TEST(failure.hint().find("es") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(stream_tags_are_bibliographic_or_und) {
    BOOST_TEST(dubhost::stream_language_tag("fr") == "fre");
    BOOST_TEST(dubhost::stream_language_tag("en-US") == "eng");
    BOOST_TEST(dubhost::stream_language_tag("") == "und");
    BOOST_TEST(dubhost::stream_language_tag("klingonish") == "und");
}

BOOST_AUTO_TEST_CASE(the_primary_language_drops_the_region_in_any_spelling) {
    BOOST_TEST(dubhost::primary_language("pt-BR") == "pt");
    BOOST_TEST(dubhost::primary_language("en_us") == "en");
    BOOST_TEST(dubhost::primary_language("spa") == "spa");
    BOOST_TEST(dubhost::primary_language("") == "");
}

BOOST_AUTO_TEST_SUITE_END()
