// The batch manifest reader: JSON lines and CSV with the same columns, relative paths resolved
// against the manifest's folder, and every bad row reported by line before anything runs.
#include "dubhost/host/batch_manifest.hpp"

#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <dubhost/support/error.hpp>

#include <boost/test/unit_test.hpp>

namespace fs = std::filesystem;
using dubhost::test::TempDir;

namespace {

std::string refusal(const fs::path &manifest) {
    try {
        dubhost::read_batch_manifest(manifest);
    } catch (const dubhost::Failure &failure) {
        BOOST_TEST(failure.code() == "bad-manifest");
        BOOST_TEST(!failure.hint().empty());
        return failure.what();
    }
    return "accepted";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batch_manifest)

BOOST_AUTO_TEST_CASE(json_lines_and_csv_read_the_same_rows) {
    const TempDir dir;
    dubhost::test::write_file(dir / "m.jsonl",
                              "{\"video\": \"in/a.mp4\", \"subtitles\": \"a.srt\", \"language\": \"en\", \"to\": \"es\", "
                              "\"output\": \"out/a.es.mp4\", \"backend.tts\": \"espeak-ng\"}\n"
                              "\n"
                              "{\"video\": \"/abs/b.wav\", \"output\": \"b.m4a\", \"background\": \"original\"}\n");
    dubhost::test::write_file(dir / "m.csv",
                              "video,subtitles,language,to,output,backend.tts,background\r\n"
                              "in/a.mp4,a.srt,en,es,out/a.es.mp4,espeak-ng,\r\n"
                              "/abs/b.wav,,,,b.m4a,,original\r\n");
    for (const char *name : {"m.jsonl", "m.csv"}) {
        BOOST_TEST_CONTEXT(name) {
            const auto rows = dubhost::read_batch_manifest(dir / name);
            BOOST_TEST_REQUIRE(rows.size() == 2u);
            BOOST_TEST(rows[0].video == dir / "in" / "a.mp4");
            BOOST_TEST((rows[0].subtitles && *rows[0].subtitles == dir / "a.srt"));
            BOOST_TEST(rows[0].language == "en");
            BOOST_TEST(rows[0].to == "es");
            BOOST_TEST(rows[0].output == dir / "out" / "a.es.mp4");
            BOOST_TEST(rows[0].backends.at("tts") == "espeak-ng");
            BOOST_TEST(rows[1].video == fs::path("/abs/b.wav"));
            BOOST_TEST(!rows[1].subtitles.has_value());
            BOOST_TEST(rows[1].background == "original");
            BOOST_TEST(rows[1].line == 3u);
        }
    }
}

BOOST_AUTO_TEST_CASE(csv_quoting_keeps_commas_quotes_and_line_breaks_in_a_field) {
    const TempDir dir;
    dubhost::test::write_file(dir / "m.csv", "video,output\n\"talk, part \"\"1\"\".mp4\",\"out\nline.mp4\"\nb.mp4,b.dub.mp4\n");
    const auto rows = dubhost::read_batch_manifest(dir / "m.csv");
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].video.filename() == "talk, part \"1\".mp4");
    BOOST_TEST(rows[0].output.filename() == "out\nline.mp4");
    BOOST_TEST(rows[1].line == 4u);  // the quoted line break counts
}

BOOST_AUTO_TEST_CASE(every_bad_row_is_reported_with_its_line_before_anything_runs) {
    const TempDir dir;
    dubhost::test::write_file(dir / "m.jsonl",
                              "{\"video\": \"a.mp4\", \"output\": \"a.dub.mp4\"}\n"
                              "{\"video\": \"b.mp4\"}\n"
                              "not json\n"
                              "{\"video\": \"c.mp4\", \"output\": \"c.dub.mp4\", \"langauge\": \"en\"}\n"
                              "{\"video\": \"d.mp4\", \"output\": \"a.dub.mp4\"}\n"
                              "{\"video\": 5, \"output\": \"e.dub.mp4\"}\n"
                              "{\"video\": \"f.mp4\", \"output\": \"f.dub.mp4\", \"background\": \"loud\"}\n");
    const std::string message = refusal(dir / "m.jsonl");
    for (const char *expected :
         {"line 2: no output", "line 3: not a JSON object", "line 4: unknown column 'langauge'", "line 5: output " /* ... */,
          "is also written by line 1", "line 6: 'video' must be a string", "line 7: background must be stem, original or none"})
        BOOST_TEST(message.find(expected) != std::string::npos, expected << " not in: " << message);
    BOOST_TEST(message.find("line 1:") == std::string::npos, message);

    dubhost::test::write_file(dir / "m.csv", "video,output\na.mp4,a.dub.mp4\nb.mp4\n\"c.mp4,c.dub.mp4\n");
    const std::string csv = refusal(dir / "m.csv");
    BOOST_TEST(csv.find("line 3: 1 fields, the header has 2") != std::string::npos, csv);
    BOOST_TEST(csv.find("a quoted field is not closed") != std::string::npos, csv);
    dubhost::test::write_file(dir / "empty.jsonl", "\n\n");
    BOOST_TEST(refusal(dir / "empty.jsonl").find("no rows") != std::string::npos);
    BOOST_CHECK_THROW(dubhost::read_batch_manifest(dir / "missing.jsonl"), dubhost::Failure);
}

BOOST_AUTO_TEST_SUITE_END()
