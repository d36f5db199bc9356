// The four Python packs installed from the real package index into fresh workspaces and run through
// their real libraries (label `packs_real`, `ctest --preset packs-real`; not part of CI: they download
// about 1 GB on a cold pip cache, docs/reference/packs.md). pyttsx3 and Resemblyzer bring their own
// weights, so their tests are real inference; Spleeter's and Whisper's models live on hubs this
// machine cannot reach, so those tests use a model made here in the library's own format and prove
// the integration only (their names say so).
#include "dubhost/host/backend_call.hpp"
#include <dubhost/support/process.hpp>
#include "dubhost/host/plugin_registry.hpp"

#include "diarization_error_rate.hpp"
#include "diarization_set.hpp"
#include "support/spawned_process.hpp"
#include "support/pack_environments.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <dubhost/support/python_interpreters.hpp>
#include <dubhost/plugin.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

const std::string sample_clip = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";
const std::string sample_script = std::string(DUBHOST_SOURCE_DIR) + "/packaging/sample/movie-hello.script.srt";
const std::string pypi = "https://pypi.org/simple/";

struct RealPackFixture {
    test::TempDir dir{"dubhost-packs-real"};
    fs::path workspace = dir / "workspace";

    // `dubhost --workspace W ARGS...`; a pip install from the index may take minutes.
    ProcessResult dubhost(std::vector<std::string> args, std::chrono::minutes timeout = std::chrono::minutes(20)) const {
        args.insert(args.begin(), {DUBHOST_BINARY, "--workspace", workspace.string()});
        return run_process(args, timeout);
    }
    json dubhost_json(std::vector<std::string> args) const {
        args.push_back("--json");
        const ProcessResult result = dubhost(args);
        BOOST_TEST_REQUIRE(result.exit_code == 0, "dubhost " << args.front() << " failed: " << result.err << result.out);
        // Long commands print JSON progress lines first; the document is the last value.
        std::istringstream values(result.out);
        json document;
        while ((values >> std::ws).peek() != std::char_traits<char>::eof()) values >> document;
        return document;
    }
    std::string import_sample() const { return dubhost_json({"import", sample_clip})["item_id"]; }
    fs::path item_dir(const std::string &item) const { return workspace / "derived" / "items" / item; }
    json last_job(const std::string &item, const std::string &stage) const {
        json found;
        const json jobs = dubhost_json({"jobs", item})["jobs"];
        for (const auto &job : jobs)
            if (job["stage"] == stage) found = job;
        BOOST_TEST_REQUIRE(!found.is_null(), "no " << stage << " job for " << item << " in " << jobs.dump().substr(0, 2000));
        return found;
    }
    // A helper venv (the pack's own libraries, from the same index) for making a model locally.
    fs::path tool_venv(const std::vector<std::string> &requirements) const {
        const fs::path venv = dir / "tools";
        // Debian's interpreter (3.11): inside every pack's range, whatever python3 comes first on PATH.
        const auto made = run_process({"/usr/bin/python3", "-m", "venv", venv.string()}, std::chrono::minutes(2));
        BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
        std::vector<std::string> argv = {(venv / "bin/python").string(), "-m",          "pip", "install", "--isolated", "-q",
                                         "--only-binary=:all:",          "--index-url", pypi};
        argv.insert(argv.end(), requirements.begin(), requirements.end());
        const auto installed = run_process(argv, std::chrono::minutes(20));
        BOOST_TEST_REQUIRE(installed.exit_code == 0, installed.err);
        return venv / "bin/python";
    }
};

// Seconds of audio in a RIFF/WAVE file of any sample format (its data size over its byte rate).
double wav_seconds(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    char riff[12];
    if (!in.read(riff, sizeof riff) || std::string(riff, 4) != "RIFF") return 0;
    std::uint32_t byte_rate = 0;
    for (char chunk[8]; in.read(chunk, sizeof chunk);) {
        std::uint32_t size = 0;
        std::memcpy(&size, chunk + 4, 4);
        if (std::string(chunk, 4) == "fmt ") {
            std::string format(size + (size & 1), '\0');
            in.read(format.data(), static_cast<std::streamsize>(format.size()));
            std::memcpy(&byte_rate, format.data() + 8, 4);
        } else if (std::string(chunk, 4) == "data") {
            return byte_rate ? static_cast<double>(size) / byte_rate : 0;
        } else {
            in.seekg(size + (size & 1), std::ios::cur);
        }
    }
    return 0;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(packs_real_pyttsx3, RealPackFixture)

BOOST_AUTO_TEST_CASE(installs_from_the_index_and_speaks_the_sample_script_through_the_real_library) {
    const std::string item = import_sample();
    BOOST_TEST_REQUIRE(dubhost({"track", "import", item, sample_script, "--language", "en"}).exit_code == 0);
    // TTS preview before its pack is installed: refused before any work, with the command that fixes it.
    const ProcessResult early = dubhost({"run", "tts", item, "--backend", "pyttsx3"});
    BOOST_TEST(early.exit_code != 0);
    BOOST_TEST(early.err.find("dubhost pack install pyttsx3") != std::string::npos, early.err);

    const json plan = dubhost_json({"pack", "install", "pyttsx3", "--dry-run"});
    BOOST_TEST(plan["candidate"] == "pyttsx3 2.99");
    BOOST_TEST(plan["download_mb"].get<double>() > 0);
    BOOST_TEST(!fs::exists(workspace / "packs" / "pyttsx3" / "receipt.json"));

    const json receipt = dubhost_json({"pack", "install", "pyttsx3"});
    BOOST_TEST(receipt["already_installed"] == false);
    BOOST_TEST(receipt["packages"]["pyttsx3"] == "2.99");
    BOOST_TEST(receipt["source"]["index"] == pypi);
    const auto log_size = fs::file_size(workspace / "packs" / "pyttsx3" / "install.log");
    const auto started = std::chrono::steady_clock::now();
    const json again = dubhost_json({"pack", "install", "pyttsx3"});
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(1)));
    BOOST_TEST(again["already_installed"] == true);
    BOOST_TEST(fs::file_size(workspace / "packs" / "pyttsx3" / "install.log") == log_size);  // pip was not run

    const ProcessResult dub =
        dubhost({"dub", sample_clip, "--subtitles", sample_script, "--language", "en", "-o", (dir / "hello.dub.mp4").string()});
    BOOST_TEST_REQUIRE(dub.exit_code == 0, dub.err);
    BOOST_TEST(last_job(item, "tts")["backend"] == "pyttsx3");
    const fs::path preview = item_dir(item) / "tts_preview" / "pyttsx3_v1";
    std::ifstream in(preview / "manifest.json");
    const json manifest = json::parse(in);
    BOOST_TEST(manifest["engine_version"] == "pyttsx3 2.99");
    BOOST_TEST_REQUIRE(manifest["segments"].size() == 3u);
    for (const auto &segment : manifest["segments"]) {
        const fs::path wav = segment["path"].get<std::string>();
        BOOST_TEST(wav.parent_path() == preview / "segments");
        BOOST_TEST(wav_seconds(wav) > 1.0, wav);  // a sentence of the script, really spoken
    }
    BOOST_TEST(fs::file_size(dir / "hello.dub.mp4") > 100000u);

    // A voice chosen the espeak-ng backend's way (capitals, +variant) works with the pack preferred.
    const json speakers = dubhost_json({"speakers", item})["speakers"];
    BOOST_TEST_REQUIRE(!speakers.empty());
    const std::string speaker = speakers[0]["label"];
    BOOST_TEST_REQUIRE(dubhost({"speakers", "set", item, speaker, "--voice", "gmw/en-US+f3"}).exit_code == 0);
    const ProcessResult respoken = dubhost({"run", "tts", item});
    BOOST_TEST_REQUIRE(respoken.exit_code == 0, respoken.err);
    std::ifstream in_again(preview / "manifest.json");
    BOOST_TEST(json::parse(in_again)["voice_map"][speaker] == "gmw/en-us+f3");
    BOOST_TEST_REQUIRE(dubhost({"speakers", "set", item, speaker, "--voice", "gmw/en-US+nobody"}).exit_code == 0);
    const ProcessResult refused = dubhost({"run", "tts", item});
    BOOST_TEST(refused.exit_code != 0);
    BOOST_TEST(refused.err.find("pyttsx3 has no voice 'gmw/en-US+nobody'") != std::string::npos, refused.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(packs_real_diarization, RealPackFixture)

BOOST_AUTO_TEST_CASE(installs_on_debians_cpu_torch_and_tells_real_speakers_apart) {
    const json plan = dubhost_json({"pack", "install", "diarization", "--dry-run"});
    BOOST_TEST_REQUIRE(plan["candidates"][0]["usable"] == true,
                       "Debian's CPU torch is needed: packaging/install-deps.sh --packs (" << plan.dump() << ")");
    BOOST_TEST(plan["candidate"] == "resemblyzer 0.1.4 on Debian's CPU torch");

    const json receipt = dubhost_json({"pack", "install", "diarization"});
    BOOST_TEST(receipt["candidate"]["name"] == "resemblyzer 0.1.4 on Debian's CPU torch");
    BOOST_TEST(receipt["candidate"]["system_site_packages"] == true);
    BOOST_TEST(receipt["packages"]["resemblyzer"] == "0.1.4");
    BOOST_TEST(!receipt["packages"].contains("torch"));  // Debian's, not a multi-GB download
    BOOST_TEST(receipt["system_packages"].contains("torch"), receipt["system_packages"].dump());

    // The pyannote extra needs torch >= 2.8: the resolver refuses it against Debian's torch in seconds,
    // instead of pip downloading the index's multi-GB build over it; the working install stays.
    const ProcessResult extra = dubhost({"pack", "install", "diarization", "--extra", "pyannote"});
    BOOST_TEST(extra.exit_code != 0);
    BOOST_TEST(extra.err.find("depends on torch") != std::string::npos, extra.err);
    BOOST_TEST(extra.err.find("kept from the system: torch==") != std::string::npos, extra.err);
    BOOST_TEST(dubhost_json({"pack", "status", "diarization"})["state"] == "installed");

    // Real embeddings on the repository's conversations, scored against their known turns.
    HostServices services({{"workspace", workspace.string()}, {"packs", (workspace / "packs").string()}}, "test");
    const auto registry = PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services);
    const RegisteredBackend *resemblyzer = registry.find("diarize", "resemblyzer");
    BOOST_TEST_REQUIRE(resemblyzer != nullptr);
    for (const auto &conversation : {eval::two_speaker_conversation(), eval::three_speaker_conversation()}) {
        const fs::path wav = dir / ("conversation-" + std::to_string(conversation.speakers) + ".wav");
        const auto reference = eval::build_conversation(conversation.utterances, wav);
        json segments = json::array();
        for (std::size_t i = 0; i < reference.size(); ++i)
            segments.push_back({{"id", i + 1}, {"start", reference[i].start_ms}, {"end", reference[i].end_ms}, {"text", "x"}});
        const fs::path output = dir / "diarize" / "diarization.json";
        const auto outcome =
            call_backend(resemblyzer->entry_points(), BackendEntry::run, services,
                         {{"inputs", {{"speech", wav.string()}, {"track", {{"kind", "script"}, {"segments", segments}}}}},
                          {"params", json::object()},
                          {"outputs", {{"diarization", output.string()}}}});
        BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
        std::ifstream in(output);
        const json result = json::parse(in);
        std::vector<scoring::LabelledTurn> hypothesis;
        for (const auto &turn : result["turns"]) hypothesis.push_back({turn["start"], turn["end"], turn["speaker"]});
        const double der = scoring::diarization_errors(reference, hypothesis, 250).rate();
        BOOST_TEST_MESSAGE(conversation.name << ": DER " << der * 100 << "%, " << result["speakers"].size() << " speakers");
        BOOST_TEST(result["speakers"].size() == static_cast<std::size_t>(conversation.speakers), conversation.name);
        BOOST_TEST(der <= 0.05, conversation.name << ": DER " << der);
    }

    // `dubhost dub` prefers both packs once they are installed: diarization and TTS preview.
    BOOST_TEST_REQUIRE(dubhost({"pack", "install", "pyttsx3"}).exit_code == 0);
    const ProcessResult dub =
        dubhost({"dub", sample_clip, "--subtitles", sample_script, "--language", "en", "-o", (dir / "hello.dub.mp4").string()});
    BOOST_TEST_REQUIRE(dub.exit_code == 0, dub.err);
    const std::string item = import_sample();  // the same file: the same item
    BOOST_TEST(last_job(item, "diarize")["backend"] == "resemblyzer");
    BOOST_TEST(last_job(item, "tts")["backend"] == "pyttsx3");
    BOOST_TEST(dubhost_json({"speakers", item})["speakers"].size() == 1u);  // one man speaks in the clip
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(packs_real_whisper, RealPackFixture)

BOOST_AUTO_TEST_CASE(integration_only_faster_whisper_runs_a_locally_made_tiny_model_end_to_end) {
    // Without the hub, the install stops at the model and says how to bring one; nothing is left behind.
    const ProcessResult no_model = dubhost({"pack", "install", "whisper"});
    BOOST_TEST(no_model.exit_code != 0);
    BOOST_TEST(no_model.err.find("--model-dir small=DIR") != std::string::npos, no_model.err);
    BOOST_TEST(!fs::exists(workspace / "packs" / "whisper" / "receipt.json"));
    BOOST_TEST(test::pack_environments(workspace / "packs" / "whisper") == 0u);

    const fs::path python = tool_venv({"ctranslate2>=4,<5", "tokenizers", "numpy"});
    const fs::path model = dir / "tiny-random-whisper";
    const auto made = run_process(
        {python.string(), std::string(DUBHOST_SOURCE_DIR) + "/tests/packs/real/make_whisper_model.py", model.string()},
        std::chrono::minutes(5));
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);

    const json receipt = dubhost_json({"pack", "install", "whisper", "--model-dir", "small=" + model.string()});
    BOOST_TEST(receipt["models"][0]["source"] == model.string());
    BOOST_TEST(receipt["packages"]["faster-whisper"].get<std::string>().rfind("1.2.", 0) == 0u, receipt["packages"].dump());

    const std::string item = import_sample();
    BOOST_TEST_REQUIRE(dubhost({"run", "extract", item}).exit_code == 0);
    const ProcessResult asr = dubhost({"run", "asr", item, "--backend", "whisper"});
    BOOST_TEST_REQUIRE(asr.exit_code == 0, asr.err);
    const json job = last_job(item, "asr");
    BOOST_TEST(job["backend"] == "whisper");
    BOOST_TEST(job["result"]["language"] == "en");
    bool raw_written = false;
    for (const auto &output : job["outputs"]) raw_written = raw_written || output["name"] == "raw";
    BOOST_TEST(raw_written, job["outputs"].dump());
    BOOST_TEST(!dubhost_json({"tracks", item})["tracks"].empty());  // the recognised track was stored
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(packs_real_spleeter, RealPackFixture)

BOOST_AUTO_TEST_CASE(integration_only_spleeter_separates_with_a_locally_made_2stems_model) {
    const std::string item = import_sample();
    const ProcessResult mix_first = dubhost({"run", "mix", item});  // mix before separate
    BOOST_TEST(mix_first.exit_code != 0);
    BOOST_TEST(mix_first.err.find("dubhost run separate " + item) != std::string::npos, mix_first.err);

    // An interpreter outside spleeter's range (3.8-3.11): the error names one that fits, and how to use it.
    std::optional<PythonInterpreter> too_new;
    for (const auto &interpreter : discover_python_interpreters())
        if (interpreter.runs && !PythonRange{8, 11}.contains(interpreter.version) && interpreter.version.rfind("3.", 0) == 0)
            too_new = interpreter;
    BOOST_TEST_REQUIRE(too_new.has_value(), "this test needs a Python 3.12 or newer on the machine (e.g. pyenv's)");
    const ProcessResult wrong_python = dubhost({"pack", "install", "spleeter", "--python", too_new->path.string()});
    BOOST_TEST(wrong_python.exit_code != 0);
    BOOST_TEST(wrong_python.err.find("needs Python 3.8-3.11") != std::string::npos, wrong_python.err);
    BOOST_TEST(std::regex_search(wrong_python.err, std::regex("dubhost pack install spleeter --python /\\S+")), wrong_python.err);

    const json plan = dubhost_json({"pack", "install", "spleeter", "--dry-run"});
    BOOST_TEST(plan["models"][0]["without_network"].get<std::string>().find("--model-archive 2stems=FILE") != std::string::npos);

    const fs::path python = tool_venv({"spleeter==2.4.2", "jax<0.4.39", "jaxlib<0.4.39", "numpy<2"});
    const fs::path model = dir / "random-2stems";
    const auto made = run_process(
        {python.string(), std::string(DUBHOST_SOURCE_DIR) + "/tests/packs/real/make_spleeter_model.py", model.string()},
        std::chrono::minutes(5));
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    const json receipt = dubhost_json({"pack", "install", "spleeter", "--model-dir", "2stems=" + model.string()});
    BOOST_TEST(receipt["packages"]["spleeter"] == "2.4.2");
    BOOST_TEST(receipt["packages"]["tensorflow"] == "2.12.1");

    BOOST_TEST_REQUIRE(dubhost({"run", "extract", item}).exit_code == 0);
    const ProcessResult separated = dubhost({"run", "separate", item, "--backend", "spleeter"});
    BOOST_TEST_REQUIRE(separated.exit_code == 0, separated.err);
    const json job = last_job(item, "separate");
    BOOST_TEST(job["backend"] == "spleeter");
    for (const auto &output : job["outputs"]) {
        const double seconds = wav_seconds(output["path"].get<std::string>());
        BOOST_TEST(std::abs(seconds - 8.32) < 0.1, output["name"] << ": " << seconds << " s");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(packs_real_failures, RealPackFixture)

BOOST_AUTO_TEST_CASE(a_refusing_index_and_a_download_cut_off_halfway_leave_nothing_and_a_rerun_installs) {
    const fs::path wheels = dir / "wheels";
    const auto fetched = run_process({"python3", "-m", "pip", "download", "--isolated", "-q", "--no-deps",
                                      "--only-binary=:all:", "--index-url", pypi, "-d", wheels.string(), "pyttsx3==2.99"},
                                     std::chrono::minutes(5));
    BOOST_TEST_REQUIRE(fetched.exit_code == 0, fetched.err);
    test::SpawnedProcess index({"/usr/bin/python3", std::string(DUBHOST_SOURCE_DIR) + "/tests/packs/real/flaky_index.py",
                                (wheels / "pyttsx3-2.99-py3-none-any.whl").string()},
                               dir / "index.out");
    std::string port;
    BOOST_TEST_REQUIRE(index.wait_for_output(
        [&port](const std::string &out) {
            std::smatch match;
            if (!std::regex_search(out, match, std::regex("port (\\d+)"))) return false;
            port = match[1];
            return true;
        },
        std::chrono::seconds(20)));
    const std::string base = "http://127.0.0.1:" + port;

    const ProcessResult refused = dubhost({"pack", "install", "pyttsx3", "--index-url", base + "/refuse/simple/"});
    BOOST_TEST(refused.exit_code != 0);
    // Every candidate with the resolver's reason.
    BOOST_TEST(refused.err.find("pyttsx3 2.99: Could not find a version that satisfies the requirement pyttsx3==2.99") !=
                   std::string::npos,
               refused.err);
    BOOST_TEST(refused.err.find("pyttsx3 2.9x: ") != std::string::npos, refused.err);
    BOOST_TEST(test::pack_environments(workspace / "packs" / "pyttsx3") == 0u);

    const ProcessResult cut = dubhost({"pack", "install", "pyttsx3", "--index-url", base + "/cutoff/simple/"});
    BOOST_TEST(cut.exit_code != 0);
    BOOST_TEST(!fs::exists(workspace / "packs" / "pyttsx3" / "receipt.json"));
    BOOST_TEST(!fs::exists(workspace / "packs" / "pyttsx3" / "current"));
    BOOST_TEST(test::pack_environments(workspace / "packs" / "pyttsx3") == 0u);
    std::ifstream log(workspace / "packs" / "pyttsx3" / "install.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    BOOST_TEST(text.find("transient failure; retrying") != std::string::npos,
               text.substr(text.size() - std::min<std::size_t>(text.size(), 4000)));
    BOOST_TEST(cut.err.find("a download was cut off or damaged") != std::string::npos, cut.err);

    const json receipt = dubhost_json({"pack", "install", "pyttsx3"});  // the real index, after both failures
    BOOST_TEST(receipt["packages"]["pyttsx3"] == "2.99");
    BOOST_TEST(test::pack_environments(workspace / "packs" / "pyttsx3") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
