// The native separation plugin, loaded by the host, on real recordings: LibriVox speech in the
// centre of real stereo and mono music at 0 dB and -6 dB speech-to-music (bench/eval). Checks the
// targets on the vocals stem's SDR improvement, and what a user gets for bad inputs.
#include "dubhost/host/backend_call.hpp"
#include "dubhost/host/plugin_registry.hpp"

#include "separation_set.hpp"
#include "signal_to_distortion.hpp"
#include "support/temp_dir.hpp"
#include "wav_stream.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace dubhost;
using nlohmann::json;

namespace {

struct Separation {
    HostServices services;
    PluginRegistry registry;
    const RegisteredBackend *backend;

    explicit Separation(const test::TempDir &dir)
        : services({{"workspace", dir.path().string()}}, "separate"),
          registry(PluginRegistry::discover({{DUBHOST_PLUGIN_DIR, "test"}}, services)),
          backend(registry.find("separate", "native")) {
        BOOST_TEST_REQUIRE(backend != nullptr);
    }

    CallOutcome run(const fs::path &mix, const fs::path &out_dir, json params = json::object()) {
        return call_backend(
            backend->entry_points(), BackendEntry::run, services,
            {{"inputs", {{"mix", mix.string()}}},
             {"params", params},
             {"outputs",
              {{"vocals", (out_dir / "vocals.wav").string()}, {"background", (out_dir / "background.wav").string()}}}});
    }
};

std::vector<float> read_all(const fs::path &path) {
    separate::WavReader reader(path);
    std::vector<float> samples(reader.frames() * static_cast<std::size_t>(reader.channels()));
    reader.read(samples.data(), reader.frames());
    return samples;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(separate_quality)

BOOST_AUTO_TEST_CASE(vocals_improve_on_real_speech_over_real_music) {
    test::TempDir dir;
    Separation separation(dir);
    const auto speech = eval::librivox_speech();
    for (const auto &music : eval::standard_music()) {
        for (const double ratio : {0.0, -6.0}) {
            const auto c = eval::build_separation_case(speech, music, ratio);
            {
                separate::FloatWavWriter writer(dir / "mix.wav", eval::separation_rate, 2);
                writer.write(c.mix.data(), c.mix.size() / 2);
                writer.commit();
            }
            const auto outcome = separation.run(dir / "mix.wav", dir / "stems");
            BOOST_TEST_REQUIRE(outcome.ok(), outcome.document.dump());
            const auto vocals = read_all(dir / "stems" / "vocals.wav");
            const auto background = read_all(dir / "stems" / "background.wav");
            BOOST_TEST_REQUIRE(vocals.size() == c.mix.size());
            BOOST_TEST_REQUIRE(background.size() == c.mix.size());
            const double vocals_gain =
                scoring::signal_to_distortion_db(c.vocals, vocals) - scoring::signal_to_distortion_db(c.vocals, c.mix);
            const double background_gain = scoring::signal_to_distortion_db(c.background, background) -
                                           scoring::signal_to_distortion_db(c.background, c.mix);
            BOOST_TEST_MESSAGE(c.name << ": SDR improvement vocals " << vocals_gain << " dB, background " << background_gain
                                      << " dB");
            // Targets: +3 dB on the vocals with centred speech over stereo music; better than the mix on mono.
            BOOST_TEST(vocals_gain >= (c.stereo_music ? 3.0 : 0.5), c.name << ": vocals improve by " << vocals_gain << " dB");
            // With speech as loud as the music, the background stem is cleaner than the mix too.
            if (ratio == 0.0)
                BOOST_TEST(background_gain > 0.0, c.name << ": background improves by " << background_gain << " dB");
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_inputs_give_clear_errors_and_leave_nothing) {
    test::TempDir dir;
    Separation separation(dir);
    const auto missing = separation.run(dir / "nope.wav", dir / "stems");
    BOOST_TEST(!missing.ok());
    BOOST_TEST(missing.document.dump().find("nope.wav") != std::string::npos, missing.document.dump());

    test::write_file(dir / "text.wav", "this is not audio\n");
    const auto text = separation.run(dir / "text.wav", dir / "stems");
    BOOST_TEST(!text.ok());
    BOOST_TEST(text.document.dump().find("not a WAV file") != std::string::npos, text.document.dump());

    // A header that promises more audio than the file holds (a copy cut short).
    {
        separate::FloatWavWriter writer(dir / "full.wav", 48000, 2);
        std::vector<float> second(96000, 0.1f);
        writer.write(second.data(), 48000);
        writer.commit();
    }
    std::string bytes = test::read_file(dir / "full.wav");
    test::write_file(dir / "cut.wav", bytes.substr(0, bytes.size() / 2));
    const auto cut = separation.run(dir / "cut.wav", dir / "stems");
    BOOST_TEST(!cut.ok());
    BOOST_TEST(cut.document.dump().find("truncated") != std::string::npos, cut.document.dump());

    const auto bad_param = separation.run(dir / "full.wav", dir / "stems", {{"strength", 100}});
    BOOST_TEST(!bad_param.ok());
    BOOST_TEST(bad_param.document.dump().find("--param strength=") != std::string::npos, bad_param.document.dump());

    // No stem, whole or partial, from any failed run.
    BOOST_TEST(!fs::exists(dir / "stems" / "vocals.wav"));
    BOOST_TEST(!fs::exists(dir / "stems" / "vocals.wav.part"));
    BOOST_TEST(!fs::exists(dir / "stems" / "background.wav.part"));
}

BOOST_AUTO_TEST_SUITE_END()
