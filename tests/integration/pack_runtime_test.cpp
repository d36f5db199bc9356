// The pack runtime against the real venv module and the real pip, installing from a wheelhouse of
// fixture wheels the test builds (tests/packs/make_fixture_wheels.py): no package index is reachable
// here, so the network path is exercised only up to "the index cannot be reached".
#include <dubhost/support/process.hpp>

#include "support/pack_environments.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <dubhost/packs/pack_installer.hpp>
#include <dubhost/plugin.hpp>

#include <chrono>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

// SHA-256 of a file, through Python's hashlib (the runtime checks models the same way).
std::string sha256_of(const fs::path &path) {
    const auto result = run_process(
        {"python3", "-c", "import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())", path.string()},
        std::chrono::seconds(20));
    return result.out.substr(0, 64);
}

struct PackFixture {
    test::TempDir dir{"dubhost-packs"};
    fs::path wheelhouse = dir / "wheels";
    fs::path packs = dir / "packs";

    PackFixture() {
        const auto made =
            run_process({"python3", std::string(DUBHOST_SOURCE_DIR) + "/tests/packs/make_fixture_wheels.py", wheelhouse.string()},
                        std::chrono::seconds(60));
        BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    }

    // Candidate 1 asks for a version no Python can install, candidate 2 for one that works.
    json manifest(const std::string &health = "import dubhost_fixture_tone as t\nassert t.tone() == 440\n") const {
        return {{"id", "fixture"},
                {"version", "1"},
                {"python", {{"min", "3.8"}, {"max", "3.13"}}},
                {"candidates",
                 {{{"name", "newest"}, {"requirements", {"dubhost_fixture_tone==2.0"}}, {"pip_args", {"--only-binary=:all:"}}},
                  {{"name", "fallback"}, {"requirements", {"dubhost_fixture_tone==1.0"}}}}},
                {"health_check", health},
                {"size", {{"download_mb", 0.01}, {"disk_mb", 20}}}};
    }
    packs::InstallOptions offline() const {
        packs::InstallOptions options;
        options.packs_dir = packs;
        options.wheelhouse = wheelhouse;
        options.offline = true;
        return options;
    }
    static packs::PackManifest parse(const json &document) { return packs::parse_pack_manifest(document, "test pack.json"); }
};

// The CallError a failing install throws.
sdk::CallError failure_of(const packs::PackManifest &pack, const packs::InstallOptions &options) {
    try {
        packs::install_pack(pack, options);
    } catch (const sdk::CallError &error) {
        return error;
    }
    BOOST_FAIL("the install was expected to fail");
    throw std::logic_error("unreachable");
}

std::size_t count_in_log(const fs::path &log, const std::string &needle) {
    std::ifstream in(log);
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);) count += line.find(needle) != std::string::npos;
    return count;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pack_runtime, PackFixture)

BOOST_AUTO_TEST_CASE(installs_from_a_wheelhouse_falls_back_and_reinstalls_in_under_a_second) {
    const auto pack = parse(manifest());
    std::vector<std::string> steps;
    auto options = offline();
    options.progress = [&](double, const std::string &message) { steps.push_back(message); };
    const json receipt = packs::install_pack(pack, options);
    BOOST_TEST(receipt["already_installed"] == false);
    BOOST_TEST(receipt["candidate"]["name"] == "fallback");  // "newest" requires Python >= 3.99
    BOOST_TEST(receipt["packages"]["dubhost-fixture-tone"] == "1.0", receipt["packages"].dump());
    BOOST_TEST(receipt["disk_bytes"].get<std::uint64_t>() > 1000u);
    BOOST_TEST(steps.size() >= 4u);
    const json status = packs::pack_status(pack, packs);
    BOOST_TEST(status["state"] == "installed");
    const auto installed = packs::installed_pack(pack, packs);
    BOOST_TEST_REQUIRE(installed.has_value());
    const auto ran = run_process({installed->python.string(), "-c", "import dubhost_fixture_tone as t; print(t.tone())"},
                                 std::chrono::seconds(30));
    BOOST_TEST(ran.out == "440\n");

    const fs::path log = packs / "fixture" / "install.log";
    const std::size_t pip_calls = count_in_log(log, "-m pip install");
    const auto started = std::chrono::steady_clock::now();
    const json again = packs::install_pack(pack, offline());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(again["already_installed"] == true);
    BOOST_TEST(seconds < 1.0);
    BOOST_TEST(count_in_log(log, "-m pip install") == pip_calls);  // pip was not run again
    BOOST_TEST(test::pack_environments(packs / "fixture") == 1u);
}

BOOST_AUTO_TEST_CASE(a_failing_health_check_keeps_the_working_install) {
    packs::install_pack(parse(manifest()), offline());
    const fs::path working = fs::read_symlink(packs / "fixture" / "current");
    // A new manifest (so not "already installed") whose health check imports a broken module.
    auto broken = manifest("import dubhost_fixture_broken\n");
    broken["candidates"][1]["requirements"] = {"dubhost_fixture_tone==1.0", "dubhost_fixture_broken==1.0"};
    const auto error = failure_of(parse(broken), offline());
    BOOST_TEST(error.code() == "health-check-failed");
    BOOST_TEST(std::string(error.what()).find("the fixture is broken on purpose") != std::string::npos, error.what());
    BOOST_TEST(error.hint().find("a previous install stays in use") != std::string::npos);
    BOOST_TEST(fs::read_symlink(packs / "fixture" / "current") == working);
    BOOST_TEST(test::pack_environments(packs / "fixture") == 1u);  // the failed environment is gone
    const auto old = packs::installed_pack(parse(manifest()), packs);
    BOOST_TEST_REQUIRE(old.has_value());
    BOOST_TEST(run_process({old->python.string(), "-c", "import dubhost_fixture_tone"}, std::chrono::seconds(30)).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(no_candidate_installable_names_each_failure) {
    auto impossible = manifest();
    impossible["candidates"] = {{{"name", "only"}, {"requirements", {"dubhost_fixture_tone==2.0"}}}};
    const auto error = failure_of(parse(impossible), offline());
    BOOST_TEST(error.code() == "install-failed");
    // Each candidate with the resolver's own reason, not pip's last lines.
    BOOST_TEST(
        std::string(error.what()).find("only: Package 'dubhost-fixture-tone' requires a different Python") != std::string::npos,
        error.what());
    BOOST_TEST(error.hint().find("pass --python PATH to another interpreter in 3.8-3.13") != std::string::npos, error.hint());
    BOOST_TEST(!fs::exists(packs / "fixture" / "receipt.json"));
    BOOST_TEST(test::pack_environments(packs / "fixture") == 0u);
}

BOOST_AUTO_TEST_CASE(an_interpreter_outside_the_range_is_refused_with_the_reason) {
    auto future = manifest();
    future["python"] = {{"min", "3.50"}, {"max", "3.60"}};
    const auto searched = failure_of(parse(future), offline());
    BOOST_TEST(searched.code() == "no-python");
    BOOST_TEST(std::string(searched.what()).find("is outside this pack's range 3.50-3.60") != std::string::npos, searched.what());
    BOOST_TEST(searched.hint().find("pass --python PATH") != std::string::npos);
    auto options = offline();
    options.python = "/usr/bin/python3";
    const auto named = failure_of(parse(future), options);
    BOOST_TEST(std::string(named.what()).find("--python names the only candidate") != std::string::npos, named.what());
    options.python = dir / "no-such-python";
    BOOST_TEST(failure_of(parse(manifest()), options).code() == "no-python");
}

BOOST_AUTO_TEST_CASE(offline_without_a_source_and_an_unreachable_index_fail_fast) {
    packs::InstallOptions options;
    options.packs_dir = packs;
    options.offline = true;
    auto started = std::chrono::steady_clock::now();
    const auto offline_error = failure_of(parse(manifest()), options);
    BOOST_TEST(offline_error.code() == "offline-without-source");
    BOOST_TEST(offline_error.hint().find("--wheelhouse DIR") != std::string::npos);
    BOOST_TEST(offline_error.hint().find("--index-url URL") != std::string::npos);

    options.offline = false;
    options.index_url = "http://127.0.0.1:9/simple/";  // nothing listens on the discard port
    const auto unreachable = failure_of(parse(manifest()), options);
    BOOST_TEST(unreachable.code() == "index-unreachable");
    BOOST_TEST(std::string(unreachable.what()).find("http://127.0.0.1:9/simple/ cannot be reached") != std::string::npos,
               unreachable.what());
    BOOST_TEST(unreachable.hint().find("pip download --only-binary=:all: --python-version 3.") != std::string::npos,
               unreachable.hint());
    BOOST_TEST(unreachable.hint().find(" -d wheels 'dubhost_fixture_tone==2.0'`") != std::string::npos, unreachable.hint());
    BOOST_TEST(unreachable.hint().find("--wheelhouse wheels --offline") != std::string::npos);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(seconds < 60.0);  // a venv is made, then the index check fails at once
    BOOST_TEST(test::pack_environments(packs / "fixture") == 0u);
}

BOOST_AUTO_TEST_CASE(models_are_fetched_checked_and_given_to_the_health_check) {
    test::write_file(dir / "model.bin", std::string(4096, 'm'));
    auto with_model = manifest("import os\nassert os.path.getsize(os.environ['FIXTURE_MODEL']) == 4096\n");
    with_model["models"] = {{{"name", "tiny"},
                             {"source", "file://" + (dir / "model.bin").string()},
                             {"sha256", sha256_of(dir / "model.bin")},
                             {"destination", "tiny/model.bin"},
                             {"env", "FIXTURE_MODEL"}}};
    const json receipt = packs::install_pack(parse(with_model), offline());
    BOOST_TEST(receipt["models"][0]["name"] == "tiny");
    const auto installed = packs::installed_pack(parse(with_model), packs);
    BOOST_TEST_REQUIRE(installed.has_value());
    BOOST_TEST(fs::file_size(installed->environment.at("FIXTURE_MODEL")) == 4096u);

    with_model["models"][0]["sha256"] = std::string(64, '0');
    with_model["version"] = "2";
    const auto error = failure_of(parse(with_model), offline());
    BOOST_TEST(error.code() == "model-hash-mismatch");
    BOOST_TEST(std::string(error.what()).find("sha256 mismatch") != std::string::npos, error.what());
    BOOST_TEST(error.hint().find("download it again") != std::string::npos, error.hint());
}

// A candidate that needs a module from the system is passed over (with the install command) where no
// interpreter has it, and otherwise gets a venv that sees it; a preinstall whose index cannot be
// reached is passed over in seconds; a dry run says all this and changes nothing.
BOOST_AUTO_TEST_CASE(system_module_and_preinstall_candidates_fall_through_and_a_dry_run_changes_nothing) {
    auto pack = manifest();
    pack["candidates"] = {
        {{"name", "needs a system module"},
         {"system_modules", {{{"module", "dubhost_no_such_module"}, {"install", "apt-get install python3-nothing"}}}},
         {"requirements", {"dubhost_fixture_tone==1.0"}},
         {"size", {{"download_mb", 5}, {"disk_mb", 50}}}},
        {{"name", "preinstall from an unreachable index"},
         {"preinstall", {{"requirements", {"dubhost_fixture_tone==1.0"}}, {"index_url", "http://127.0.0.1:9/simple/"}}},
         {"requirements", {"dubhost_fixture_tone==1.0"}}},
        {{"name", "sees the system"},
         {"system_modules", {{{"module", "json"}, {"install", "(the standard library)"}}}},
         {"requirements", {"dubhost_fixture_tone==1.0"}},
         {"size", {{"download_mb", 1}, {"disk_mb", 20}}}}};
    auto dry = offline();
    dry.dry_run = true;
    const json plan = packs::install_pack(parse(pack), dry);
    BOOST_TEST(plan["dry_run"] == true);
    BOOST_TEST(plan["candidates"][0]["usable"] == false);
    BOOST_TEST(plan["candidates"][0]["reason"].get<std::string>().find("apt-get install python3-nothing") != std::string::npos,
               plan.dump());
    BOOST_TEST(plan["candidate"] == "preinstall from an unreachable index");
    BOOST_TEST(plan["candidates"][1]["needs_index"] == "http://127.0.0.1:9/simple/");
    BOOST_TEST(plan["candidates"][2]["download_mb"] == 1);
    BOOST_TEST(!fs::exists(packs / "fixture" / "receipt.json"));
    BOOST_TEST(test::pack_environments(packs / "fixture") == 0u);

    const auto started = std::chrono::steady_clock::now();
    const json receipt = packs::install_pack(parse(pack), offline());
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(60)));
    BOOST_TEST(receipt["candidate"]["name"] == "sees the system");
    BOOST_TEST(receipt["candidate"]["system_site_packages"] == true);
    BOOST_TEST(receipt["download_mb"] == 1);
    const fs::path log = packs / "fixture" / "install.log";
    BOOST_TEST(count_in_log(log, "candidate needs a system module failed (needs dubhost_no_such_module from the system") == 1u);
    BOOST_TEST(count_in_log(log, "for dubhost_fixture_tone==1.0 cannot be reached") == 1u);
    std::ifstream config(packs / "fixture" / "current" / "venv" / "pyvenv.cfg");
    const std::string text((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
    BOOST_TEST(text.find("include-system-site-packages = true") != std::string::npos, text);
}

// `--model-archive` (the published archive as a file: checked against the pack's sha256) and
// `--model-dir` (a folder taken as it is, its files hashed into the receipt) instead of a download.
BOOST_AUTO_TEST_CASE(a_model_is_brought_as_the_published_archive_or_as_a_folder) {
    fs::create_directories(dir / "published");
    test::write_file(dir / "published" / "model.index", "published weights");
    fs::create_directories(dir / "made-here");
    test::write_file(dir / "made-here" / "model.index", "local weights");
    const auto packed = run_process({"tar", "-czf", (dir / "2stems.tar.gz").string(), "-C", (dir / "published").string(), "."},
                                    std::chrono::seconds(20));
    BOOST_TEST_REQUIRE(packed.exit_code == 0, packed.err);
    const auto repacked = run_process({"tar", "-czf", (dir / "other.tar.gz").string(), "-C", (dir / "made-here").string(), "."},
                                      std::chrono::seconds(20));
    BOOST_TEST_REQUIRE(repacked.exit_code == 0, repacked.err);
    auto pack = manifest(
        "import os\n"
        "folder = os.environ['FIXTURE_MODEL']\n"
        "assert open(os.path.join(folder, '.probe')).read() == 'OK'\n"
        "print(open(os.path.join(folder, 'model.index')).read())\n");
    pack["models"] = {{{"name", "2stems"},
                       {"source", "https://models.invalid/2stems.tar.gz"},
                       {"sha256", sha256_of(dir / "2stems.tar.gz")},
                       {"destination", "pretrained/2stems"},
                       {"env", "FIXTURE_MODEL"},
                       {"unpack", "tar.gz"},
                       {"files", {{".probe", "OK"}}}}};
    auto options = offline();
    options.model_archives[""] = dir / "2stems.tar.gz";  // no name: the pack's default model
    json receipt = packs::install_pack(parse(pack), options);
    BOOST_TEST(receipt["models"][0]["source"] == (dir / "2stems.tar.gz").string());
    BOOST_TEST(receipt["models"][0]["sha256"] == sha256_of(dir / "2stems.tar.gz"));

    options.force = true;
    options.model_archives = {{"2stems", dir / "other.tar.gz"}};
    const auto mismatch = failure_of(parse(pack), options);
    BOOST_TEST(mismatch.code() == "model-hash-mismatch");
    BOOST_TEST(mismatch.hint().find("not the published 2stems model") != std::string::npos, mismatch.hint());
    BOOST_TEST(packs::installed_pack(parse(pack), packs).has_value());  // the working install stays

    options.model_archives.clear();
    options.model_dirs = {{"2stems", dir / "made-here"}};
    receipt = packs::install_pack(parse(pack), options);
    BOOST_TEST(receipt["models"][0]["source"] == (dir / "made-here").string());
    BOOST_TEST(receipt["models"][0]["files_sha256"].contains("model.index"), receipt["models"][0].dump());
    const auto installed = packs::installed_pack(parse(pack), packs);
    BOOST_TEST_REQUIRE(installed.has_value());
    std::ifstream weights(fs::path(installed->environment.at("FIXTURE_MODEL")) / "model.index");
    std::string text;
    std::getline(weights, text);
    BOOST_TEST(text == "local weights");

    options.model_dirs = {{"8stems", dir / "made-here"}};
    BOOST_TEST(failure_of(parse(pack), options).code() == "unknown-model");
    options.model_dirs = {{"2stems", dir / "missing"}};
    BOOST_TEST(failure_of(parse(pack), options).code() == "model-source-missing");
}

// Spleeter's shape: an archive unpacked into a folder with a marker file, read through a variable
// whose value the manifest derives from {models}; an optional model only on request; a model that
// the library's own downloader fetches (faster-whisper's shape), recorded with its files' hashes.
BOOST_AUTO_TEST_CASE(archives_optional_and_fetched_models_reach_the_health_check) {
    fs::create_directories(dir / "archive");
    test::write_file(dir / "archive" / "model.index", "weights");
    const auto packed = run_process({"tar", "-czf", (dir / "2stems.tar.gz").string(), "-C", (dir / "archive").string(), "."},
                                    std::chrono::seconds(20));
    BOOST_TEST_REQUIRE(packed.exit_code == 0, packed.err);
    test::write_file(dir / "4stems.bin", "four");
    auto pack = manifest(
        "import os\n"
        "root = os.environ['FIXTURE_MODELS']\n"
        "assert open(os.path.join(root, '2stems', '.probe')).read() == 'OK'\n"
        "assert open(os.path.join(root, '2stems', 'model.index')).read() == 'weights'\n"
        "assert open(os.path.join(os.environ['FIXTURE_FETCHED'], 'config.json')).read() == '{}'\n");
    pack["environment"] = {{"FIXTURE_MODELS", "{models}/pretrained"}};
    pack["models"] = {
        {{"name", "2stems"},
         {"source", "file://" + (dir / "2stems.tar.gz").string()},
         {"sha256", sha256_of(dir / "2stems.tar.gz")},
         {"destination", "pretrained/2stems"},
         {"unpack", "tar.gz"},
         {"files", {{".probe", "OK"}}}},
        {{"name", "4stems"},
         {"source", "file://" + (dir / "4stems.bin").string()},
         {"sha256", sha256_of(dir / "4stems.bin")},
         {"destination", "pretrained/4stems.bin"},
         {"optional", true}},
        {{"name", "fetched"},
         {"fetch", "import os, sys\nos.makedirs(sys.argv[1])\nopen(os.path.join(sys.argv[1], 'config.json'), 'w').write('{}')\n"},
         {"destination", "fetched"},
         {"env", "FIXTURE_FETCHED"}}};
    const json receipt = packs::install_pack(parse(pack), offline());
    BOOST_TEST_REQUIRE(receipt["models"].size() == 2u);  // the optional one was not asked for
    BOOST_TEST(receipt["models"][1]["files_sha256"]["config.json"] ==
               "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    const auto installed = packs::installed_pack(parse(pack), packs);
    BOOST_TEST_REQUIRE(installed.has_value());
    BOOST_TEST(fs::exists(fs::path(installed->environment.at("FIXTURE_MODELS")) / "2stems" / ".probe"));
    BOOST_TEST(!fs::exists(fs::path(installed->environment.at("FIXTURE_MODELS")) / "4stems.bin"));

    auto with_optional = offline();
    with_optional.models = {"4stems"};
    const json again = packs::install_pack(parse(pack), with_optional);  // not "already installed": a model is missing
    BOOST_TEST(again["already_installed"] == false);
    BOOST_TEST(again["models"].size() == 3u);
    BOOST_TEST(packs::install_pack(parse(pack), with_optional)["already_installed"] == true);

    with_optional.models = {"8stems"};
    const auto unknown = failure_of(parse(pack), with_optional);
    BOOST_TEST(unknown.code() == "unknown-model");
    BOOST_TEST(unknown.hint() == "its optional models: 4stems");
}

BOOST_AUTO_TEST_CASE(an_extra_installs_on_request_with_its_own_model) {
    test::write_file(dir / "extra-model.bin", "extra");
    auto pack = manifest();
    pack["extras"] = {{{"name", "broken-extra"}, {"requirements", {"dubhost_fixture_broken==1.0"}}, {"note", "for tests"}}};
    pack["models"] = {{{"name", "extra-model"},
                       {"source", "file://" + (dir / "extra-model.bin").string()},
                       {"sha256", sha256_of(dir / "extra-model.bin")},
                       {"destination", "extra.bin"},
                       {"extra", "broken-extra"}}};
    const json plain = packs::install_pack(parse(pack), offline());
    BOOST_TEST(plain["extras"].empty());
    BOOST_TEST(plain["models"].empty());  // the extra's model comes with the extra only
    BOOST_TEST(!plain["packages"].contains("dubhost-fixture-broken"));

    auto with_extra = offline();
    with_extra.extras = {"broken-extra"};
    const json extended = packs::install_pack(parse(pack), with_extra);
    BOOST_TEST(extended["already_installed"] == false);
    BOOST_TEST(extended["extras"] == json::array({"broken-extra"}));
    BOOST_TEST(extended["packages"]["dubhost-fixture-broken"] == "1.0");
    BOOST_TEST(extended["models"][0]["name"] == "extra-model");
    BOOST_TEST(packs::install_pack(parse(pack), with_extra)["already_installed"] == true);

    with_extra.extras = {"gpu"};
    const auto unknown = failure_of(parse(pack), with_extra);
    BOOST_TEST(unknown.code() == "unknown-extra");
    BOOST_TEST(unknown.hint() == "its extras: broken-extra");
    pack["models"][0]["extra"] = "gpu";
    BOOST_CHECK_THROW(parse(pack), sdk::CallError);  // a model of an extra the pack does not have
}

BOOST_AUTO_TEST_CASE(a_missing_system_library_is_reported_before_any_work) {
    auto pack = manifest();
    pack["system"] = {
        {{"kind", "library"}, {"name", "libdubhost-absent.so.7"}, {"install", "apt-get install libdubhost-absent7"}},
        {{"kind", "library"}, {"name", "libc.so.6"}, {"install", "apt-get install libc6"}},
        {{"kind", "program"}, {"name", "sh"}, {"install", "apt-get install dash"}}};
    const auto started = std::chrono::steady_clock::now();
    const auto error = failure_of(parse(pack), offline());
    BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 1.0);
    BOOST_TEST(error.code() == "system-requirement-missing");
    BOOST_TEST(std::string(error.what()) == "pack fixture needs libdubhost-absent.so.7 (library), which this machine lacks");
    BOOST_TEST(error.hint() == "apt-get install libdubhost-absent7, then run `dubhost pack install fixture` again");
    const json status = packs::pack_status(parse(pack), packs);
    BOOST_TEST_REQUIRE(status["system_missing"].size() == 1u);
    BOOST_TEST(status["system_missing"][0]["name"] == "libdubhost-absent.so.7");
    BOOST_TEST(!fs::exists(packs / "fixture" / "install.log"));  // nothing was started
}

BOOST_AUTO_TEST_CASE(cancelling_mid_install_leaves_nothing_and_remove_deletes_the_pack) {
    auto options = offline();
    bool installing = false;
    options.progress = [&](double, const std::string &message) {
        installing = installing || message.rfind("installing", 0) == 0;
    };
    options.cancelled = [&] { return installing; };
    const auto error = failure_of(parse(manifest()), options);
    BOOST_TEST(error.code() == "cancelled");
    BOOST_TEST(test::pack_environments(packs / "fixture") == 0u);
    BOOST_TEST(!fs::exists(packs / "fixture" / "receipt.json"));
    BOOST_TEST(packs::pack_status(parse(manifest()), packs)["state"] == "not-installed");

    packs::install_pack(parse(manifest()), offline());
    BOOST_TEST(packs::remove_pack(parse(manifest()), packs));
    BOOST_TEST(!fs::exists(packs / "fixture"));
    BOOST_TEST(!packs::remove_pack(parse(manifest()), packs));
}

BOOST_AUTO_TEST_CASE(bad_manifests_are_refused_with_the_field) {
    auto bad = json{{"id", "Bad Id"}};
    BOOST_CHECK_THROW(parse(bad), sdk::CallError);
    auto no_candidates = PackFixture::manifest();
    no_candidates["candidates"] = json::array();
    try {
        parse(no_candidates);
        BOOST_FAIL("accepted a pack without candidates");
    } catch (const sdk::CallError &error) {
        BOOST_TEST(std::string(error.what()).find("no install candidates") != std::string::npos);
    }
    auto bad_python = PackFixture::manifest();
    bad_python["python"]["min"] = "3";
    BOOST_CHECK_THROW(parse(bad_python), sdk::CallError);
}

BOOST_AUTO_TEST_CASE(the_pack_commands_drive_a_pack_backed_plugin) {
    auto dubhost = [&](std::vector<std::string> args) {
        args.insert(args.begin(),
                    {DUBHOST_BINARY, "--workspace", (dir / "ws").string(), "--plugin-path", DUBHOST_PACK_PLUGIN_DIR});
        return run_process(args, std::chrono::seconds(300));
    };
    const auto listed = dubhost({"pack", "list", "--json"});
    BOOST_TEST_REQUIRE(listed.exit_code == 0, listed.err);
    json fixture_listed;
    std::set<std::string> pack_ids;
    const json list_document = json::parse(listed.out);
    for (const auto &pack : list_document["packs"]) {
        pack_ids.insert(pack["id"].get<std::string>());
        if (pack["id"] == "fixture") fixture_listed = pack;
    }
    BOOST_TEST((pack_ids == std::set<std::string>{"diarization", "fixture", "pyttsx3", "spleeter", "whisper"}));
    BOOST_TEST(fixture_listed["state"] == "not-installed");
    BOOST_TEST(fixture_listed["backends"][0] == "tts/fixture-pack");

    // The backend says how to install its pack when it is missing.
    const auto imported = dubhost({"import", "/usr/share/sounds/alsa/Front_Center.wav", "--json"});
    BOOST_TEST_REQUIRE(imported.exit_code == 0, imported.err);
    const std::string item = json::parse(imported.out)["item_id"];
    const auto missing = dubhost({"run", "tts", item, "--backend", "fixture-pack"});
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("dubhost pack install fixture") != std::string::npos, missing.err);

    const auto offline = dubhost({"pack", "install", "fixture", "--offline"});
    BOOST_TEST(offline.exit_code == 1);
    BOOST_TEST(offline.err.find("pass --wheelhouse DIR") != std::string::npos, offline.err);

    const auto installed = dubhost({"pack", "install", "fixture", "--wheelhouse", wheelhouse.string(), "--offline", "--json"});
    BOOST_TEST_REQUIRE(installed.exit_code == 0, installed.err);
    const json receipt = json::parse(installed.out.substr(installed.out.find("{\n")));
    BOOST_TEST(receipt["candidate"]["name"] == "fallback");
    const auto again = dubhost({"pack", "install", "fixture", "--wheelhouse", wheelhouse.string(), "--offline"});
    BOOST_TEST(again.out.find("already installed") != std::string::npos, again.out);
    const auto backends = json::parse(dubhost({"backends", "--json"}).out)["backends"];
    int listed_installed = 0;
    for (const auto &choice : backends)
        if (choice["capability"] == "tts")
            for (const auto &candidate : choice["backends"])
                listed_installed += candidate["id"] == "fixture-pack" && candidate["installed"] == true;
    BOOST_TEST(listed_installed == 1);  // the backend now reports itself installed
    const auto status = dubhost({"pack", "status", "fixture"});
    BOOST_TEST(status.out.find("fixture: installed") != std::string::npos, status.out);
    BOOST_TEST(status.out.find("dubhost-fixture-tone 1.0") != std::string::npos, status.out);
    BOOST_TEST(dubhost({"pack", "logs", "fixture"}).out.find("=== installed") != std::string::npos);
    // The doctor asks the owning plugin too: its answer is `pack status`'s, field for field.
    const json doctor = json::parse(dubhost({"doctor", "--json"}).out);
    const json status_document = json::parse(dubhost({"pack", "status", "fixture", "--json"}).out);
    int doctor_listed = 0;
    for (const auto &pack : doctor["packs"])
        if (pack["id"] == "fixture") {
            ++doctor_listed;
            BOOST_TEST(pack["installed"]["candidate"] == "fallback");
            BOOST_TEST(pack == status_document, pack.dump() << "\nvs\n" << status_document.dump());
        }
    BOOST_TEST(doctor_listed == 1);

    // A job through the whole chain: host -> plugin -> the pack's venv -> runner.py, on the protocol pipe.
    test::write_file(dir / "script.srt", "1\n00:00:00,000 --> 00:00:00,800\nOne.\n\n2\n00:00:01,000 --> 00:00:01,900\nTwo.\n");
    BOOST_TEST_REQUIRE(dubhost({"track", "import", item, (dir / "script.srt").string()}).exit_code == 0);
    const auto ran = dubhost({"run", "tts", item, "--backend", "fixture-pack", "--json"});
    BOOST_TEST_REQUIRE(ran.exit_code == 0, ran.err);
    const auto job_id = std::to_string(json::parse(ran.out.substr(ran.out.find("{\n")))["job"]["id"].get<std::int64_t>());
    const json job = json::parse(dubhost({"job", job_id, "--json"}).out);
    BOOST_TEST(job["status"] == "succeeded");
    BOOST_TEST(job["result"]["tone"] == 440);
    BOOST_TEST(test::read_file(job["log"].get<std::string>()).find("fixture runner: tone 440 Hz") != std::string::npos);

    BOOST_TEST(dubhost({"pack", "remove", "fixture"}).exit_code == 0);  // asked of the plugin that owns it
    BOOST_TEST(!fs::exists(dir / "ws" / "packs" / "fixture"));
    // A pack whose plugin is gone: the host removes the folder it lent it, and says so.
    fs::create_directories(dir / "ws" / "packs" / "orphan" / "current");
    const auto orphan = dubhost({"pack", "remove", "orphan"});
    BOOST_TEST(orphan.exit_code == 0, orphan.err);
    BOOST_TEST(orphan.out.find("no installed plugin provides it") != std::string::npos, orphan.out);
    BOOST_TEST(!fs::exists(dir / "ws" / "packs" / "orphan"));
    BOOST_TEST(json::parse(dubhost({"pack", "status", "fixture", "--json"}).out)["state"] == "not-installed");
    const auto unknown = dubhost({"pack", "install", "nope"});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(unknown.err.find("packs here: diarization, fixture, pyttsx3, spleeter, whisper") != std::string::npos,
               unknown.err);
    BOOST_TEST(dubhost({"pack", "remove", "../ws"}).err.find("is not a pack id") != std::string::npos);
    BOOST_TEST(fs::exists(dir / "ws"));
}

BOOST_AUTO_TEST_SUITE_END()
