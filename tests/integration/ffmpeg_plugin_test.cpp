// The FFmpeg plugin loaded through the host's registry, run on real recordings (see
// docs/reference/test-media.md), and its outputs checked by reading them back with libavformat.
#include "dubhost/host/backend_call.hpp"
#include <dubhost/support/process.hpp>
#include "dubhost/host/plugin_registry.hpp"
#include "dubhost/host/sha256.hpp"

#include "audio_reader.hpp"
#include "filter_chain.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <numeric>

namespace fs = std::filesystem;
using namespace dubhost;
using dubhost::test::TempDir;
using nlohmann::json;

namespace {

const fs::path plugin_dir = DUBHOST_PLUGIN_DIR;
const std::string sample_video = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4";
const std::string librivox = "/usr/share/pocketsphinx/test/data/librivox/";
const std::vector<std::string> speech_clips = {librivox + "sense_and_sensibility_01_austen_64kb-0880.wav",   // 2.99 s
                                               librivox + "sense_and_sensibility_01_austen_64kb-0930.wav",   // 3.29 s
                                               librivox + "sense_and_sensibility_01_austen_64kb-0890.wav"};  // 5.30 s

struct Plugin {
    HostServices services{{{"workspace", "/tmp"}}, "dubhost.ffmpeg"};
    PluginRegistry registry = PluginRegistry::discover({{plugin_dir, "test"}}, services);

    CallOutcome run(const std::string &capability, const json &job) {
        const RegisteredBackend *backend = registry.find(capability, "ffmpeg");
        BOOST_TEST_REQUIRE(backend != nullptr, "no " + capability + "/ffmpeg backend in " + plugin_dir.string());
        return call_backend(backend->entry_points(), BackendEntry::run, services, job);
    }
    json run_ok(const std::string &capability, const json &job) {
        const CallOutcome outcome = run(capability, job);
        BOOST_TEST_REQUIRE(outcome.ok(), capability + " failed: " + outcome.document.dump());
        return outcome.document;
    }
};

Plugin &plugin() {
    static Plugin instance;
    return instance;
}

std::vector<float> read_all(const std::string &path, int rate, int channels) {
    ffmpeg::AudioReader reader(path, rate, channels);
    std::vector<float> samples;
    std::vector<float> block(4096 * static_cast<std::size_t>(channels));
    while (std::size_t got = reader.read(block.data(), 4096))
        samples.insert(samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(got * channels));
    return samples;
}

double rms_db(const std::vector<float> &mono, double from_s, double to_s, int rate) {
    const auto a = static_cast<std::size_t>(from_s * rate), b = std::min(mono.size(), static_cast<std::size_t>(to_s * rate));
    double sum = 0;
    for (std::size_t i = a; i < b; ++i) sum += static_cast<double>(mono[i]) * mono[i];
    return 10 * std::log10(sum / static_cast<double>(b - a) + 1e-20);
}

struct Loudness {
    double integrated, true_peak_db;
};

Loudness measure(const std::string &path) {
    ffmpeg::FilterChain meter("ebur128=peak=true:metadata=1", 48000, 2);
    const auto samples = read_all(path, 48000, 2);
    meter.push(samples.data(), samples.size() / 2);
    meter.finish();
    std::vector<float> sink;
    while (meter.pull(sink)) sink.clear();
    return {meter.metadata_number("lavfi.r128.I", -99), 20 * std::log10(meter.metadata_number("lavfi.r128.true_peak", 1e-9))};
}

// The lag (seconds) within ±window at which `clip` best matches `signal` near `expected` seconds.
double best_lag(const std::vector<float> &signal, const std::vector<float> &clip, double expected, int rate,
                double window = 0.2) {
    const std::size_t length = std::min<std::size_t>(clip.size(), static_cast<std::size_t>(rate));  // first second of the clip
    double best = -1e30, best_shift = 0;
    const int range = static_cast<int>(window * rate);
    for (int shift = -range; shift <= range; shift += 4) {
        const long start = static_cast<long>(expected * rate) + shift;
        if (start < 0 || static_cast<std::size_t>(start) + length > signal.size()) continue;
        double dot = 0, energy = 1e-12;
        for (std::size_t i = 0; i < length; i += 2) {
            dot += static_cast<double>(signal[static_cast<std::size_t>(start) + i]) * clip[i];
            energy +=
                static_cast<double>(signal[static_cast<std::size_t>(start) + i]) * signal[static_cast<std::size_t>(start) + i];
        }
        const double score = dot / std::sqrt(energy);
        if (score > best) best = score, best_shift = shift;
    }
    return best_shift / rate;
}

std::vector<float> to_mono(const std::vector<float> &stereo) {
    std::vector<float> mono(stereo.size() / 2);
    for (std::size_t i = 0; i < mono.size(); ++i) mono[i] = 0.5f * (stereo[2 * i] + stereo[2 * i + 1]);
    return mono;
}

void write_stereo_wav(const fs::path &path, const std::vector<float> &stereo) {
    std::string bytes = "RIFF";
    auto put = [&](std::uint32_t v, int n) {
        for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    const auto data = static_cast<std::uint32_t>(stereo.size() * 4);
    put(36 + data, 4);
    bytes += "WAVEfmt ";
    put(16, 4), put(3, 2), put(2, 2), put(48000, 4), put(48000 * 8, 4), put(8, 2), put(32, 2);
    bytes += "data";
    put(data, 4);
    bytes.append(reinterpret_cast<const char *>(stereo.data()), data);
    dubhost::test::write_file(path, bytes);
}

// The reference for "the source's duration": what the ffmpeg program (the peer) decodes from the
// same file. Container headers only estimate it, and Ogg's first packets carry no usable times.
double ffmpeg_program_decoded_seconds(const std::string &path) {
    const auto decoded = run_process(
        {"ffmpeg", "-v", "quiet", "-max_error_rate", "1", "-i", path, "-vn", "-ar", "48000", "-ac", "2", "-f", "f32le", "-"},
        std::chrono::seconds(120));
    BOOST_TEST_REQUIRE(decoded.exit_code == 0);
    return static_cast<double>(decoded.out.size()) / 8 / 48000;
}

json manifest_segment(const std::string &id, const std::string &path, std::int64_t start, std::int64_t end) {
    return {{"segment_id", id}, {"path", path}, {"start", start}, {"end", end}};
}

json mix_job(const TempDir &dir, const std::string &background, const json &segments, const json &params = json::object()) {
    dubhost::test::write_file(dir / "tts" / "manifest.json", json{{"backend", "test"}, {"segments", segments}}.dump());
    return {{"inputs", {{"background", background}, {"tts_manifest", (dir / "tts" / "manifest.json").string()}}},
            {"params", params},
            {"outputs", {{"mix", (dir / "mix.wav").string()}, {"mix_manifest", (dir / "mix.json").string()}}},
            {"work_dir", (dir / "work").string()}};
}

// The sample video's sound track extracted into `dir`, the background of the real-media mixes.
void extract_sample_audio(const TempDir &dir) {
    plugin().run_ok(
        "extract",
        {{"inputs", {{"media", sample_video}}},
         {"outputs", {{"mix_48k", (dir / "mix_48k.wav").string()}, {"speech_16k", (dir / "speech_16k.wav").string()}}}});
}

// Two real speech clips as stand-in dubbed segments over the sample's first seven seconds.
json two_speech_segments() {
    return {manifest_segment("1", speech_clips[0], 300, 3400), manifest_segment("2", speech_clips[1], 4000, 7400)};
}

bool has_partial_files(const fs::path &dir) {
    for (const auto &entry : fs::recursive_directory_iterator(dir))
        if (entry.path().string().find(".part") != std::string::npos) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ffmpeg_plugin)

BOOST_AUTO_TEST_CASE(probe_describes_the_real_sample_video) {
    const json probe = plugin().run_ok("probe", {{"inputs", {{"media", sample_video}}}})["probe"];
    BOOST_TEST(probe["media_kind"] == "video");
    BOOST_TEST(std::abs(probe["duration_ms"].get<int>() - 8340) < 100);
    BOOST_TEST_REQUIRE(probe["streams"].size() == 2u);
    BOOST_TEST(probe["streams"][0]["codec"] == "h264");
    BOOST_TEST(probe["streams"][0]["width"] == 1280);
    BOOST_TEST(std::abs(probe["streams"][0]["frame_rate"].get<double>() - 30.0) < 0.5);
    BOOST_TEST(probe["streams"][1]["codec"] == "aac");
    BOOST_TEST(probe["streams"][1]["channel_layout"] == "stereo");
}

BOOST_AUTO_TEST_CASE(extract_matches_the_source_in_every_container) {
    for (const char *container : {"mp4", "ogg", "avi", "mpeg"}) {
        TempDir dir;
        const std::string source = "/usr/share/forensics-samples/original-files/movie2/movie-hello." + std::string(container);
        const double audio_seconds = ffmpeg_program_decoded_seconds(source);
        const json result = plugin().run_ok("extract", {{"inputs", {{"media", source}}},
                                                        {"outputs",
                                                         {{"mix_48k", (dir / "audio" / "mix_48k.wav").string()},
                                                          {"speech_16k", (dir / "audio" / "speech_16k.wav").string()}}}});
        const auto mix = read_all((dir / "audio" / "mix_48k.wav").string(), 48000, 2);
        const auto speech = read_all((dir / "audio" / "speech_16k.wav").string(), 16000, 1);
        const double mix_seconds = static_cast<double>(mix.size()) / 2 / 48000,
                     speech_seconds = static_cast<double>(speech.size()) / 16000;
        BOOST_TEST_INFO(container << ": source audio " << audio_seconds << " s, mix " << mix_seconds << " s, speech "
                                  << speech_seconds << " s");
        BOOST_TEST(std::abs(mix_seconds - audio_seconds) <= 1.0 / 30);  // within one video frame
        BOOST_TEST(std::abs(speech_seconds - mix_seconds) <= 0.005);
        BOOST_TEST(rms_db(to_mono(mix), 0, mix_seconds, 48000) > -50);  // real sound, not silence
        ffmpeg::AudioDecoder check_mix((dir / "audio" / "mix_48k.wav").string());
        BOOST_TEST(check_mix.codec().sample_rate == 48000);
        BOOST_TEST(check_mix.codec().ch_layout.nb_channels == 2);
        ffmpeg::AudioDecoder check_speech((dir / "audio" / "speech_16k.wav").string());
        BOOST_TEST(check_speech.codec().sample_rate == 16000);
        BOOST_TEST(check_speech.codec().ch_layout.nb_channels == 1);
        BOOST_TEST(std::string(avcodec_get_name(check_speech.codec().codec_id)) == "pcm_s16le");
        BOOST_TEST(!has_partial_files(dir.path()));
    }
}

BOOST_AUTO_TEST_CASE(extract_refuses_bad_input_and_leaves_nothing) {
    TempDir dir;
    // A video-only copy, a truncated copy (first 10%), a text file, an empty file, a vanished file.
    const auto made =
        run_process({"ffmpeg", "-v", "error", "-y", "-i", sample_video, "-an", "-c:v", "copy", (dir / "noaudio.mp4").string()},
                    std::chrono::seconds(60));
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    const std::string whole = dubhost::test::read_file(sample_video);
    dubhost::test::write_file(dir / "truncated.mp4", whole.substr(0, whole.size() / 10));
    dubhost::test::write_file(dir / "notes.mp4", "this is text, not a video\n");
    dubhost::test::write_file(dir / "empty.mp4", "");
    const std::map<std::string, std::string> expected = {{"noaudio.mp4", "no-audio-stream"},
                                                         {"truncated.mp4", ""},
                                                         {"notes.mp4", "not-media"},
                                                         {"empty.mp4", "empty-input"},
                                                         {"vanished.mp4", "missing-input"}};
    for (const auto &[name, code] : expected) {
        const fs::path out = dir / ("out-" + name);
        const auto outcome = plugin().run(
            "extract",
            {{"inputs", {{"media", (dir / name).string()}}},
             {"outputs", {{"mix_48k", (out / "mix_48k.wav").string()}, {"speech_16k", (out / "speech_16k.wav").string()}}}});
        BOOST_TEST_INFO(name << ": " << outcome.document.dump());
        BOOST_TEST(outcome.status == DUBHOST_STATUS_BAD_REQUEST);
        if (!code.empty()) BOOST_TEST(outcome.document["code"] == code);
        BOOST_TEST(outcome.error_message().find(name) != std::string::npos);
        BOOST_TEST(!outcome.error_hint().empty());
        BOOST_TEST(!fs::exists(out / "mix_48k.wav"));
        BOOST_TEST(!fs::exists(out / "speech_16k.wav"));
    }
    BOOST_TEST(!has_partial_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(mix_places_every_segment_on_time) {
    TempDir dir;
    write_stereo_wav(dir / "silence.wav", std::vector<float>(48000 * 2 * 14, 0.0f));
    const std::vector<double> starts = {0.5, 4.0, 8.0};
    json segments = json::array();
    for (std::size_t i = 0; i < speech_clips.size(); ++i) {
        const auto start = static_cast<std::int64_t>(starts[i] * 1000);
        segments.push_back(manifest_segment(std::to_string(i + 1), speech_clips[i], start, start + 6000));
    }
    const json result = plugin().run_ok("mix", mix_job(dir, (dir / "silence.wav").string(), segments));
    const auto mixed = to_mono(read_all((dir / "mix.wav").string(), 48000, 2));
    for (std::size_t i = 0; i < speech_clips.size(); ++i) {
        const auto clip = read_all(speech_clips[i], 48000, 1);
        const double lag = best_lag(mixed, clip, starts[i], 48000);
        BOOST_TEST_INFO("segment " << i + 1 << " lag " << lag * 1000 << " ms");
        BOOST_TEST(std::abs(lag) <= 0.020);
    }
    BOOST_TEST(result["mix"]["segments"].size() == 3u);
    BOOST_TEST(fs::exists(dir / "mix.json"));
    BOOST_TEST(!fs::exists(dir / "work" / "mix.pass1.wav"));
}

BOOST_AUTO_TEST_CASE(mix_fits_long_segments_and_records_what_it_did) {
    TempDir dir;
    write_stereo_wav(dir / "silence.wav", std::vector<float>(48000 * 2 * 12, 0.0f));
    write_stereo_wav(dir / "quiet-voice.wav", std::vector<float>(48000 * 2, 0.0f));
    const json segments = {manifest_segment("stretch", speech_clips[2], 0, 4500),     // 5.30 s into 4.5 s: tempo only
                           manifest_segment("overrun", speech_clips[2], 5000, 7000),  // 5.30 s into 2 s: runs into the gap
                           manifest_segment("cut", speech_clips[1], 9000, 10000),     // 3.29 s into 1 s before the next
                           manifest_segment("next", (dir / "quiet-voice.wav").string(), 10500, 11500)};
    const json report = plugin().run_ok("mix", mix_job(dir, (dir / "silence.wav").string(), segments))["mix"];
    std::map<std::string, json> by_id;
    for (const auto &segment : report["segments"]) by_id[segment["segment_id"]] = segment;
    BOOST_TEST(by_id["stretch"]["action"] == "stretched");
    BOOST_TEST(std::abs(by_id["stretch"]["tempo"].get<double>() - 5300.0 / 4500) < 0.01);
    BOOST_TEST(by_id["overrun"]["action"] == "overrun");
    BOOST_TEST(by_id["overrun"]["tempo"] == 1.35);
    BOOST_TEST(by_id["overrun"]["place_end"].get<int>() <= 9000);
    BOOST_TEST(by_id["cut"]["action"] == "truncated");
    BOOST_TEST(by_id["cut"]["place_end"] == 10500);
    BOOST_TEST(by_id["cut"]["truncated_ms"].get<int>() > 0);
    // Nothing of "cut" may sound inside "next" (a silent voice here): speech before 10.5 s, silence after.
    const auto mixed = to_mono(read_all((dir / "mix.wav").string(), 48000, 2));
    BOOST_TEST(rms_db(mixed, 10.2, 10.4, 48000) > -40);
    BOOST_TEST(rms_db(mixed, 10.5, 11.5, 48000) < -80);
}

BOOST_AUTO_TEST_CASE(mix_ducks_the_background_under_speech) {
    for (const double duck : {-12.0, 0.0}) {
        TempDir dir;
        std::vector<float> tone(48000 * 2 * 10);
        for (std::size_t i = 0; i < tone.size() / 2; ++i)
            tone[2 * i] = tone[2 * i + 1] =
                0.1f * static_cast<float>(std::sin(2 * M_PI * 300.0 * static_cast<double>(i) / 48000));
        write_stereo_wav(dir / "tone.wav", tone);
        write_stereo_wav(dir / "quiet-voice.wav",
                         std::vector<float>(48000 * 2 * 2, 0.0f));  // a silent "voice": only ducking shows
        const json segments = {manifest_segment("1", (dir / "quiet-voice.wav").string(), 4000, 6000)};
        plugin().run_ok("mix", mix_job(dir, (dir / "tone.wav").string(), segments, {{"duck_db", duck}}));
        const auto mixed = to_mono(read_all((dir / "mix.wav").string(), 48000, 2));
        const double depth = rms_db(mixed, 4.5, 5.5, 48000) - rms_db(mixed, 1.0, 3.0, 48000);
        BOOST_TEST_INFO("duck " << duck << " dB: measured " << depth << " dB");
        BOOST_TEST(std::abs(depth - duck) < 1.0);
        // The ramps: no step between neighbouring 1 ms windows larger than 1.5 dB (no clicks).
        double worst = 0;
        for (double t = 3.5; t < 6.5; t += 0.001)
            worst = std::max(worst, std::abs(rms_db(mixed, t + 0.001, t + 0.002 + 0.0033, 48000) -
                                             rms_db(mixed, t, t + 0.0033 + 0.001, 48000)));
        BOOST_TEST(worst < 1.5);
    }
}

BOOST_AUTO_TEST_CASE(mix_of_real_media_meets_the_loudness_target) {
    TempDir dir;
    extract_sample_audio(dir);
    const json segments = two_speech_segments();
    for (const double target : {-16.0, -23.0}) {
        const json report = plugin().run_ok("mix", mix_job(dir, (dir / "mix_48k.wav").string(), segments,
                                                           {{"background", "original"}, {"target_lufs", target}}))["mix"];
        const Loudness loudness = measure((dir / "mix.wav").string());
        BOOST_TEST_INFO("target " << target << ": measured " << loudness.integrated << " LUFS, " << loudness.true_peak_db
                                  << " dBTP, mode " << report["loudness"]["mode"]);
        BOOST_TEST(std::abs(loudness.integrated - target) < 1.0);
        BOOST_TEST(loudness.true_peak_db <= -1.0 + 0.3);
    }
}

BOOST_AUTO_TEST_CASE(mix_refuses_bad_parameters_and_missing_inputs) {
    TempDir dir;
    write_stereo_wav(dir / "silence.wav", std::vector<float>(48000 * 2, 0.0f));
    const json segments = {manifest_segment("1", speech_clips[0], 0, 1000)};
    const auto original_off = plugin().run(
        "mix", mix_job(dir, (dir / "silence.wav").string(), segments, {{"background", "original"}, {"duck_db", "off"}}));
    BOOST_TEST(original_off.status == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(original_off.error_hint().find("dubhost run separate") != std::string::npos);
    BOOST_TEST(plugin().run("mix", mix_job(dir, (dir / "silence.wav").string(), segments, {{"max_tempo", "fast"}})).status ==
               DUBHOST_STATUS_BAD_REQUEST);
    json missing = mix_job(dir, (dir / "silence.wav").string(), segments);
    missing["inputs"]["tts_manifest"] = (dir / "nope.json").string();
    const auto no_manifest = plugin().run("mix", missing);
    BOOST_TEST(no_manifest.error_hint().find("dubhost run tts") != std::string::npos);
    BOOST_TEST(!fs::exists(dir / "mix.wav"));
}

BOOST_AUTO_TEST_CASE(cancelling_a_mix_leaves_no_files) {
    TempDir dir;
    write_stereo_wav(dir / "silence.wav", std::vector<float>(48000 * 2 * 5, 0.0f));
    HostServices cancelled({}, "test");
    cancelled.request_cancel();
    const RegisteredBackend *mix = plugin().registry.find("mix", "ffmpeg");
    const auto outcome = call_backend(
        mix->entry_points(), BackendEntry::run, cancelled,
        mix_job(dir, (dir / "silence.wav").string(), json::array({manifest_segment("1", speech_clips[0], 0, 3000)})));
    BOOST_TEST(outcome.status == DUBHOST_STATUS_CANCELLED);
    BOOST_TEST(!fs::exists(dir / "mix.wav"));
    BOOST_TEST(!has_partial_files(dir.path()));
    BOOST_TEST(!fs::exists(dir / "work" / "mix.pass1.wav"));
}

namespace {

struct StreamInfo {
    std::string type, codec, title, language;
    bool is_default = false;
    double seconds = 0;
    std::vector<std::string> packet_hashes;  // video only
    std::vector<std::string> texts;          // subtitles only: the first packets' payload
};

std::vector<StreamInfo> read_streams(const std::string &path) {
    AVFormatContext *raw = nullptr;
    BOOST_TEST_REQUIRE(avformat_open_input(&raw, path.c_str(), nullptr, nullptr) == 0);
    ffmpeg::InputFormat input(raw);
    BOOST_TEST_REQUIRE(avformat_find_stream_info(input.get(), nullptr) >= 0);
    std::vector<StreamInfo> streams(input->nb_streams);
    std::vector<std::int64_t> last_end(input->nb_streams, 0);
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        const AVStream &stream = *input->streams[i];
        const char *type = av_get_media_type_string(stream.codecpar->codec_type);
        streams[i].type = type ? type : "data";
        streams[i].codec = avcodec_get_name(stream.codecpar->codec_id);
        if (auto *t = av_dict_get(stream.metadata, "title", nullptr, 0))
            streams[i].title = t->value;
        else if (auto *h = av_dict_get(stream.metadata, "handler_name", nullptr, 0))
            streams[i].title = h->value;  // MP4
        if (auto *l = av_dict_get(stream.metadata, "language", nullptr, 0)) streams[i].language = l->value;
        streams[i].is_default = stream.disposition & AV_DISPOSITION_DEFAULT;
    }
    ffmpeg::Packet packet = ffmpeg::make_packet();
    while (av_read_frame(input.get(), packet.get()) >= 0) {
        StreamInfo &info = streams[static_cast<std::size_t>(packet->stream_index)];
        const AVStream &stream = *input->streams[packet->stream_index];
        const std::int64_t end = (packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts) + packet->duration;
        last_end[static_cast<std::size_t>(packet->stream_index)] =
            std::max(last_end[static_cast<std::size_t>(packet->stream_index)], end);
        info.seconds = static_cast<double>(last_end[static_cast<std::size_t>(packet->stream_index)] -
                                           (stream.start_time != AV_NOPTS_VALUE ? stream.start_time : 0)) *
                       av_q2d(stream.time_base);
        if (info.type == "video")
            info.packet_hashes.push_back(sha256_hex(
                std::string_view(reinterpret_cast<const char *>(packet->data), static_cast<std::size_t>(packet->size))));
        if (info.type == "subtitle")
            info.texts.emplace_back(reinterpret_cast<const char *>(packet->data), static_cast<std::size_t>(packet->size));
        av_packet_unref(packet.get());
    }
    return streams;
}

const std::string tricky_text = R"(It's 3:45, [really]; a\b, ok)";

json mux_job(const TempDir &dir, const std::string &video, const std::string &dub, const std::string &output,
             const json &params) {
    const json track = {
        {"language", "en"},
        {"segments",
         {{{"start", 500}, {"end", 2500}, {"text", tricky_text}}, {{"start", 3000}, {"end", 4000}, {"text", "Two\nlines"}}}}};
    return {{"inputs", {{"video", video}, {"dub_audio", dub}, {"subtitles", {track}}}},
            {"params", params},
            {"outputs", {{"video", output}}},
            {"work_dir", (dir / "work").string()}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(whole_chain_on_real_media_extract_mix_mux) {
    TempDir dir;
    extract_sample_audio(dir);
    const json segments = two_speech_segments();
    plugin().run_ok("mix", mix_job(dir, (dir / "mix_48k.wav").string(), segments, {{"background", "original"}}));
    const auto source = read_streams(sample_video);
    for (const char *container : {"mp4", "mkv"}) {
        const std::string output = (dir / ("dub." + std::string(container))).string();
        plugin().run_ok("mux", mux_job(dir, sample_video, (dir / "mix.wav").string(), output,
                                       {{"dub_language", "en"}, {"container", container}}));
        const auto streams = read_streams(output);
        BOOST_TEST_INFO(container);
        BOOST_TEST_REQUIRE(streams.size() == 4u);
        BOOST_TEST(streams[0].type == "video");
        BOOST_TEST(streams[0].codec == "h264");
        BOOST_TEST((streams[0].packet_hashes == source[0].packet_hashes));  // copied, not re-encoded
        BOOST_TEST(streams[1].codec == "aac");
        BOOST_TEST(streams[1].title == "Dub (en)");
        BOOST_TEST(streams[1].language == "eng");
        BOOST_TEST(streams[1].is_default);
        BOOST_TEST(streams[2].codec == "aac");
        BOOST_TEST(streams[2].title == "Original");
        BOOST_TEST(!streams[2].is_default);
        BOOST_TEST(streams[3].codec == (std::string(container) == "mp4" ? "mov_text" : "subrip"));
        BOOST_TEST(std::abs(streams[1].seconds - streams[0].seconds) <= 1.0 / 30 + 0.001,
                   streams[1].seconds << " vs " << streams[0].seconds);
        // MP4 fills gaps between cues with empty samples; the cue itself must carry the text verbatim.
        BOOST_TEST(std::any_of(streams[3].texts.begin(), streams[3].texts.end(),
                               [](const std::string &text) { return text.find(tricky_text) != std::string::npos; }));
    }
    BOOST_TEST(!has_partial_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(mux_writes_every_subtitle_track_with_its_language) {
    TempDir dir;
    write_stereo_wav(dir / "dub.wav", std::vector<float>(48000 * 2 * 6, 0.0f));
    json job = mux_job(dir, sample_video, (dir / "dub.wav").string(), (dir / "two.mkv").string(), {{"container", "mkv"}});
    job["inputs"]["subtitles"].push_back(
        {{"language", "es"},
         {"segments", {{{"start", 600}, {"end", 2400}, {"text", "Uno"}}, {{"start", 3100}, {"end", 3900}, {"text", "Dos"}}}}});
    plugin().run_ok("mux", job);
    const auto streams = read_streams((dir / "two.mkv").string());
    BOOST_TEST_REQUIRE(streams.size() == 5u);
    BOOST_TEST(streams[3].type == "subtitle");
    BOOST_TEST(streams[3].language == "eng");
    BOOST_TEST(streams[3].title == "Subtitles (en)");
    BOOST_TEST(streams[4].type == "subtitle");
    BOOST_TEST(streams[4].language == "spa");
    BOOST_TEST((streams[4].texts == std::vector<std::string>{"Uno", "Dos"}));
    BOOST_TEST(!has_partial_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(mux_writes_the_dub_alone_in_every_audio_container_at_the_mix_loudness) {
    TempDir dir;
    extract_sample_audio(dir);
    plugin().run_ok("mix", mix_job(dir, (dir / "mix_48k.wav").string(), two_speech_segments(), {{"background", "original"}}));
    const Loudness mixed = measure((dir / "mix.wav").string());
    const std::map<std::string, std::string> codec_of = {{"m4a", "aac"},    {"wav", "pcm_s16le"}, {"flac", "flac"},
                                                         {"ogg", "vorbis"}, {"opus", "opus"},     {"mp3", "mp3"}};
    // What the status says this FFmpeg writes (Debian's has every encoder), before a job is given.
    const RegisteredBackend *mux = plugin().registry.find("mux", "ffmpeg");
    BOOST_TEST_REQUIRE(mux != nullptr);
    const CallOutcome status = call_backend(mux->entry_points(), BackendEntry::status, plugin().services, json::object());
    BOOST_TEST((status.document["containers"] == json{"mp4", "mkv", "m4a", "wav", "flac", "ogg", "opus", "mp3"}),
               status.document.dump());
    for (const auto &[container, codec] : codec_of) {
        BOOST_TEST_CONTEXT(container) {
            // An audio-only input (the sample's sound track) and the sample video both give the dub alone.
            for (const std::string &input : {(dir / "mix_48k.wav").string(), sample_video}) {
                const std::string output = (dir / ("dub." + container)).string();
                const json answer =
                    plugin().run_ok("mux", mux_job(dir, input, (dir / "mix.wav").string(), output, {{"container", container}}));
                BOOST_TEST(answer["container"] == container);
                BOOST_TEST(answer["tracks"]["video"] == "none");
                const auto streams = read_streams(output);
                BOOST_TEST_REQUIRE(streams.size() == 1u);
                BOOST_TEST(streams[0].codec == codec);
                // As long as the input plays (encoder padding aside), at the mix's loudness.
                const double expected =
                    input == sample_video ? read_streams(sample_video)[0].seconds : ffmpeg_program_decoded_seconds(input);
                BOOST_TEST(std::abs(ffmpeg_program_decoded_seconds(output) - expected) < 0.06,
                           ffmpeg_program_decoded_seconds(output) << " s vs " << expected << " s");
                const Loudness written = measure(output);
                BOOST_TEST(std::abs(written.integrated - mixed.integrated) < 0.5,
                           written.integrated << " LUFS vs the mix's " << mixed.integrated);
            }
        }
    }
    BOOST_TEST(!has_partial_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(a_mix_with_no_background_is_the_speech_alone_at_the_target_loudness) {
    TempDir dir;
    const json report = plugin().run_ok("mix", mix_job(dir, "", two_speech_segments(), {{"background", "none"}}))["mix"];
    BOOST_TEST(report["background"].is_null());
    BOOST_TEST(report["background_mode"] == "none");
    // As long as the speech: up to where the second segment ends (4.0 s + its 3.29 s).
    BOOST_TEST(std::abs(report["duration_ms"].get<double>() - 7290) < 60, report["duration_ms"]);
    const auto mono = to_mono(read_all((dir / "mix.wav").string(), 48000, 2));
    BOOST_TEST(rms_db(mono, 3.45, 3.95, 48000) < -80);  // the gap between the segments is silent
    BOOST_TEST(std::abs(measure((dir / "mix.wav").string()).integrated - -16.0) < 1.0);
    const auto refused = plugin().run("mix", mix_job(dir, "", two_speech_segments(), {{"background", "stem"}}));
    BOOST_TEST(refused.document["code"] == "bad-request");  // a stem mix names its background
}

BOOST_AUTO_TEST_CASE(mux_refuses_audio_only_input_and_a_missing_mix) {
    TempDir dir;
    write_stereo_wav(dir / "dub.wav", std::vector<float>(48000 * 2, 0.0f));
    const auto audio_only = plugin().run(
        "mux", mux_job(dir, speech_clips[0], (dir / "dub.wav").string(), (dir / "out.mp4").string(), json::object()));
    BOOST_TEST(audio_only.status == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(audio_only.document["code"] == "no-video-stream");
    BOOST_TEST(audio_only.error_hint().find("container=m4a") != std::string::npos);
    const auto no_mix = plugin().run(
        "mux", mux_job(dir, sample_video, (dir / "missing.wav").string(), (dir / "out.mp4").string(), json::object()));
    BOOST_TEST(no_mix.document["code"] == "missing-input");
    BOOST_TEST(no_mix.error_hint() == "run the mix stage first: `dubhost run mix ITEM`");
    const auto bad = plugin().run(
        "mux", mux_job(dir, sample_video, (dir / "dub.wav").string(), (dir / "out.avi").string(), {{"container", "avi"}}));
    BOOST_TEST(bad.status == DUBHOST_STATUS_BAD_REQUEST);
    BOOST_TEST(!fs::exists(dir / "out.mp4"));
    BOOST_TEST(!has_partial_files(dir.path()));
}

BOOST_AUTO_TEST_SUITE_END()
