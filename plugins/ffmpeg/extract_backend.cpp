#include "audio_reader.hpp"
#include "backends.hpp"
#include "media_probe.hpp"
#include "wav_writer.hpp"

extern "C" {
#include <libavutil/avutil.h>
}

#include <cmath>

namespace dubhost::ffmpeg {

json ffmpeg_status() {
    return {{"installed", true},
            {"version", std::string("FFmpeg ") + av_version_info()},
            {"missing", json::array()},
            {"disk_bytes", 0},
            {"notes", {"built on the FFmpeg libraries (libavformat " LIBAVFORMAT_IDENT ")"}}};
}

std::string job_path(const json &job, const char *group, const char *name) {
    const auto g = job.find(group);
    if (g == job.end() || !g->is_object() || !g->contains(name) || !(*g)[name].is_string() ||
        (*g)[name].get<std::string>().empty())
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-request", std::string("the job has no ") + group + "." + name);
    return (*g)[name].get<std::string>();
}

json ProbeBackend::status(const sdk::Host &, const json &) { return ffmpeg_status(); }

json ProbeBackend::run(const sdk::Host &, const json &job) { return {{"probe", probe_media(job_path(job, "inputs", "media"))}}; }

json ExtractBackend::status(const sdk::Host &, const json &) { return ffmpeg_status(); }

json ExtractBackend::run(const sdk::Host &host, const json &job) {
    const std::string media = job_path(job, "inputs", "media");
    const std::string mix_path = job_path(job, "outputs", "mix_48k");
    const std::string speech_path = job_path(job, "outputs", "speech_16k");
    const json params = job.value("params", json::object());
    const int audio_stream = params.value("audio_stream", -1);

    AudioDecoder decoder(media, audio_stream);
    AudioConverter to_mix(decoder.codec(), 48000, 2);
    AudioConverter to_speech(decoder.codec(), 16000, 1);
    WavWriter mix(mix_path, 48000, 2, WavWriter::Encoding::float32);
    WavWriter speech(speech_path, 16000, 1, WavWriter::Encoding::pcm16);
    const double declared = decoder.declared_duration_seconds();
    std::vector<float> mix_samples, speech_samples;
    std::size_t frames = 0;
    for (;;) {
        const AVFrame *frame = decoder.next_frame();
        mix_samples.clear();
        speech_samples.clear();
        to_mix.convert(frame, mix_samples);
        to_speech.convert(frame, speech_samples);
        mix.write(mix_samples.data(), mix_samples.size() / 2);
        speech.write(speech_samples.data(), speech_samples.size());
        if (!frame) break;
        if (++frames % 64 == 0) {
            host.throw_if_cancelled();
            if (declared > 0)
                host.progress(std::min(1.0, static_cast<double>(mix.frames_written()) / 48000.0 / declared), "decoding audio");
        }
    }
    const double decoded = static_cast<double>(mix.frames_written()) / 48000.0;
    if (decoded <= 0)
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "no-audio", "the audio stream of " + media + " holds no samples",
                             "check that the file has sound");
    // A truncated file ends early; a short tail (encoder delay, last frame) is normal.
    if (declared > 0 && declared - decoded > std::max(0.5, 0.05 * declared))
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "truncated-input",
                             media + " is truncated or damaged: its audio stops at " + std::to_string(decoded) + " s of " +
                                 std::to_string(declared) + " s",
                             "re-export or re-download the complete file, then import it again");
    mix.commit();
    speech.commit();
    const auto &codec = decoder.codec();
    return {{"outputs", {{"mix_48k", mix_path}, {"speech_16k", speech_path}}},
            {"duration_ms", std::llround(decoded * 1000)},
            {"declared_duration_ms", std::llround(declared * 1000)},
            {"source",
             {{"codec", avcodec_get_name(codec.codec_id)},
              {"sample_rate", codec.sample_rate},
              {"channels", codec.ch_layout.nb_channels}}}};
}

}  // namespace dubhost::ffmpeg
