// Crash-isolated plugin scanning: libraries that segfault while loading, abort or exit in init, or
// never return are judged in a child process (the dubhost binary in scanner mode), recorded with
// the signal or exit code, cached by path, size and mtime, and not tried again until they change.
#include <dubhost/support/process.hpp>
#include "dubhost/host/plugin_registry.hpp"

#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <map>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

const fs::path crash_fixtures = DUBHOST_CRASH_FIXTURE_DIR;

// Sanitizer runtimes turn a segfault into their own report and exit code, so the exact ending is
// only checked in plain builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

struct ScanFixture {
    test::TempDir dir{"dubhost-isolation"};
    HostServices services{{}, "test"};

    DiscoveryOptions options() const {
        DiscoveryOptions options;
        options.scanner = fs::path(DUBHOST_BINARY);
        options.cache_file = dir / "registry.json";
        options.scan_timeout = std::chrono::seconds(3);
        return options;
    }
    std::map<std::string, ScanReport> discover(const DiscoveryOptions &options, std::size_t &loaded, double &seconds) {
        const auto started = std::chrono::steady_clock::now();
        const PluginRegistry registry = PluginRegistry::discover({{crash_fixtures, "test"}}, services, options);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        loaded = registry.plugins().size();
        std::map<std::string, ScanReport> rejected;
        for (const auto &report : registry.rejected())
            rejected.emplace(report.candidate.library.parent_path().filename(), report);
        return rejected;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(plugin_isolation, ScanFixture)

BOOST_AUTO_TEST_CASE(crashing_and_hanging_libraries_are_judged_in_a_child_and_remembered) {
    std::size_t loaded = 0;
    double seconds = 0;
    auto rejected = discover(options(), loaded, seconds);
    BOOST_TEST(loaded == 1u);  // c-good-too, beside them, loads here as usual
    BOOST_TEST_REQUIRE(rejected.size() == 4u);
    for (const char *name : {"segv-at-load", "abort-in-init", "exit-in-init"}) {
        BOOST_TEST(std::string(scan_state_name(rejected.at(name).state)) == "crashed", name);
        BOOST_TEST(rejected.at(name).reason.find("ended the scanner process") != std::string::npos, rejected.at(name).reason);
        BOOST_TEST(rejected.at(name).reason.find("dubhost plugin check") != std::string::npos);
    }
    BOOST_TEST(std::string(scan_state_name(rejected.at("hang-in-init").state)) == "hung");
    BOOST_TEST(rejected.at("hang-in-init").reason.find("within 3 s") != std::string::npos, rejected.at("hang-in-init").reason);
    if (!sanitized) {
        BOOST_TEST(rejected.at("segv-at-load").reason.find("signal 11") != std::string::npos, rejected.at("segv-at-load").reason);
        BOOST_TEST(rejected.at("abort-in-init").reason.find("signal 6") != std::string::npos);
        BOOST_TEST(rejected.at("exit-in-init").reason.find("exit code 3") != std::string::npos);
    }
    BOOST_TEST(seconds >= 3.0);  // the hung one was waited for once

    // The verdicts are cached: nothing is loaded or waited for again.
    const auto cached = discover(options(), loaded, seconds);
    BOOST_TEST(seconds < 2.5);
    BOOST_TEST(loaded == 1u);
    BOOST_TEST(std::string(scan_state_name(cached.at("hang-in-init").state)) == "hung");
    BOOST_TEST(cached.at("segv-at-load").reason == rejected.at("segv-at-load").reason);

    // A changed file is judged again.
    const fs::path hung = crash_fixtures / "hang-in-init" / "fixture_hang-in-init.so";
    BOOST_TEST_REQUIRE(fs::exists(hung));
    fs::last_write_time(hung, fs::last_write_time(hung) + std::chrono::seconds(1));
    discover(options(), loaded, seconds);
    BOOST_TEST(seconds >= 3.0);
}

BOOST_AUTO_TEST_CASE(a_disabled_plugin_is_not_loaded_and_says_how_to_enable_it) {
    auto with_disabled = options();
    with_disabled.disabled = {"test.c-good-too"};
    std::size_t loaded = 0;
    double seconds = 0;
    const auto rejected = discover(with_disabled, loaded, seconds);
    BOOST_TEST(loaded == 0u);
    BOOST_TEST(std::string(scan_state_name(rejected.at("c-good-too").state)) == "disabled");
    BOOST_TEST(rejected.at("c-good-too").reason.find("dubhost plugins enable test.c-good-too") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_cli_lists_crashes_disables_plugins_and_checks_one_file) {
    const test::TempDir home{"dubhost-isolation-home"};
    ::setenv("XDG_CACHE_HOME", (home / "cache").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (home / "config").c_str(), 1);
    auto dubhost = [&](std::vector<std::string> args) {
        args.insert(args.begin(),
                    {DUBHOST_BINARY, "--workspace", (dir / "ws").string(), "--plugin-path", crash_fixtures.string()});
        return run_process(args, std::chrono::seconds(60));
    };
    const auto listed = dubhost({"plugins", "--json"});
    BOOST_TEST_REQUIRE(listed.exit_code == 0, listed.err);
    std::map<std::string, std::string> states;
    const json document = json::parse(listed.out);
    for (const auto &rejected : document["rejected"])
        states[fs::path(rejected["path"].get<std::string>()).parent_path().filename().string()] = rejected["state"];
    BOOST_TEST(states["segv-at-load"] == "crashed");
    BOOST_TEST(states["hang-in-init"] == "hung");
    BOOST_TEST(fs::exists(home / "cache" / "dubhost" / "registry.json"));
    BOOST_TEST(dubhost({"plugins"}).out.find("crashed: loading it ended the scanner process") != std::string::npos);

    BOOST_TEST(dubhost({"plugins", "disable", "test.c-good-too"}).exit_code == 0);
    BOOST_TEST(dubhost({"plugins"}).out.find("disabled: disabled on this machine") != std::string::npos);
    const auto unknown = dubhost({"plugins", "disable", "test.nobody"});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(unknown.err.find("no plugin with id 'test.nobody'") != std::string::npos, unknown.err);
    BOOST_TEST(dubhost({"plugins", "enable", "test.c-good-too"}).exit_code == 0);
    BOOST_TEST(dubhost({"plugins", "--json"}).out.find("\"disabled\"") == std::string::npos);

    const auto crashing = dubhost({"plugin", "check", (crash_fixtures / "abort-in-init" / "fixture_abort-in-init.so").string()});
    BOOST_TEST(crashing.exit_code == 2);
    BOOST_TEST(crashing.out.find(": crashed") != std::string::npos, crashing.out);
    const auto good = dubhost({"plugin", "check", (crash_fixtures / "c-good-too" / "fixture_c-good-too.so").string(), "--json"});
    BOOST_TEST_REQUIRE(good.exit_code == 0, good.err);
    const json verdict = json::parse(good.out);
    BOOST_TEST(verdict["verdict"]["state"] == "ok");
    BOOST_TEST(verdict["backends"][0]["status_ok"] == true);
    ::unsetenv("XDG_CACHE_HOME");
    ::unsetenv("XDG_CONFIG_HOME");
}

BOOST_AUTO_TEST_CASE(a_backend_that_crashes_throws_or_escapes_in_run_fails_its_job_not_dubhost) {
    const test::TempDir home{"dubhost-isolation-home"};
    ::setenv("XDG_CACHE_HOME", (home / "cache").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (home / "config").c_str(), 1);
    auto dubhost = [&](std::vector<std::string> args) {
        args.insert(args.begin(),
                    {DUBHOST_BINARY, "--workspace", (dir / "ws").string(), "--plugin-path", DUBHOST_CRASH_RUN_FIXTURE_DIR});
        return run_process(args, std::chrono::seconds(120));
    };
    test::write_wav_tone(dir / "tone.wav", 16000, 1.0, 300);
    const auto imported = dubhost({"import", (dir / "tone.wav").string(), "--json"});
    BOOST_TEST_REQUIRE(imported.exit_code == 0, imported.err);
    const std::string item = json::parse(imported.out)["item_id"];
    BOOST_TEST_REQUIRE(dubhost({"run", "extract", item}).exit_code == 0);

    const auto segv = dubhost({"run", "separate", item, "--backend", "crash-segv"});
    BOOST_TEST(segv.signal == 0);  // dubhost itself lived to say so
    BOOST_TEST(segv.exit_code == 2);
    BOOST_TEST(segv.err.find("crash-segv (plugin test.crash-in-run) crashed while running") != std::string::npos, segv.err);
    if (!sanitized) BOOST_TEST(segv.err.find("signal 11") != std::string::npos, segv.err);
    BOOST_TEST(segv.err.find("--in-process") != std::string::npos);
    const json jobs = json::parse(dubhost({"jobs", item, "--json"}).out)["jobs"];
    const json crashed = jobs.back();
    BOOST_TEST(crashed["status"] == "failed");
    BOOST_TEST(crashed["error"]["code"] == "backend-crashed");
    const std::string log = test::read_file(crashed["log"].get<std::string>());
    BOOST_TEST(log.find("the crash-segv fixture segfaults now") != std::string::npos, log);  // its log lines were kept

    const auto thrown = dubhost({"run", "separate", item, "--backend", "crash-throws"});
    BOOST_TEST(thrown.exit_code == 2);
    BOOST_TEST(thrown.err.find("thrown from run on purpose") != std::string::npos, thrown.err);
    const auto thrown_here = dubhost({"--in-process", "run", "separate", item, "--backend", "crash-throws"});
    BOOST_TEST(thrown_here.exit_code == 2);
    BOOST_TEST(thrown_here.err.find("thrown from run on purpose") != std::string::npos, thrown_here.err);

    const auto escapes = dubhost({"run", "separate", item, "--backend", "crash-escapes"});
    BOOST_TEST(escapes.exit_code == 2);
    BOOST_TEST(escapes.err.find("an output outside the item's folder") != std::string::npos, escapes.err);

    // The workspace carries on: the next job runs.
    const auto native = dubhost({"run", "separate", item, "--backend", "native"});
    BOOST_TEST(native.exit_code == 0, native.err);
    ::unsetenv("XDG_CACHE_HOME");
    ::unsetenv("XDG_CONFIG_HOME");
}

BOOST_AUTO_TEST_CASE(a_plugin_folder_or_library_others_may_write_is_refused_with_the_fix) {
    const fs::path folder = dir / "plugins" / "c-good-too";
    fs::create_directories(folder.parent_path());
    fs::copy(crash_fixtures / "c-good-too", folder, fs::copy_options::recursive);
    auto states = [&] {
        const PluginRegistry registry = PluginRegistry::discover({{dir / "plugins", "test"}}, services, DiscoveryOptions{});
        std::map<std::string, ScanReport> found;
        for (const auto &report : registry.rejected()) found.emplace(report.candidate.library.filename().string(), report);
        return std::pair{registry.plugins().size(), found};
    };
    const std::string library = "fixture_c-good-too.so";
    BOOST_TEST_REQUIRE(states().first == 1u);

    for (const fs::path &opened : {folder, folder / library, dir / "plugins"}) {
        BOOST_TEST_CONTEXT("world-writable: " << opened) {
            fs::permissions(opened, fs::perms::others_write, fs::perm_options::add);
            const auto [loaded, rejected] = states();
            BOOST_TEST(loaded == 0u);
            BOOST_TEST_REQUIRE(rejected.count(library) == 1u);
            BOOST_TEST((rejected.at(library).state == ScanState::unsafe_permissions));
            const std::string &reason = rejected.at(library).reason;
            BOOST_TEST(reason.find(opened.string() + " is writable by every user") != std::string::npos, reason);
            BOOST_TEST(reason.find("run `chmod go-w " + opened.string() + "`") != std::string::npos, reason);
            fs::permissions(opened, fs::perms::others_write, fs::perm_options::remove);
            BOOST_TEST(states().first == 1u);
        }
    }
    // The sticky, world-writable /tmp above the search folder is fine: others cannot replace entries there.
    BOOST_TEST(((fs::status(fs::temp_directory_path()).permissions() & fs::perms::sticky_bit) != fs::perms::none));
}

BOOST_AUTO_TEST_SUITE_END()
