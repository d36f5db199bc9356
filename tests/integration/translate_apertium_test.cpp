// The apertium translate plugin loaded through the registry and run against Debian's apertium and
// apertium-eng-spa: status lists the pairs, segments stay one to one whatever they contain, unknown
// words are reported, a missing pair or program fails before any work with the command that fixes
// it, and a cancelled translation stops and writes nothing.
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

namespace fs = std::filesystem;
using namespace dubhost;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

struct Apertium {
    HostServices services{{{"workspace", "/tmp"}}, "dubhost.translate-apertium"};
    PluginRegistry registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    TempDir dir{"dubhost-translate"};

    CallOutcome call(BackendEntry entry, const json &request) {
        const RegisteredBackend *found = registry.find("translate", "apertium");
        BOOST_TEST_REQUIRE(found != nullptr);
        return call_backend(found->entry_points(), entry, services, request);
    }
    json job(const json &segments, const std::string &from = "en", const std::string &to = "es") const {
        return {{"inputs",
                 {{"track", {{"language", from}, {"segments", segments}}}, {"source_language", from}, {"target_language", to}}},
                {"params", json::object()},
                {"outputs", {{"track", (dir / "out" / "track.json").string()}}}};
    }
    json written() const {
        std::ifstream in(dir / "out" / "track.json");
        return json::parse(in);
    }
};

json segment(std::int64_t id, const std::string &text) {
    return {{"id", id}, {"start", id * 1000}, {"end", id * 1000 + 900}, {"text", text}, {"speaker", "A"}};
}

// PATH without apertium for the scope's lifetime.
struct PathWithout {
    std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
    explicit PathWithout(const fs::path &empty_dir) { ::setenv("PATH", empty_dir.c_str(), 1); }
    ~PathWithout() { ::setenv("PATH", saved.c_str(), 1); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(translate_apertium, Apertium)

BOOST_AUTO_TEST_CASE(status_lists_the_installed_directions_and_how_to_add_others) {
    const auto status = call(BackendEntry::status, json::object());
    BOOST_TEST_REQUIRE(status.ok(), status.document.dump());
    BOOST_TEST(status.document["installed"] == true);
    std::set<std::string> directions;
    for (const auto &pair : status.document["pairs"])
        directions.insert(pair["from"].get<std::string>() + ">" + pair["to"].get<std::string>());
    BOOST_TEST(directions.count("en>es") == 1u);
    BOOST_TEST(directions.count("es>en") == 1u);
    bool catalan = false;
    for (const auto &offer : status.document["installable"])
        catalan = catalan || offer["install"] == "apt-get install apertium-eng-cat";
    BOOST_TEST(catalan);
}

BOOST_AUTO_TEST_CASE(segments_stay_one_to_one_whatever_they_contain) {
    const json segments = {segment(1, "I love the red car"),  // no final stop: must not run into the next
                           segment(2, "She is here"),
                           segment(3, "   "),
                           segment(4, "<i>Hello</i>, my friend.\nThe house is big."),
                           segment(5, "What?! \"No\" - yes... [laughs] a/b costs $5 *really*"),
                           segment(6, "{\\an8}Good morning.")};
    const auto outcome = call(BackendEntry::run, job(segments));
    BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
    const json track = written();
    BOOST_TEST(track["language"] == "es");
    BOOST_TEST_REQUIRE(track["segments"].size() == segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        BOOST_TEST(track["segments"][i]["id"] == segments[i]["id"]);
        BOOST_TEST(track["segments"][i]["start"] == segments[i]["start"]);
        BOOST_TEST(track["segments"][i]["speaker"] == "A");
    }
    auto text = [&track](std::size_t i) { return track["segments"][i]["text"].get<std::string>(); };
    BOOST_TEST(text(0).find("coche rojo") != std::string::npos, text(0));
    BOOST_TEST(text(0).find("aqu") == std::string::npos, text(0));  // segment 2's words stay in segment 2
    BOOST_TEST(text(1).find("aqu") != std::string::npos, text(1));
    BOOST_TEST(text(2) == "   ");  // blank stays blank, untouched
    BOOST_TEST(text(3).find("<i>") != std::string::npos, text(3));
    BOOST_TEST(text(3).find("</i>") != std::string::npos, text(3));
    BOOST_TEST(text(3).find('\n') != std::string::npos, text(3));
    BOOST_TEST(text(3).find("casa") != std::string::npos, text(3));
    BOOST_TEST(text(3).back() == '.', text(3));  // the sentence-final stop apertium drops at a block's end
    BOOST_TEST(text(4).find("$5") != std::string::npos, text(4));
    BOOST_TEST(text(4).find("*") != std::string::npos, text(4));  // a literal star is not an unknown-word mark
    BOOST_TEST(text(5).rfind("{\\an8}", 0) == 0u, text(5));
    BOOST_TEST(outcome.document["mode"] == "eng-spa");
    BOOST_TEST(outcome.document["segments"] == 5);
}

BOOST_AUTO_TEST_CASE(unknown_words_are_reported_per_segment) {
    const auto outcome = call(BackendEntry::run, job({segment(7, "The flurbish zork is here."), segment(8, "Good night.")}));
    BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
    BOOST_TEST_REQUIRE(outcome.document["unknown_words"].size() == 1u);
    BOOST_TEST(outcome.document["unknown_words"][0]["segment_id"] == 7);
    BOOST_TEST((outcome.document["unknown_words"][0]["words"] == json{"flurbish", "zork"}));
    BOOST_TEST(written()["segments"][0]["text"].get<std::string>().find('*') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_pair_that_is_not_installed_names_its_package) {
    const auto catalan = call(BackendEntry::run, job({segment(1, "Hello.")}, "en", "ca"));
    BOOST_TEST(catalan.status == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(catalan.document["code"] == "pair-not-installed");
    BOOST_TEST(catalan.document["hint"] == "apt-get install apertium-eng-cat");
    const auto japanese = call(BackendEntry::run, job({segment(1, "Hello.")}, "en", "ja"));
    BOOST_TEST(japanese.document["code"] == "pair-not-installed");
    BOOST_TEST(japanese.document["hint"].get<std::string>().find("no apertium pair for English and Japanese") !=
               std::string::npos);
    const auto unknown = call(BackendEntry::run, job({segment(1, "Hello.")}, "en", "xx"));
    BOOST_TEST(unknown.status == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(unknown.document["code"] == "unknown-language");
    BOOST_TEST(!fs::exists(dir / "out" / "track.json"));
}

BOOST_AUTO_TEST_CASE(without_the_program_status_and_run_say_what_to_install) {
    const TempDir empty{"dubhost-no-apertium"};
    const PathWithout without(empty.path());
    const auto status = call(BackendEntry::status, json::object());
    BOOST_TEST_REQUIRE(status.ok());
    BOOST_TEST(status.document["installed"] == false);
    BOOST_TEST(status.document["notes"].dump().find("apt-get install apertium apertium-eng-spa") != std::string::npos);
    const auto run = call(BackendEntry::run, job({segment(1, "Hello.")}));
    BOOST_TEST(run.status == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(!fs::exists(dir / "out" / "track.json"));
}

BOOST_AUTO_TEST_CASE(a_cancelled_translation_stops_and_writes_nothing) {
    json segments = json::array();
    for (int i = 1; i <= 4000; ++i) segments.push_back(segment(i, "The old man walked slowly to the market and bought bread."));
    std::thread canceller([this] {
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        services.request_cancel();
    });
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = call(BackendEntry::run, job(segments));
    canceller.join();
    BOOST_TEST(outcome.status == DUBHOST_STATUS_CANCELLED, outcome.document.dump());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(seconds < 10.0);
    BOOST_TEST(!fs::exists(dir / "out" / "track.json"));
}

BOOST_AUTO_TEST_SUITE_END()
