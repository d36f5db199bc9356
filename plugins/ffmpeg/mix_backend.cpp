// The dub mix: one streaming pass places every segment over the (ducked) background, a second
// pass normalises loudness. Memory holds one block plus the segments playing in it, whatever the
// number of segments or the length of the mix.
#include "audio_reader.hpp"
#include "backends.hpp"
#include "filter_chain.hpp"
#include "mix_plan.hpp"
#include "wav_writer.hpp"

#include <dubhost/support/json_fields.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <list>
#include <optional>
#include <sstream>

namespace dubhost::ffmpeg {
namespace {

namespace fs = std::filesystem;
constexpr int rate = 48000;
constexpr int channels = 2;
constexpr std::size_t block_frames = 4800;        // 100 ms
constexpr std::int64_t fade_frames = rate / 100;  // 10 ms fade where a segment is cut

struct MixSettings {
    std::string background_mode = "stem";  // or "original", or "none" (a video with no sound track)
    double duck_db = -12;                  // 0 = off
    double attack_ms = 80;
    double release_ms = 300;
    double max_tempo = 1.35;
    double target_lufs = -16;
    double true_peak_db = -1;
    double speech_gain_db = 0;
};

double number_param(const json &params, const char *name, double fallback) {
    const auto found = params.find(name);
    if (found == params.end() || found->is_null()) return fallback;
    if (found->is_number()) return found->get<double>();
    if (found->is_string()) {
        const std::string text = found->get<std::string>();
        if (text == "off") return 0;
        try {
            std::size_t used = 0;
            const double value = std::stod(text, &used);
            if (used == text.size()) return value;
        } catch (const std::exception &) {
        }
    }
    throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", std::string("parameter ") + name + " must be a number",
                         std::string("pass e.g. --param ") + name + "=" + std::to_string(fallback));
}

MixSettings read_settings(const json &params) {
    MixSettings s;
    s.background_mode = params.value("background", s.background_mode);
    s.duck_db = number_param(params, "duck_db", s.duck_db);
    s.attack_ms = number_param(params, "attack_ms", s.attack_ms);
    s.release_ms = number_param(params, "release_ms", s.release_ms);
    s.max_tempo = number_param(params, "max_tempo", s.max_tempo);
    s.target_lufs = number_param(params, "target_lufs", s.target_lufs);
    s.true_peak_db = number_param(params, "true_peak_db", s.true_peak_db);
    s.speech_gain_db = number_param(params, "speech_gain_db", s.speech_gain_db);
    auto bad = [](const std::string &what, const std::string &hint) {
        return sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", what, hint);
    };
    if (s.background_mode != "stem" && s.background_mode != "original" && s.background_mode != "none")
        throw bad("background must be 'stem', 'original' or 'none'", "pass --background original or leave it out");
    if (s.duck_db > 0 || s.duck_db < -60)
        throw bad("duck_db must be between -60 and 0 (0 turns ducking off)", "pass --param duck_db=-12");
    if (s.background_mode == "original" && s.duck_db > -6)
        throw bad(
            "with the original audio as background, ducking must be at least 6 dB, or the original speech talks over the dub",
            "pass --param duck_db=-12, or separate the background first: `dubhost run separate ITEM`");
    if (s.max_tempo < 1 || s.max_tempo > 4) throw bad("max_tempo must be between 1 and 4", "pass --param max_tempo=1.35");
    if (s.target_lufs < -70 || s.target_lufs > -5)
        throw bad("target_lufs must be between -70 and -5", "pass --param target_lufs=-16");
    if (s.true_peak_db < -9 || s.true_peak_db > 0)
        throw bad("true_peak_db must be between -9 and 0", "pass --param true_peak_db=-1");
    if (s.attack_ms < 0 || s.release_ms < 0 || s.attack_ms > 5000 || s.release_ms > 5000)
        throw bad("attack_ms and release_ms must be between 0 and 5000", "pass --param attack_ms=80 --param release_ms=300");
    return s;
}

json read_json_file(const std::string &path) {
    std::ifstream in(path);
    if (!in)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "missing-input", "cannot read the TTS manifest " + path,
                             "run the tts stage first: `dubhost run tts ITEM`");
    std::stringstream text;
    text << in.rdbuf();
    auto document = json::parse(text.str(), nullptr, false);
    if (document.is_discarded() || !document.contains("segments") || !document["segments"].is_array())
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-input",
                             "the TTS manifest " + path + " is not valid JSON with a segments list",
                             "re-run the tts stage: `dubhost run tts ITEM --force`");
    return document;
}

std::vector<SegmentTiming> read_segments(const json &manifest, const std::string &manifest_path) {
    std::vector<SegmentTiming> timings;
    for (const auto &segment : manifest["segments"]) {
        const std::string path = segment.value("path", std::string());
        if (path.empty()) continue;  // skipped by the TTS (empty text): nothing to place
        SegmentTiming timing;
        const json id = segment.value("segment_id", json());
        timing.segment_id = id.is_string() ? id.get<std::string>() : id.is_null() ? std::to_string(timings.size()) : id.dump();
        timing.path = fs::path(path).is_absolute() ? path : (fs::path(manifest_path).parent_path() / path).string();
        // Times from another plugin's manifest: whole milliseconds no clip can exceed, or refused.
        constexpr std::int64_t longest_ms = 1'000'000'000'000;
        const auto start = whole_number(segment.value("start", json()), 0, longest_ms);
        const auto end = whole_number(segment.value("end", json()), 0, longest_ms);
        if (!start || !end || *end <= *start)
            throw sdk::CallError(
                DUBHOST_STATUS_BAD_REQUEST, "bad-input",
                "segment " + timing.segment_id + " in " + manifest_path + " has no window, or an empty or negative one",
                "re-run the tts stage: `dubhost run tts ITEM --force`");
        timing.start_ms = *start;
        timing.end_ms = *end;
        if (const auto duration = whole_number(segment.value("duration", json()), 0, longest_ms)) {
            timing.audio_ms = *duration;
        } else {
            AudioDecoder probe(timing.path);
            timing.audio_ms = std::llround(probe.declared_duration_seconds() * 1000);
        }
        timings.push_back(std::move(timing));
    }
    return timings;
}

// One segment's audio while it plays: decoded, converted, sped up when its plan says so.
class SegmentVoice {
public:
    explicit SegmentVoice(const PlacedSegment &plan)
        : plan_(plan),
          reader_(plan.timing.path, rate, channels),
          start_frame_(plan.place_start_ms * rate / 1000),
          end_frame_(plan.place_end_ms * rate / 1000) {
        if (plan.tempo > 1.0005) {
            char filter[64];
            std::snprintf(filter, sizeof filter, "atempo=%.6f", plan.tempo);
            stretcher_ = std::make_unique<FilterChain>(filter, rate, channels);
        }
    }

    std::int64_t start_frame() const { return start_frame_; }
    std::int64_t end_frame() const { return end_frame_; }
    bool finished(std::int64_t frame) const { return frame >= end_frame_ || exhausted_; }

    // Adds this voice's audio for frames [block_start, block_start + frames) into `mix`.
    void add_to(std::int64_t block_start, std::size_t frames, float gain, std::vector<float> &mix) {
        const std::int64_t from = std::max(block_start, start_frame_ + played_);
        const std::int64_t to = std::min(block_start + static_cast<std::int64_t>(frames), end_frame_);
        if (to <= from) return;
        const auto wanted = static_cast<std::size_t>(to - from);
        std::vector<float> samples(wanted * channels);
        const std::size_t got = pull(samples.data(), wanted);
        if (got < wanted) exhausted_ = true;
        const bool truncated = plan_.truncated_ms > 0;
        for (std::size_t i = 0; i < got; ++i) {
            const std::int64_t position = from + static_cast<std::int64_t>(i);
            float g = gain;
            if (truncated && end_frame_ - position < fade_frames) g *= static_cast<float>(end_frame_ - position) / fade_frames;
            const std::size_t out = static_cast<std::size_t>(position - block_start) * channels;
            for (int c = 0; c < channels; ++c) mix[out + c] += g * samples[i * channels + c];
        }
        played_ += static_cast<std::int64_t>(got);
    }

private:
    std::size_t pull(float *destination, std::size_t frames) {
        if (!stretcher_) return reader_.read(destination, frames);
        while (buffered_.size() < frames * channels && !drained_) {
            std::vector<float> chunk(4096 * channels);
            const std::size_t got = reader_.read(chunk.data(), 4096);
            stretcher_->push(chunk.data(), got);
            if (got < 4096) stretcher_->finish();
            drained_ = !stretcher_->pull(buffered_);
        }
        const std::size_t take = std::min(frames, buffered_.size() / channels);
        std::copy_n(buffered_.begin(), take * channels, destination);
        buffered_.erase(buffered_.begin(), buffered_.begin() + static_cast<std::ptrdiff_t>(take * channels));
        return take;
    }

    const PlacedSegment &plan_;
    AudioReader reader_;
    std::unique_ptr<FilterChain> stretcher_;
    std::vector<float> buffered_;
    bool drained_ = false;
    bool exhausted_ = false;
    std::int64_t start_frame_;
    std::int64_t end_frame_;
    std::int64_t played_ = 0;
};

struct LoudnessReading {
    double integrated = -70;
    double range = 0;
    double true_peak_db = -99;
};

LoudnessReading reading_of(const FilterChain &meter) {
    LoudnessReading reading;
    reading.integrated = meter.metadata_number("lavfi.r128.I", -70);
    reading.range = meter.metadata_number("lavfi.r128.LRA", 0);
    const double peak = meter.metadata_number("lavfi.r128.true_peak", 0);
    reading.true_peak_db = peak > 0 ? 20 * std::log10(peak) : -99;
    return reading;
}

struct FirstPass {
    std::int64_t frames = 0;
    LoudnessReading loudness;
};

// Pass 1: background (ducked) + every segment, in blocks, to an unnormalised float file. With no
// background (empty path) the speech alone, up to where the last segment ends.
FirstPass mix_first_pass(const sdk::Host &host, const std::string &background, const std::vector<PlacedSegment> &plan,
                         const MixSettings &settings, const fs::path &raw_path) {
    std::optional<AudioReader> background_reader;
    if (!background.empty()) background_reader.emplace(background, rate, channels);
    const double background_seconds = background_reader ? background_reader->decoder().declared_duration_seconds() : 0;
    const std::int64_t speech_end = plan.empty() ? 0
                                                 : std::max_element(
                                                       plan.begin(), plan.end(),
                                                       [](const auto &a, const auto &b) {
                                                           return a.place_end_ms < b.place_end_ms;
                                                       })->place_end_ms *
                                                       rate / 1000;
    const double expected_frames = std::max(background_seconds * rate, static_cast<double>(speech_end));
    DuckingEnvelope envelope(plan, settings.duck_db, settings.attack_ms, settings.release_ms, rate);
    FilterChain meter("ebur128=peak=true:metadata=1", rate, channels);
    WavWriter raw(raw_path, rate, channels, WavWriter::Encoding::float32);
    const float speech_gain = static_cast<float>(std::pow(10.0, settings.speech_gain_db / 20.0));

    std::list<SegmentVoice> playing;
    std::size_t next = 0;
    std::vector<float> block(block_frames * channels), gains(block_frames), discard;
    bool background_done = !background_reader;
    std::int64_t position = 0;
    while (true) {
        host.throw_if_cancelled();
        std::fill(block.begin(), block.end(), 0.0f);
        const std::size_t got = background_done ? 0 : background_reader->read(block.data(), block_frames);
        background_done = background_done || got < block_frames;
        std::size_t frames = block_frames;
        if (background_done) {  // after the background, run on only as long as speech needs
            const std::int64_t speech_left = std::clamp<std::int64_t>(speech_end - position, 0, block_frames);
            frames = std::max(got, static_cast<std::size_t>(speech_left));
            if (frames == 0) break;
        }
        gains.resize(frames);
        envelope.gains(position, gains);
        for (std::size_t i = 0; i < frames; ++i)
            for (int c = 0; c < channels; ++c) block[i * channels + c] *= gains[i];
        const std::int64_t block_end = position + static_cast<std::int64_t>(frames);
        while (next < plan.size() && plan[next].place_start_ms * rate / 1000 < block_end) playing.emplace_back(plan[next++]);
        for (auto voice = playing.begin(); voice != playing.end();) {
            voice->add_to(position, frames, speech_gain, block);
            voice = voice->finished(block_end) ? playing.erase(voice) : std::next(voice);
        }
        raw.write(block.data(), frames);
        meter.push(block.data(), frames);
        discard.clear();
        meter.pull(discard);
        position = block_end;
        if (expected_frames > 0) host.progress(0.7 * std::min(1.0, static_cast<double>(position) / expected_frames), "mixing");
        if (background_done && position >= speech_end) break;
    }
    meter.finish();
    discard.clear();
    while (meter.pull(discard)) discard.clear();
    raw.commit();
    return {position, reading_of(meter)};
}

// Pass 2: EBU R128 normalisation of the pass-1 file: one linear gain to the target loudness and a
// lookahead limiter whose ceiling sits below the true-peak limit; the result is measured on the way
// out. Inter-sample peaks can still overshoot a sample-peak ceiling, so an output over the limit is
// redone once or twice with the ceiling lowered by the overshoot.
LoudnessReading normalise_once(const sdk::Host &host, const fs::path &raw_path, std::int64_t total_frames, double gain_db,
                               double ceiling_db, const std::string &output) {
    char filters[256];
    std::snprintf(filters, sizeof filters,
                  "volume=%.4fdB:precision=float,alimiter=limit=%.6f:attack=5:release=50:level=false:latency=true,"
                  "ebur128=peak=true:metadata=1",
                  gain_db, std::pow(10.0, ceiling_db / 20.0));
    FilterChain chain(filters, rate, channels);
    AudioReader raw(raw_path.string(), rate, channels);
    WavWriter out(output, rate, channels, WavWriter::Encoding::pcm16);
    std::vector<float> block(block_frames * channels), filtered;
    std::int64_t done = 0;
    bool input_done = false;
    for (bool more = true; more;) {
        host.throw_if_cancelled();
        if (!input_done) {
            const std::size_t got = raw.read(block.data(), block_frames);
            chain.push(block.data(), got);
            done += static_cast<std::int64_t>(got);
            if (got < block_frames) {
                chain.finish();
                input_done = true;
            }
        }
        filtered.clear();
        more = chain.pull(filtered);
        out.write(filtered.data(), filtered.size() / channels);
        if (total_frames > 0)
            host.progress(0.7 + 0.3 * std::min(1.0, static_cast<double>(done) / static_cast<double>(total_frames)),
                          "normalising loudness");
    }
    out.commit();
    return reading_of(chain);
}

LoudnessReading normalise(const sdk::Host &host, const fs::path &raw_path, const FirstPass &first, const MixSettings &settings,
                          const std::string &output, std::string &mode) {
    const double gain = settings.target_lufs - first.loudness.integrated;
    double ceiling = settings.true_peak_db - 0.5;
    mode = first.loudness.true_peak_db + gain <= ceiling ? "linear" : "limited";
    LoudnessReading reading;
    for (int attempt = 0; attempt < 3; ++attempt) {
        reading = normalise_once(host, raw_path, first.frames, gain, ceiling, output);
        const double overshoot = reading.true_peak_db - settings.true_peak_db;
        if (overshoot <= 0.05) break;
        ceiling -= overshoot + 0.2;
        mode = "limited";
    }
    return reading;
}

json loudness_json(const LoudnessReading &reading) {
    return {{"integrated_lufs", reading.integrated}, {"range_lu", reading.range}, {"true_peak_dbtp", reading.true_peak_db}};
}

}  // namespace

json MixBackend::status(const sdk::Host &, const json &) { return ffmpeg_status(); }

json MixBackend::run(const sdk::Host &host, const json &job) {
    const std::string manifest_path = job_path(job, "inputs", "tts_manifest");
    const std::string output = job_path(job, "outputs", "mix");
    const std::string report_path = job.value("outputs", json::object()).value("mix_manifest", output + ".json");
    const MixSettings settings = read_settings(job.value("params", json::object()));
    const std::string background = settings.background_mode == "none" ? "" : job_path(job, "inputs", "background");
    const std::vector<PlacedSegment> plan =
        plan_mix(read_segments(read_json_file(manifest_path), manifest_path), {settings.max_tempo});

    const fs::path work_dir = job.value("work_dir", fs::path(output).parent_path().string());
    fs::create_directories(work_dir);
    const fs::path raw_path = work_dir / (fs::path(output).stem().string() + ".pass1.wav");
    struct RemoveOnExit {
        fs::path path;
        ~RemoveOnExit() {
            std::error_code ignored;
            fs::remove(path, ignored);
        }
    } raw_cleanup{raw_path};

    const FirstPass first = mix_first_pass(host, background, plan, settings, raw_path);
    std::string mode;
    const LoudnessReading final_loudness = normalise(host, raw_path, first, settings, output, mode);

    json segments = json::array();
    for (const auto &placed : plan)
        segments.push_back({{"segment_id", placed.timing.segment_id},
                            {"start", placed.timing.start_ms},
                            {"end", placed.timing.end_ms},
                            {"audio_ms", placed.timing.audio_ms},
                            {"tempo", placed.tempo},
                            {"place_start", placed.place_start_ms},
                            {"place_end", placed.place_end_ms},
                            {"overrun_ms", placed.overrun_ms},
                            {"truncated_ms", placed.truncated_ms},
                            {"action", placed.action}});
    const json report = {
        {"backend", "ffmpeg"},
        {"background", background.empty() ? json(nullptr) : json(background)},
        {"background_mode", settings.background_mode},
        {"tts_manifest", manifest_path},
        {"duration_ms", first.frames * 1000 / rate},
        {"sample_rate", rate},
        {"params",
         {{"duck_db", settings.duck_db},
          {"attack_ms", settings.attack_ms},
          {"release_ms", settings.release_ms},
          {"max_tempo", settings.max_tempo},
          {"target_lufs", settings.target_lufs},
          {"true_peak_db", settings.true_peak_db},
          {"speech_gain_db", settings.speech_gain_db}}},
        {"loudness", {{"before", loudness_json(first.loudness)}, {"after", loudness_json(final_loudness)}, {"mode", mode}}},
        {"segments", segments}};
    {
        const std::string temp = report_path + ".part";
        std::ofstream out(temp);
        out << report.dump(2) << "\n";
        if (!out) throw sdk::CallError(DUBHOST_STATUS_ERROR, "write-failed", "cannot write " + temp, "check free disk space");
    }
    fs::rename(report_path + ".part", report_path);
    host.info("mixed " + std::to_string(plan.size()) + " segments; loudness " + std::to_string(final_loudness.integrated) +
              " LUFS");
    return {{"outputs", {{"mix", output}, {"mix_manifest", report_path}}}, {"mix", report}};
}

}  // namespace dubhost::ffmpeg
