// Proven offline (issue 17): the default chain dubs a real clip in a network namespace with no
// network at all, and under a tripwire that ends any process of the dub (workers, apertium,
// espeak-ng, FFmpeg) the moment it reaches for an IP address.
#include <dubhost/support/process.hpp>

#include "support/isolated_home.hpp"
#include "support/machine_needs.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <unistd.h>

namespace fs = std::filesystem;
using dubhost::test::TempDir;

namespace {

const std::string sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";
const fs::path sample_script = fs::path(DUBHOST_SOURCE_DIR) / "packaging" / "sample" / "movie-hello.script.srt";
constexpr int tripwire_exit_code = 97;  // tests/support/network_tripwire.c

struct OfflineHome : dubhost::test::IsolatedHome {
    // Every process started from here on loads the tripwire first.
    static std::map<std::string, std::string> tripwire_environment() {
        std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
        // A sanitized dubhost accepts a library loaded ahead of the sanitizer runtime only when told to.
        asan += (asan.empty() ? "" : ":") + std::string("verify_asan_link_order=0");
        return {{"LD_PRELOAD", DUBHOST_NETWORK_TRIPWIRE}, {"ASAN_OPTIONS", asan}};
    }

    dubhost::ProcessResult run(std::vector<std::string> argv, std::map<std::string, std::string> environment = {}) {
        dubhost::ProcessRequest request;
        request.argv = std::move(argv);
        request.environment = std::move(environment);
        request.timeout = std::chrono::minutes(5);
        return dubhost::run_process(request);
    }

    std::vector<std::string> dub(const std::vector<std::string> &args) const {
        std::vector<std::string> argv = {DUBHOST_BINARY, "--workspace", (home / "ws").string(), "dub", sample_video};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    static void check_playable(const fs::path &output) {
        const auto probe = dubhost::run_process(
            {"ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", output.string()},
            std::chrono::seconds(30));
        BOOST_TEST(probe.succeeded(), probe.err);
        BOOST_TEST(probe.out.find("video") != std::string::npos, probe.out);
        BOOST_TEST(probe.out.find("audio") != std::string::npos, probe.out);
    }
};

const std::string reach_out = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=3)";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(offline, OfflineHome)

// The tripwire is only proof if it trips: a program that connects is stopped, loudly.
BOOST_AUTO_TEST_CASE(the_tripwire_stops_a_program_that_reaches_for_the_network) {
    const auto tripped = run({DUBHOST_TEST_PYTHON, "-c", reach_out}, tripwire_environment());
    BOOST_TEST(tripped.exit_code == tripwire_exit_code, tripped.outcome() << ": " << tripped.err);
    BOOST_TEST(tripped.err.find("dubhost network tripwire:") != std::string::npos, tripped.err);
    BOOST_TEST(tripped.err.find("called connect() to 192.0.2.1") != std::string::npos, tripped.err);
    // Local sockets are not the network: a UNIX socket pair still works under it.
    const auto local =
        run({DUBHOST_TEST_PYTHON, "-c", "import socket; a, b = socket.socketpair(); a.send(b'x'); print(b.recv(1))"},
            tripwire_environment());
    BOOST_TEST(local.succeeded(), local.err);
}

// The README's main job (speech from a script, translated into Spanish) under the tripwire.
BOOST_AUTO_TEST_CASE(a_dub_into_spanish_never_reaches_for_the_network) {
    const fs::path output = home / "hello.es.mp4";
    const auto dubbed = run(dub({"--subtitles", sample_script.string(), "--language", "en", "--to", "es", "-o", output.string()}),
                            tripwire_environment());
    BOOST_TEST_REQUIRE(dubbed.succeeded(), dubbed.outcome() << ": " << dubbed.err);
    BOOST_TEST(dubbed.err.find("tripwire") == std::string::npos, dubbed.err);
    check_playable(output);
}

// Speech recognition, diarization and the rest, in a network namespace that has no interface up.
BOOST_AUTO_TEST_CASE(a_dub_with_speech_recognition_runs_in_a_namespace_with_no_network) {
    // Root enters a new network namespace directly; anyone else through a user namespace.
    const std::vector<std::string> no_network = ::geteuid() == 0
                                                    ? std::vector<std::string>{"unshare", "--net", "--"}
                                                    : std::vector<std::string>{"unshare", "--map-root-user", "--net", "--"};
    auto in_namespace = [&](std::vector<std::string> argv) {
        argv.insert(argv.begin(), no_network.begin(), no_network.end());
        return argv;
    };
    const auto probe = run(in_namespace({DUBHOST_TEST_PYTHON, "-c", reach_out}));
    const bool isolated = probe.started && probe.exit_code == 1 && probe.err.find("OSError") != std::string::npos;
    if (!dubhost::test::machine_has(isolated, "a network namespace (`unshare --net`, as root or with user namespaces)",
                                    "run the tests as root (CI does)"))
        return;
    BOOST_TEST(probe.err.find("Network is unreachable") != std::string::npos, probe.err);  // no route at all

    const fs::path output = home / "hello.mkv";
    const auto dubbed = run(in_namespace(dub({"-o", output.string(), "--json"})));
    BOOST_TEST_REQUIRE(dubbed.succeeded(), dubbed.outcome() << ": " << dubbed.err);
    const auto summary = nlohmann::json::parse(dubbed.out.substr(dubbed.out.find("{\n")));
    std::vector<std::string> ran;
    for (const auto &stage : summary["stages"])
        if (!stage["backend"].get<std::string>().empty()) ran.push_back(stage["stage"]);
    BOOST_TEST((ran == std::vector<std::string>{"extract", "separate", "asr", "diarize", "tts", "mix", "mux"}));
    check_playable(output);
}

BOOST_AUTO_TEST_SUITE_END()
