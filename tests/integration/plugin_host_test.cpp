// Loader, registry, backend calls and selection against real fixture plugins built by this tree.
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/backend_selection.hpp"
#include <dubhost/support/error.hpp>
#include "dubhost/host/pipeline.hpp"
#include "dubhost/host/plugin_registry.hpp"
#include "dubhost/host/stage_table.hpp"
#include "dubhost/host/workspace.hpp"

#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <dubhost/support/process.hpp>

#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace dubhost;
using dubhost::test::TempDir;

namespace {

const fs::path fixture_dir = DUBHOST_FIXTURE_DIR;

HostServices &services() {
    static HostServices instance({{"workspace", "/nonexistent"}}, "test");
    return instance;
}

PluginRegistry discover(const fs::path &dir) { return PluginRegistry::discover({{dir, "--plugin-path"}}, services()); }

// Rejection state per fixture folder name.
std::map<std::string, std::string> rejected_by_folder(const PluginRegistry &registry) {
    std::map<std::string, std::string> states;
    for (const auto &report : registry.rejected())
        states[report.candidate.library.parent_path().filename().string()] = std::string(scan_state_name(report.state));
    return states;
}

const ScanReport *rejection_in(const PluginRegistry &registry, const std::string &folder) {
    for (const auto &report : registry.rejected())
        if (report.candidate.library.parent_path().filename() == folder) return &report;
    return nullptr;
}

// A copy of the good fixture in its own folder with an edited plugin.json.
fs::path good_copy_with_manifest(const TempDir &dir, const std::function<void(nlohmann::json &)> &edit) {
    const fs::path folder = dir / "copy";
    fs::create_directories(folder);
    fs::copy_file(fixture_dir / "good" / "fixture_good.so", folder / "fixture_good.so");
    auto manifest = nlohmann::json::parse(dubhost::test::read_file(fixture_dir / "good" / "plugin.json"));
    edit(manifest);
    dubhost::test::write_file(folder / "plugin.json", manifest.dump());
    return folder;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_loader)

BOOST_AUTO_TEST_CASE(good_plugins_load_and_every_broken_fixture_is_rejected_with_its_reason) {
    const auto registry = discover(fixture_dir);
    std::vector<std::string> loaded;
    for (const auto &plugin : registry.plugins()) loaded.push_back(plugin->manifest.id);
    std::sort(loaded.begin(), loaded.end());
    BOOST_TEST(loaded == (std::vector<std::string>{"test.c-good", "test.good", "test.malformed-status"}),
               boost::test_tools::per_element());

    const std::map<std::string, std::string> expected = {
        {"abi-next-major", "incompatible"}, {"empty-file", "not-a-library"},      {"init-fails", "init-failed"},
        {"mismatch", "manifest-mismatch"},  {"no-entry", "missing-entry-symbol"}, {"small-struct", "bad-descriptor"},
        {"text-file", "not-a-library"},     {"undefined-symbol", "load-failed"},  {"zz-duplicate", "duplicate-id"},
    };
    BOOST_TEST(rejected_by_folder(registry) == expected);
    for (const auto &report : registry.rejected()) BOOST_TEST(!report.reason.empty());
}

BOOST_AUTO_TEST_CASE(reasons_say_what_is_wrong) {
    const auto registry = discover(fixture_dir);
    auto reason = [&](const std::string &folder) { return rejection_in(registry, folder)->reason; };
    BOOST_TEST(reason("abi-next-major").find("ABI 2.0") != std::string::npos);
    BOOST_TEST(reason("mismatch").find("version: plugin.json says '0.1.0', the library says '0.2.0'") != std::string::npos);
    BOOST_TEST(reason("small-struct").find("struct_size") != std::string::npos);
    BOOST_TEST(reason("no-entry").find("dubhost_plugin_entry") != std::string::npos);
    BOOST_TEST(reason("undefined-symbol").find("undefined symbol") != std::string::npos);
    BOOST_TEST(reason("empty-file").find("empty") != std::string::npos);
    BOOST_TEST(reason("text-file").find("not an ELF") != std::string::npos);
    BOOST_TEST(reason("init-fails").find("the fixture model file is missing; run `dubhost pack install fixture`") !=
               std::string::npos);
    BOOST_TEST(reason("zz-duplicate").find("test.good") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_manifest_with_another_abi_major_is_refused_before_loading) {
    TempDir dir;
    const auto folder = good_copy_with_manifest(dir, [](nlohmann::json &m) { m["abi"]["major"] = 2; });
    const auto registry = discover(folder);
    BOOST_TEST_REQUIRE(registry.rejected().size() == 1u);
    BOOST_TEST(scan_state_name(registry.rejected()[0].state) == "incompatible");
    BOOST_TEST(registry.rejected()[0].reason.find("(plugin.json)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_stale_manifest_is_a_mismatch) {
    TempDir dir;
    const auto folder = good_copy_with_manifest(dir, [](nlohmann::json &m) { m["backends"][0]["priority"] = 99; });
    const auto registry = discover(folder);
    BOOST_TEST_REQUIRE(registry.rejected().size() == 1u);
    BOOST_TEST(scan_state_name(registry.rejected()[0].state) == "manifest-mismatch");
    BOOST_TEST(registry.rejected()[0].reason.find("priority") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(manifest_problems_are_reported) {
    TempDir dir;
    dubhost::test::write_file(dir / "broken" / "plugin.json", "{ not json");
    dubhost::test::write_file(
        dir / "names-missing" / "plugin.json",
        R"({"id": "x", "version": "1", "abi": {"major": 1, "minor": 0}, "library": "gone.so", "backends": []})");
    fs::create_directories(dir / "loose");
    fs::copy_file(fixture_dir / "good" / "fixture_good.so", dir / "loose" / "fixture_good.so");
    const auto registry = discover(dir.path());
    BOOST_TEST(registry.plugins().empty());
    const std::map<std::string, std::string> expected = {
        {"broken", "bad-manifest"}, {"names-missing", "not-a-library"}, {"loose", "missing-manifest"}};
    BOOST_TEST(rejected_by_folder(registry) == expected);
}

BOOST_AUTO_TEST_CASE(a_backend_with_a_broken_parameter_schema_is_rejected_with_every_problem) {
    const auto registry = discover(DUBHOST_SCHEMA_FIXTURE_DIR);
    BOOST_TEST(registry.plugins().empty());
    const ScanReport *report = rejection_in(registry, "bad-parameters");
    BOOST_TEST_REQUIRE(report != nullptr);
    BOOST_TEST(scan_state_name(report->state) == "bad-descriptor");
    for (const std::string expected : {"backend 'fixture-echo' declares bad parameters", "parameter 'Gain': names are lower case",
                                       "parameter 'Gain': type must be integer, number, boolean, string or object, not \"float\"",
                                       "parameter 'suffix': default 3 is not a string", "parameter 'suffix' is declared twice",
                                       "parameter 'suffix': no help text"})
        BOOST_TEST(report->reason.find(expected) != std::string::npos, expected << " in: " << report->reason);
}

BOOST_AUTO_TEST_CASE(missing_search_folders_are_skipped) {
    const auto registry = PluginRegistry::discover({{"/nonexistent/dubhost/plugins", "test"}}, services());
    BOOST_TEST(registry.plugins().empty());
    BOOST_TEST(registry.rejected().empty());
}

BOOST_AUTO_TEST_CASE(listing_loads_no_plugin_and_a_call_starts_it_once) {
    TempDir dir;
    const fs::path lifecycle = dir / "lifecycle.log";
    auto dubhost = [&](const std::string &command) {
        ProcessRequest request;
        request.argv = {DUBHOST_BINARY, "--workspace", (dir / "ws").string(), "--plugin-path", (fixture_dir / "good").string(),
                        command,        "--json"};
        request.environment = {{"DUBHOST_FIXTURE_LIFECYCLE_LOG", lifecycle.string()},
                               {"XDG_CACHE_HOME", (dir / "cache").string()}};
        request.timeout = std::chrono::seconds(60);
        const ProcessResult result = run_process(request);
        BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    };
    auto events = [&] {  // pid -> init/shutdown in order
        std::map<std::string, std::vector<std::string>> seen;
        std::istringstream lines(fs::exists(lifecycle) ? dubhost::test::read_file(lifecycle) : "");
        for (std::string event, pid; lines >> event >> pid;) seen[pid].push_back(event);
        return seen;
    };
    dubhost("plugins");  // the first sight of the library: scanned in a child process, listed here
    BOOST_TEST_REQUIRE(events().size() == 1u);
    dubhost("plugins");  // the verdict is cached: no process loads it
    BOOST_TEST(events().size() == 1u);
    dubhost("backends");  // asks every backend's status: the library is loaded, started and stopped once
    const auto seen = events();
    BOOST_TEST(seen.size() == 2u);
    for (const auto &[pid, what] : seen)
        BOOST_TEST(what == (std::vector<std::string>{"init", "shutdown"}),
                   "process " << pid << " saw " << what.size() << " events");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(backends_are_ranked_by_priority) {
    const auto registry = discover(fixture_dir);
    const auto tts = registry.backends("tts");
    BOOST_TEST_REQUIRE(tts.size() == 2u);
    BOOST_TEST(tts[0].info->id == "fixture-missing");
    BOOST_TEST(tts[1].info->id == "fixture-echo");
    BOOST_TEST(registry.find("tts", "fixture-echo") != nullptr);
    BOOST_TEST(registry.find("asr", "fixture-echo") == nullptr);
    const auto capabilities = registry.capabilities();
    BOOST_TEST(capabilities.front() == "extract");
}

BOOST_AUTO_TEST_CASE(selection_prefers_override_then_profile_then_best_installed) {
    const auto registry = discover(fixture_dir);
    auto tts_choice = [&](const MachineProfile &profile, const std::map<std::string, std::string> &overrides) {
        for (auto &choice : choose_backends(registry, services(), profile, overrides))
            if (choice.capability == "tts") return choice;
        throw std::logic_error("no tts");
    };
    const auto best = tts_choice({}, {});
    BOOST_TEST_REQUIRE(best.selected.has_value());
    BOOST_TEST(best.candidates[*best.selected].backend.info->id == "fixture-echo");  // the higher one is not installed
    BOOST_TEST(best.reason.find("highest priority installed") != std::string::npos);
    BOOST_TEST(!best.candidates[0].installed);

    const auto profiled = tts_choice({"profile.json", {{"tts", "fixture-missing"}}}, {});
    BOOST_TEST(profiled.candidates[*profiled.selected].backend.info->id == "fixture-echo");
    BOOST_TEST(profiled.reason.find("prefers 'fixture-missing', which is not installed") != std::string::npos);

    const auto forced = tts_choice({}, {{"tts", "fixture-missing"}});
    BOOST_TEST(forced.candidates[*forced.selected].backend.info->id == "fixture-missing");
    BOOST_CHECK_THROW(tts_choice({}, {{"tts", "nope"}}), Failure);
}

BOOST_AUTO_TEST_CASE(a_backend_whose_declarations_do_not_fit_its_stage_is_not_used) {
    const auto registry = discover(fixture_dir);
    BOOST_TEST(registry.find("tts", "fixture-deaf") == nullptr);
    BOOST_TEST(registry.find("tts", "fixture-echo") != nullptr);  // the same plugin's other backends are used
    BOOST_TEST_REQUIRE(registry.rejected_backends().size() == 1u);
    const RejectedBackend &rejected = registry.rejected_backends().front();
    BOOST_TEST(rejected.info->id == "fixture-deaf");
    BOOST_TEST(rejected.reason.find("consumes 'speech_16k', which the tts stage does not hand over") != std::string::npos,
               rejected.reason);
}

BOOST_AUTO_TEST_CASE(stage_declarations_are_checked_both_ways) {
    BackendInfo info;
    info.capability = "separate";
    info.consumes_json = R"(["mix_48k"])";
    info.produces_json = R"(["vocals", "background"])";
    BOOST_TEST(!stage_mismatch(info).has_value());
    info.produces_json = R"(["vocals"])";  // the mix stage reads the background
    const auto missing_output = stage_mismatch(info);
    BOOST_TEST_REQUIRE(missing_output.has_value());
    BOOST_TEST(missing_output->find("does not produce 'background'") != std::string::npos, *missing_output);
    info.capability = "probe";  // not a stage: nothing to check against
    BOOST_TEST(!stage_mismatch(info).has_value());
    info.capability = "mux";
    info.consumes_json = R"(["video", "dub_audio", "subtitles"])";
    info.produces_json = R"(["video"])";
    BOOST_TEST(!stage_mismatch(info).has_value());
}

BOOST_AUTO_TEST_CASE(parameter_values_stay_one_path_component_in_output_paths) {
    BOOST_TEST(path_component("stems-4") == "stems-4");
    BOOST_TEST(path_component("model-../../../etc") == "model-.._.._.._etc");  // no '/' survives
    BOOST_TEST(path_component("..") == "_");
    BOOST_TEST(path_component("a b/c\\d") == "a_b_c_d");
}

BOOST_AUTO_TEST_CASE(a_malformed_profile_is_a_user_error) {
    TempDir dir;
    dubhost::test::write_file(dir / "profile.json", "[1, 2]");
    BOOST_CHECK_THROW(load_machine_profile(dir / "profile.json"), Failure);
    BOOST_TEST(load_machine_profile(dir / "absent.json").preferred.empty());
    dubhost::test::write_file(dir / "good.json", R"({"backends": {"tts": "espeak-ng"}})");
    BOOST_TEST(load_machine_profile(dir / "good.json").preferred.at("tts") == "espeak-ng");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(backend_calls)

BOOST_AUTO_TEST_CASE(run_writes_its_output_and_reports_progress) {
    const auto registry = discover(fixture_dir);
    const auto *echo = registry.find("tts", "fixture-echo");
    BOOST_TEST_REQUIRE(echo != nullptr);
    TempDir dir;
    HostServices job_services({{"workspace", dir.path().string()}}, "test.good");
    std::vector<double> progress;
    const CallScope scope(job_services, {{}, [&](double fraction, const std::string &) { progress.push_back(fraction); }, {}});
    const nlohmann::json job = {{"outputs", {{"echo_text", (dir / "out.txt").string()}}},
                                {"params", {{"suffix", "!"}}},
                                {"segments", {{{"text", "one"}}, {{"text", "two: [a], 'b'; c\\d"}}}}};
    const auto outcome = call_backend(echo->entry_points(), BackendEntry::run, job_services, job);
    BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
    BOOST_TEST(dubhost::test::read_file(dir / "out.txt") == "one!\ntwo: [a], 'b'; c\\d!\n");
    BOOST_TEST(progress == (std::vector<double>{0.5, 1.0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cancel_bad_requests_and_missing_runtimes_come_back_as_errors) {
    const auto registry = discover(fixture_dir);
    const auto *echo = registry.find("tts", "fixture-echo");
    TempDir dir;
    HostServices job_services({}, "test.good");
    job_services.request_cancel();
    const nlohmann::json job = {{"outputs", {{"echo_text", (dir / "out.txt").string()}}}, {"segments", {{{"text", "one"}}}}};
    const auto cancelled = call_backend(echo->entry_points(), BackendEntry::run, job_services, job);
    BOOST_TEST(cancelled.status == DUBHOST_STATUS_CANCELLED);
    BOOST_TEST(!fs::exists(dir / "out.txt"));

    const auto bad = call_backend(echo->entry_points(), BackendEntry::run, services(), nlohmann::json::object());
    BOOST_TEST(bad.status == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(bad.error_message().find("malformed request") != std::string::npos);

    const auto missing =
        call_backend(registry.find("tts", "fixture-missing")->entry_points(), BackendEntry::run, services(), job);
    BOOST_TEST(missing.status == DUBHOST_STATUS_NOT_INSTALLED);
    BOOST_TEST(missing.error_hint() == "run `dubhost pack install fixture`");
}

BOOST_AUTO_TEST_CASE(a_call_scope_takes_its_sinks_and_cancel_away_even_when_the_call_throws) {
    HostServices scoped({}, "test.scope");
    std::vector<std::string> lines;
    try {
        const CallScope outer(scoped, {{}, [](double, const std::string &) {}, {}});
        try {
            const CallScope inner(scoped, {[&lines](int32_t, const std::string &line) { lines.push_back(line); }, {}, "job"});
            scoped.table()->log(scoped.table(), DUBHOST_LOG_INFO, "during the call");
            BOOST_TEST(scoped.log_source() == "job");
            scoped.request_cancel();
            throw std::runtime_error("the disk filled up mid-call");
        } catch (const std::runtime_error &) {
        }
        BOOST_TEST(!scoped.has_log_sink());      // the inner scope's sink is gone...
        BOOST_TEST(scoped.has_progress_sink());  // ...the outer one's is still lent
        BOOST_TEST(scoped.cancel_requested());   // the outer call is still being cancelled
        BOOST_TEST(scoped.log_source() == "test.scope");
    } catch (...) {
        BOOST_FAIL("nothing else throws");
    }
    scoped.table()->log(scoped.table(), DUBHOST_LOG_INFO, "after the call");
    BOOST_TEST(lines == std::vector<std::string>{"during the call"}, boost::test_tools::per_element());
    BOOST_TEST(!scoped.has_progress_sink());
    BOOST_TEST(!scoped.cancel_requested());  // the next call starts uncancelled
}

BOOST_AUTO_TEST_CASE(the_job_log_sink_is_gone_after_a_job_that_threw_mid_call) {
    TempDir dir;
    const auto registry = discover(fixture_dir);
    Workspace workspace = Workspace::open(dir / "ws");
    const Item item = workspace.import_media("/usr/share/sounds/alsa/Front_Center.wav", Workspace::ImportMode::copy).item;
    SubtitleTrack track;
    track.item_id = item.id;
    track.kind = "script";
    track.segments = {{0, 0, 800, "One.", ""}};
    workspace.add_track(track);
    // The folder the tts stage writes into is a file: creating it throws once the job's log sink is in place.
    fs::create_directories(workspace.derived_item_dir(item.id));
    dubhost::test::write_file(workspace.derived_item_dir(item.id) / "tts_preview", "in the way");
    HostServices job_services({{"workspace", (dir / "ws").string()}}, "test");
    Pipeline pipeline(workspace, registry, job_services, MachineProfile{});
    StageRequest request;
    request.stage = "tts";
    request.item = item.id;
    request.backend = "fixture-echo";
    BOOST_CHECK_THROW(pipeline.run(request), std::filesystem::filesystem_error);
    BOOST_TEST(!job_services.has_log_sink());
    BOOST_TEST(job_services.log_source() == "test");
    const auto jobs = workspace.jobs(item.id);
    BOOST_TEST_REQUIRE(!jobs.empty());
    BOOST_TEST(jobs.back().status == "failed");
    BOOST_TEST(jobs.back().error_json.find("host-error") != std::string::npos, jobs.back().error_json);
}

BOOST_AUTO_TEST_CASE(malformed_answers_become_errors_naming_the_backend) {
    const auto registry = discover(fixture_dir);
    const auto *malformed = registry.find("mix", "fixture-malformed-status");
    BOOST_TEST_REQUIRE(malformed != nullptr);
    const auto outcome = call_backend(malformed->entry_points(), BackendEntry::status, services(), nlohmann::json::object());
    BOOST_TEST(!outcome.ok());
    BOOST_TEST(outcome.document.value("code", "") == "malformed-response");
    BOOST_TEST(outcome.error_message().find("fixture-malformed-status") != std::string::npos);
    // The C fixture provides no install entry point.
    const auto install =
        call_backend(registry.find("mix", "fixture-c-good")->entry_points(), BackendEntry::install, services(), {});
    BOOST_TEST(install.document.value("code", "") == "not-supported");
}

BOOST_AUTO_TEST_SUITE_END()
