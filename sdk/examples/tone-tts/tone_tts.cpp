// Example out-of-tree dubhost plugin: a "tts" backend that renders each subtitle segment as a tone
// exactly as long as the segment's window. It speaks no words; it exists to show, in one file,
// everything a real backend does: parameters, progress, cancellation, artifacts written through a
// temporary name, the tts manifest schema, and errors with hints. Build it with the installed SDK:
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=<dubhost prefix> && cmake --build build
#include <dubhost/plugin.hpp>

#include "dubhost_manifest.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using dubhost::sdk::CallError;
using dubhost::sdk::json;

// A tone with 10 ms fades, so segments never click.
std::vector<std::int16_t> render_tone(double seconds, double frequency, int sample_rate) {
    const auto count = static_cast<std::size_t>(seconds * sample_rate);
    const std::size_t fade = std::min<std::size_t>(count / 2, static_cast<std::size_t>(sample_rate / 100));
    std::vector<std::int16_t> samples(count);
    for (std::size_t i = 0; i < count; ++i) {
        double gain = 0.3;
        if (i < fade) gain *= static_cast<double>(i) / static_cast<double>(fade);
        if (count - i <= fade) gain *= static_cast<double>(count - i) / static_cast<double>(fade);
        samples[i] =
            static_cast<std::int16_t>(32767 * gain * std::sin(2 * M_PI * frequency * static_cast<double>(i) / sample_rate));
    }
    return samples;
}

class ToneBackend : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &) override {
        return {{"installed", true},
                {"version", "1.0.0"},
                {"missing", json::array()},
                {"disk_bytes", 0},
                {"notes", {"example backend: renders tones, not speech"}}};
    }

    // job: {item_id, stage, backend, params, inputs: {track: {segments: [...]}}, outputs: {dir}, work_dir}
    json run(const dubhost::sdk::Host &host, const json &job) override {
        const json params = job.value("params", json::object());
        const double frequency = params.value("frequency_hz", 440.0);
        const int sample_rate = params.value("sample_rate", 22050);
        if (frequency <= 0 || frequency >= sample_rate / 2.0)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter",
                            "frequency_hz must be between 0 and half the sample rate", "pass --param frequency_hz=440");
        const fs::path out_dir = job.at("outputs").at("dir").get<std::string>();
        const json &segments = job.at("inputs").at("track").at("segments");
        fs::create_directories(out_dir / "segments");

        json manifest = {{"backend", "example-tone"}, {"voice_map", json::object()}, {"segments", json::array()}};
        for (std::size_t i = 0; i < segments.size(); ++i) {
            host.throw_if_cancelled();
            const json &segment = segments[i];
            const auto start = segment.at("start").get<std::int64_t>();
            const auto end = segment.at("end").get<std::int64_t>();
            const fs::path wav = out_dir / "segments" / (std::to_string(segment.at("id").get<std::int64_t>()) + ".wav");
            const auto samples = render_tone(static_cast<double>(end - start) / 1000.0, frequency, sample_rate);
            dubhost::sdk::write_wav_pcm16(wav, samples.data(), samples.size(), sample_rate);  // via .part + rename
            manifest["segments"].push_back({{"segment_id", segment.at("id")},
                                            {"text", segment.value("text", "")},
                                            {"speaker", segment.value("speaker", json())},
                                            {"voice", "tone"},
                                            {"path", wav.string()},
                                            {"start", start},
                                            {"end", end},
                                            {"duration", end - start},
                                            {"fitted_duration", end - start}});
            host.progress(static_cast<double>(i + 1) / static_cast<double>(segments.size()), "segment " + std::to_string(i + 1));
        }
        const fs::path manifest_path = out_dir / "manifest.json";
        dubhost::sdk::write_file_atomically(manifest_path, manifest.dump(2));
        host.info("rendered " + std::to_string(segments.size()) + " segments");
        return {{"outputs", {{"manifest", manifest_path.string()}}}};
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<ToneBackend>("example-tone"))
