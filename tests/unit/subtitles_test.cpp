#include <dubhost/support/error.hpp>
#include "dubhost/host/subtitle_formats.hpp"

#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using dubhost::ParsedSubtitles;
using dubhost::SubtitleFormat;
using dubhost::SubtitleSegment;

namespace {

ParsedSubtitles srt(std::string_view text) { return dubhost::parse_subtitles(text, SubtitleFormat::srt, "talk.srt"); }
ParsedSubtitles vtt(std::string_view text) { return dubhost::parse_subtitles(text, SubtitleFormat::vtt, "talk.vtt"); }

// The failure's message when read strictly (or as `reading` says), or "" when parsing succeeded.
std::string failure_of(std::string_view text, SubtitleFormat format,
                       dubhost::SubtitleReading reading = dubhost::SubtitleReading::strict) {
    try {
        dubhost::parse_subtitles(text, format, "talk." + std::string(dubhost::subtitle_format_name(format)), reading);
    } catch (const dubhost::Failure &failure) {
        BOOST_TEST(failure.code() == "subtitle-syntax");
        BOOST_TEST(static_cast<int>(failure.kind()) == 1);
        return failure.what();
    }
    return "";
}

bool mentions(const std::vector<std::string> &repairs, std::string_view words) {
    for (const auto &repair : repairs)
        if (repair.find(words) != std::string::npos) return true;
    return false;
}

dubhost::SubtitleTrack track_of(std::vector<SubtitleSegment> segments) {
    dubhost::SubtitleTrack track;
    track.kind = "source";
    track.language = "en";
    track.segments = std::move(segments);
    return track;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subtitles)

BOOST_AUTO_TEST_CASE(srt_cues_with_times_and_multiline_text) {
    const auto parsed = srt("1\n00:00:01,000 --> 00:00:02,500\nHello there.\n\n2\n01:02:03,004 --> 01:02:04,000\nTwo\nlines\n");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST(parsed.segments[0].start_ms == 1000);
    BOOST_TEST(parsed.segments[0].end_ms == 2500);
    BOOST_TEST(parsed.segments[0].text == "Hello there.");
    BOOST_TEST(parsed.segments[1].start_ms == ((1 * 60 + 2) * 60 + 3) * 1000 + 4);
    BOOST_TEST(parsed.segments[1].text == "Two\nlines");
    BOOST_TEST(parsed.repairs.empty());
}

BOOST_AUTO_TEST_CASE(srt_and_vtt_round_trip_keep_text_times_and_vtt_speakers) {
    const std::vector<SubtitleSegment> segments = {
        {0, 0, 1200, "Good morning.", "Alice"},
        {0, 1500, 4000, "Two lines\nof text, with 'quotes'.", "Bob Smith"},
        {0, 3600 * 1000 + 5, 3600 * 1000 + 900, "After an hour: <tags> & ampersands", "Alice"},
    };
    const auto from_srt = srt(dubhost::write_subtitles(track_of(segments), SubtitleFormat::srt));
    BOOST_TEST_REQUIRE(from_srt.segments.size() == segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        BOOST_TEST(from_srt.segments[i].text == segments[i].text);
        BOOST_TEST(from_srt.segments[i].start_ms == segments[i].start_ms);
        BOOST_TEST(from_srt.segments[i].end_ms == segments[i].end_ms);
    }
    const auto from_vtt = vtt(dubhost::write_subtitles(track_of(segments), SubtitleFormat::vtt));
    BOOST_TEST(from_vtt.language == "en");
    BOOST_TEST_REQUIRE(from_vtt.segments.size() == segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) BOOST_TEST((from_vtt.segments[i] == segments[i]));
}

BOOST_AUTO_TEST_CASE(json_round_trip_keeps_everything) {
    const std::vector<SubtitleSegment> segments = {{0, 10, 20, "one", "S1"}, {0, 30, 40, "two", ""}};
    const auto parsed = dubhost::parse_subtitles(dubhost::write_subtitles(track_of(segments), SubtitleFormat::json),
                                                 SubtitleFormat::json, "t.json");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST((parsed.segments[0] == segments[0]));
    BOOST_TEST((parsed.segments[1] == segments[1]));
    BOOST_TEST(parsed.language == "en");
}

BOOST_AUTO_TEST_CASE(filter_syntax_characters_come_through_verbatim) {
    const std::string text = R"(It's a:b, [c]; d\e 'f' %g)";
    for (auto format : {SubtitleFormat::srt, SubtitleFormat::vtt, SubtitleFormat::json}) {
        const auto written = dubhost::write_subtitles(track_of({{0, 0, 1000, text, ""}}), format);
        const auto parsed = dubhost::parse_subtitles(written, format, "x");
        BOOST_TEST_REQUIRE(parsed.segments.size() == 1u);
        BOOST_TEST(parsed.segments[0].text == text);
    }
}

BOOST_AUTO_TEST_CASE(bom_and_crlf_are_repaired_and_reported) {
    const auto parsed =
        srt("\xEF\xBB\xBF"
            "1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n\r\n2\r00:00:03,000 --> 00:00:04,000\rThere\r");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST(parsed.segments[1].text == "There");
    BOOST_TEST(mentions(parsed.repairs, "byte-order mark"));
    BOOST_TEST(mentions(parsed.repairs, "CRLF"));
}

BOOST_AUTO_TEST_CASE(empty_cues_are_dropped_with_their_line) {
    const auto parsed = srt("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nKept\n");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 1u);
    BOOST_TEST(parsed.segments[0].text == "Kept");
    BOOST_TEST(mentions(parsed.repairs, "dropped the empty cue at line 2"));
}

BOOST_AUTO_TEST_CASE(overlaps_are_kept_and_disorder_is_sorted) {
    const auto parsed =
        srt("1\n00:00:05,000 --> 00:00:07,000\nLater\n\n2\n00:00:01,000 --> 00:00:06,000\nEarlier, overlapping\n");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST(parsed.segments[0].text == "Earlier, overlapping");
    BOOST_TEST(mentions(parsed.repairs, "sorted"));
    BOOST_TEST(mentions(parsed.repairs, "1 overlapping cue"));
}

BOOST_AUTO_TEST_CASE(cues_without_numbers_are_accepted) {
    const auto parsed = srt("00:00:01,000 --> 00:00:02,000\nNo number\n");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 1u);
}

BOOST_AUTO_TEST_CASE(bad_timestamps_fail_with_the_line_number_when_read_strictly) {
    BOOST_TEST(failure_of("1\n00:00:01,000 --> 00:00:0x,000\nA\n", SubtitleFormat::srt).find("talk.srt:2: bad end time") == 0u);
    BOOST_TEST(failure_of("\n\n1\n00:61:01,000 --> 00:62:00,000\nA\n", SubtitleFormat::srt).find("talk.srt:4:") == 0u);
    BOOST_TEST(failure_of("1\n00:00:01 --> 00:00:02\nA\n", SubtitleFormat::srt).find("milliseconds") != std::string::npos);
    BOOST_TEST(failure_of("1\n00:01,000 --> 00:02,000\nA\n", SubtitleFormat::srt).find("hours are missing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(negative_and_zero_durations_fail_when_read_strictly) {
    BOOST_TEST(failure_of("1\n00:00:05,000 --> 00:00:04,000\nA\n", SubtitleFormat::srt).find("negative duration") !=
               std::string::npos);
    BOOST_TEST(failure_of("1\n00:00:05,000 --> 00:00:05,000\nA\n", SubtitleFormat::srt).find("zero duration") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_number_without_timing_line_fails) {
    BOOST_TEST(failure_of("1\nHello\n", SubtitleFormat::srt).find("talk.srt:2: expected a timing line") == 0u);
    BOOST_TEST(failure_of("Hello\n", SubtitleFormat::srt).find("talk.srt:1: expected a cue number") == 0u);
}

// Either way: what is not UTF-8 would be spoken as the wrong words.
BOOST_AUTO_TEST_CASE(invalid_utf8_fails_with_its_line_however_the_file_is_read) {
    BOOST_TEST(failure_of("1\n00:00:01,000 --> 00:00:02,000\nbad \xC3\x28 byte\n", SubtitleFormat::srt)
                   .find("talk.srt:3: invalid UTF-8") == 0u);
    BOOST_TEST(failure_of("1\n00:00:01,000 --> 00:00:02,000\ncaf\xE9\n", SubtitleFormat::srt, dubhost::SubtitleReading::tolerant)
                   .find("talk.srt:3: invalid UTF-8 (subtitle files must be UTF-8; convert with `iconv") == 0u);
    BOOST_TEST(failure_of("1\n00:00:01,000 --> 00:00:02,000\n\xED\xA0\x80\n", SubtitleFormat::srt).find("invalid UTF-8") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(vtt_header_notes_styles_ids_settings_and_short_times) {
    const auto parsed =
        vtt("WEBVTT - a title\nLanguage: de\n\nNOTE a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\n"
            "intro\n00:01.000 --> 00:02.000 align:start position:10%\n<v.loud Ann Lee>Hallo <i>du</i> &amp; ich</v>\n\n"
            "00:00:03.000 --> 00:00:04.000\n<c.yellow>plain</c>\n");
    BOOST_TEST(parsed.language == "de");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST(parsed.segments[0].start_ms == 1000);
    BOOST_TEST(parsed.segments[0].speaker == "Ann Lee");
    BOOST_TEST(parsed.segments[0].text == "Hallo du & ich");
    BOOST_TEST(parsed.segments[1].speaker == "");
    BOOST_TEST(parsed.segments[1].text == "plain");
}

BOOST_AUTO_TEST_CASE(vtt_without_header_fails_on_line_1) {
    BOOST_TEST(failure_of("00:01.000 --> 00:02.000\nHi\n", SubtitleFormat::vtt).find("talk.vtt:1: a WebVTT file must start") ==
               0u);
    BOOST_TEST(failure_of("WEBVTTX\n", SubtitleFormat::vtt).find("talk.vtt:1:") == 0u);
}

// Read like a player: each defect below is repaired or its block dropped, the rest kept, and the
// repair named with its line. Read strictly, the same file is refused at that line.
BOOST_AUTO_TEST_CASE(vtt_blocks_that_cannot_be_parsed_are_dropped_and_the_rest_kept) {
    using namespace std::string_literals;  // the text holds a NUL
    const std::string text =
        "WEBVTT\nRegion: id=fred width=40% lines=3\n\n"
        "00:00:00:01.000 --> 00:00:02.000\nExtra colon\n\n"          // line 4: dropped
        "00:1.000 --> 00:02.000\nOne-digit field\n\n"                // line 7: dropped
        "00:03.000\f-->\f00:04.000\nForm feeds are white space\n\n"  // line 10: kept
        "REGION\nid:bill\n\n"                                        // skipped like NOTE and STYLE
        "a stray paragraph\nwith no timing\n\n"                      // line 16: dropped
        "00:05.000 --> 00:06.000\nK\0ept\n"s;                        // NUL removed
    const auto parsed = vtt(text);
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST(parsed.segments[0].text == "Form feeds are white space");
    BOOST_TEST(parsed.segments[1].text == "Kept");
    BOOST_TEST(mentions(parsed.repairs, "line 4: bad start time '00:00:00:01.000'"));
    BOOST_TEST(
        mentions(parsed.repairs, "line 7: bad start time '00:1.000': minutes and seconds must be two digits; dropped the cue"));
    BOOST_TEST(mentions(parsed.repairs, "line 16: a block with no timing line ('a stray paragraph', lines 16-17); dropped it"));
    BOOST_TEST(mentions(parsed.repairs, "NUL characters on 1 line(s), the first at line 20"));
    // Strictly, the bytes are checked before the cues.
    BOOST_TEST(failure_of(text, SubtitleFormat::vtt).find("talk.vtt:20: a NUL character") == 0u);
    BOOST_TEST(failure_of(text.substr(0, text.find("00:05.000")), SubtitleFormat::vtt).find("talk.vtt:4: bad start time") == 0u);
}

BOOST_AUTO_TEST_CASE(a_timing_line_always_starts_a_new_cue) {
    const std::string text = "WEBVTT\n00:00:00.000 --> 00:00:01.000\nFirst\n00:00:01.000 --> 00:00:02.000\nSecond\n";
    const auto parsed = vtt(text);
    BOOST_TEST_REQUIRE(parsed.segments.size() == 2u);
    BOOST_TEST(parsed.segments[0].text == "First");
    BOOST_TEST(parsed.segments[1].text == "Second");
    BOOST_TEST(mentions(parsed.repairs, "line 2: no blank line after the header"));
    BOOST_TEST(mentions(parsed.repairs, "line 4: a timing line with no blank line before it; read it as a new cue"));
    BOOST_TEST(failure_of(text, SubtitleFormat::vtt).find("talk.vtt:2: no blank line after the header") == 0u);

    const std::string srt_text = "1\n00:00:00,000 --> 00:00:01,000\nFirst\n2\n00:00:01,000 --> 00:00:02,000\nSecond\n";
    const auto from_srt = srt(srt_text);
    BOOST_TEST_REQUIRE(from_srt.segments.size() == 2u);
    BOOST_TEST(from_srt.segments[0].text == "First");
    BOOST_TEST(mentions(from_srt.repairs, "line 4: a cue starts with no blank line before it"));
    BOOST_TEST(failure_of(srt_text, SubtitleFormat::srt).find("talk.srt:4: a cue starts with no blank line") == 0u);
}

BOOST_AUTO_TEST_CASE(srt_counters_blank_lines_and_separators_are_tolerated) {
    const std::string text =
        "A title someone typed\n\n"
        "7\n00:00:01.000 --> 00:00:02,000\nWrong counter, dot milliseconds\n\n"
        "00:00:03,000 --> 00:00:04,000\nNo counter\n\nand a blank line inside\n\n\n"
        "3\n00:00:05,000 --> 00:00:06,000 X1:10 X2:20\n42\n";
    const auto parsed = srt(text);
    BOOST_TEST_REQUIRE(parsed.segments.size() == 3u);
    BOOST_TEST(parsed.segments[0].text == "Wrong counter, dot milliseconds");
    BOOST_TEST(parsed.segments[1].text == "No counter\nand a blank line inside");
    BOOST_TEST(parsed.segments[2].text == "42");
    BOOST_TEST(mentions(parsed.repairs, "line 1: text before the first cue; dropped it"));
    BOOST_TEST(mentions(parsed.repairs, "line 10: text after a blank line inside the cue at line 7; kept it"));
    BOOST_TEST(failure_of(text, SubtitleFormat::srt).find("talk.srt:1: text before the first cue") == 0u);
    // A bad timing line loses its own cue only.
    const auto bad_timing = srt("1\n00:00:01,000 --> 00:00:0x,000\nLost\n\n2\n00:00:03,000 --> 00:00:04,000\nKept\n");
    BOOST_TEST_REQUIRE(bad_timing.segments.size() == 1u);
    BOOST_TEST(bad_timing.segments[0].text == "Kept");
    BOOST_TEST(mentions(bad_timing.repairs, "line 2: bad end time '00:00:0x,000'"));
}

BOOST_AUTO_TEST_CASE(cues_with_no_length_get_one_that_stops_at_the_next_cue) {
    const auto parsed =
        srt("1\n00:00:05,000 --> 00:00:05,000\nZero\n\n"  // 1 s (short text), nothing close after it
            "2\n00:00:10,000 --> 00:00:09,000\nNegative, with a longer line of text to read\n\n"  // 45 chars: 2.7 s
            "3\n00:00:12,000 --> 00:00:14,000\nNext\n\n"
            "4\n00:00:20,000 --> 00:00:20,000\nCrowded\n\n"  // only 100 ms before the next: dropped
            "5\n00:00:20,100 --> 00:00:21,000\nLast\n");
    BOOST_TEST_REQUIRE(parsed.segments.size() == 4u);
    BOOST_TEST(parsed.segments[0].end_ms == 6000);
    BOOST_TEST(parsed.segments[1].start_ms == 10000);
    BOOST_TEST(parsed.segments[1].end_ms == 12000);  // 12.7 s wanted, stopped where cue 3 starts
    BOOST_TEST(parsed.segments[3].text == "Last");
    BOOST_TEST(mentions(parsed.repairs, "line 2: cue has zero duration (00:00:05,000); it now ends at 00:00:06.000"));
    BOOST_TEST(mentions(parsed.repairs,
                        "line 6: cue ends (00:00:09,000) before it starts (00:00:10,000): negative duration; "
                        "it now ends at 00:00:12.000"));
    BOOST_TEST(mentions(parsed.repairs, "line 14: cue has zero duration (00:00:20,000); dropped the cue"));
}

BOOST_AUTO_TEST_CASE(files_that_are_not_subtitles_are_refused_however_they_are_read) {
    for (const auto reading : {dubhost::SubtitleReading::tolerant, dubhost::SubtitleReading::strict}) {
        BOOST_TEST(failure_of("Just a paragraph\nof prose.\n", SubtitleFormat::srt, reading).find("talk.srt:1:") == 0u);
        BOOST_TEST(failure_of("00:01.000 --> 00:02.000\nHi\n", SubtitleFormat::vtt, reading).find("talk.vtt:1:") == 0u);
    }
}

// Regression cases found by the fuzz targets (fuzz/seeds/*/regression-*).
BOOST_AUTO_TEST_CASE(a_sign_is_not_a_digit_and_a_huge_number_is_not_a_crash) {
    const auto negative = srt("1\n-1:02:03,004 --> 01:02:04,000\nBefore the start\n\n2\n00:00:05,000 --> 00:00:06,000\nKept\n");
    BOOST_TEST_REQUIRE(negative.segments.size() == 1u);
    BOOST_TEST(negative.segments[0].text == "Kept");
    BOOST_TEST(mentions(negative.repairs, "line 2: bad start time '-1:02:03,004': hours are not a number"));
    BOOST_TEST(vtt("WEBVTT\n\n-1:01.000 --> 00:02.000\nNo\n\n00:03.000 --> 00:04.000\nYes\n").segments.size() == 1u);
    BOOST_TEST(failure_of("4E444E", SubtitleFormat::json).find("talk.json:1: not valid JSON") == 0u);
}

BOOST_AUTO_TEST_CASE(a_json_time_no_clip_can_reach_is_refused_and_a_fraction_is_rounded) {
    const auto segment_ending = [](std::string_view end) {
        return "{\"segments\": [{\"start\": 1300, \"end\": " + std::string(end) + ", \"text\": \"Bye\"}]}";
    };
    for (const auto *end : {"177777777777777777777777777777777777772000", "-3007777777730077777772000", "\"2000\""})
        BOOST_TEST(failure_of(segment_ending(end), SubtitleFormat::json).find("\"end\" is not a time in milliseconds") !=
                   std::string::npos);
    const auto rounded = dubhost::parse_subtitles(segment_ending("2000.6"), SubtitleFormat::json, "talk.json");
    BOOST_TEST_REQUIRE(rounded.segments.size() == 1u);
    BOOST_TEST(rounded.segments[0].end_ms == 2001);
}

BOOST_AUTO_TEST_CASE(json_errors_name_the_problem) {
    BOOST_CHECK_THROW(dubhost::parse_subtitles("{\"segments\": [", SubtitleFormat::json, "t.json"), dubhost::Failure);
    BOOST_CHECK_THROW(
        dubhost::parse_subtitles("{\"segments\": [{\"start\": 5, \"end\": 1, \"text\": \"x\"}]}", SubtitleFormat::json, "t.json"),
        dubhost::Failure);
    BOOST_CHECK_THROW(dubhost::parse_subtitles("{\"no_segments\": 1}", SubtitleFormat::json, "t.json"), dubhost::Failure);
}

BOOST_AUTO_TEST_CASE(ten_thousand_cues) {
    std::string text;
    for (int i = 0; i < 10000; ++i)
        text += std::to_string(i + 1) + "\n" + dubhost::format_timestamp(i * 1000, ',') + " --> " +
                dubhost::format_timestamp(i * 1000 + 900, ',') + "\nCue " + std::to_string(i) + "\n\n";
    const auto parsed = srt(text);
    BOOST_TEST(parsed.segments.size() == 10000u);
    BOOST_TEST(parsed.segments.back().text == "Cue 9999");
}

// Mutated files must either parse or fail with a subtitle-syntax Failure, never anything else.
BOOST_AUTO_TEST_CASE(mutated_input_never_crashes) {
    const std::string seed_srt =
        "1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>.\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n";
    const std::string seed_vtt = "WEBVTT\n\nid\n00:01.000 --> 00:02.000 align:start\n<v Bob>Hello &amp; bye</v>\n";
    std::mt19937 random(12345);
    int parsed = 0, failed = 0;
    for (int round = 0; round < 3000; ++round) {
        const bool use_srt = round % 2 == 0;
        std::string text = use_srt ? seed_srt : seed_vtt;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = random() % text.size();
            switch (random() % 3) {
            case 0:
                text[at] = static_cast<char>(random() % 256);
                break;
            case 1:
                text.erase(at, 1 + random() % 5);
                break;
            default:
                text.insert(at, 1, "\n:,.-><&\r"[random() % 9]);
                break;
            }
            if (text.empty()) text = "x";
        }
        try {
            dubhost::parse_subtitles(text, use_srt ? SubtitleFormat::srt : SubtitleFormat::vtt, "fuzz",
                                     round % 4 < 2 ? dubhost::SubtitleReading::tolerant : dubhost::SubtitleReading::strict);
            ++parsed;
        } catch (const dubhost::Failure &failure) {
            BOOST_TEST(failure.code() == "subtitle-syntax");
            ++failed;
        }
    }
    BOOST_TEST(parsed > 0);
    BOOST_TEST(failed > 0);
}

BOOST_AUTO_TEST_CASE(files_are_read_by_extension_and_bad_paths_are_user_errors) {
    dubhost::test::TempDir dir;
    dubhost::test::write_file(dir / "a b ü.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n");
    BOOST_TEST(dubhost::read_subtitle_file(dir / "a b ü.vtt").segments.size() == 1u);
    BOOST_CHECK_THROW(dubhost::read_subtitle_file(dir / "missing.srt"), dubhost::Failure);
    BOOST_CHECK_THROW(dubhost::read_subtitle_file(dir / "a b ü.txt"), dubhost::Failure);
    BOOST_CHECK_THROW(dubhost::read_subtitle_file(dir.path() / "dir.srt"), dubhost::Failure);
}

BOOST_AUTO_TEST_SUITE_END()
