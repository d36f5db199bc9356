// The pocketsphinx ASR backend: decodes speech_16k.wav in-process, cuts utterances where the
// decoder's voice activity detection hears silence, splits long ones at pauses, and writes a
// subtitle track (the host stores it) plus the raw recogniser output.
#include "segmenter.hpp"

#include <dubhost/plugin.hpp>
#include <pocketsphinx.h>

#include "dubhost_manifest.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

namespace {

namespace fs = std::filesystem;
using dubhost::asr::TimedWord;
using dubhost::sdk::CallError;
using dubhost::sdk::json;

constexpr int sample_rate = 16000;
constexpr int frames_per_second = 100;  // pocketsphinx's default frame rate

struct ConfigFree {
    void operator()(cmd_ln_t *config) const { cmd_ln_free_r(config); }
};
struct DecoderFree {
    void operator()(ps_decoder_t *decoder) const { ps_free(decoder); }
};

struct ModelPaths {
    std::string hmm, lm, dict;
};

ModelPaths model_paths(const json &params) {
    return {params.value("hmm", std::string("/usr/share/pocketsphinx/model/en-us/en-us")),
            params.value("lm", std::string("/usr/share/pocketsphinx/model/en-us/en-us.lm.bin")),
            params.value("dict", std::string("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"))};
}

std::vector<std::string> missing_model_files(const ModelPaths &paths) {
    std::vector<std::string> missing;
    std::error_code error;
    if (!fs::is_directory(paths.hmm, error)) missing.push_back(paths.hmm);
    if (!fs::is_regular_file(paths.lm, error)) missing.push_back(paths.lm);
    if (!fs::is_regular_file(paths.dict, error)) missing.push_back(paths.dict);
    return missing;
}

struct Utterance {
    std::int64_t start_ms = 0;
    std::string hypothesis;
    std::int32_t score = 0;
    std::vector<TimedWord> words;
};

class Recogniser {
public:
    explicit Recogniser(const ModelPaths &paths) {
        config_.reset(cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", paths.hmm.c_str(), "-lm", paths.lm.c_str(), "-dict",
                                  paths.dict.c_str(), "-logfn", "/dev/null", nullptr));
        if (!config_)
            throw CallError(DUBHOST_STATUS_ERROR, "bad-model", "pocketsphinx rejected its configuration",
                            "check the model paths");
        decoder_.reset(ps_init(config_.get()));
        if (!decoder_)
            throw CallError(DUBHOST_STATUS_ERROR, "bad-model", "pocketsphinx could not load its model from " + paths.hmm,
                            "reinstall the model: apt-get install --reinstall pocketsphinx-en-us");
    }

    // Feeds the whole recording in 100 ms blocks, ending an utterance at each speech->silence turn.
    std::vector<Utterance> decode(const std::vector<std::int16_t> &samples, const dubhost::sdk::Host &host) {
        std::vector<Utterance> utterances;
        constexpr std::size_t block = sample_rate / 10;
        bool in_utterance = false, heard_speech = false;
        std::size_t utterance_start = 0;
        for (std::size_t offset = 0; offset < samples.size(); offset += block) {
            if (offset % (block * 50) == 0) {
                host.throw_if_cancelled();
                host.progress(static_cast<double>(offset) / static_cast<double>(samples.size()), "recognising speech");
            }
            if (!in_utterance) {
                ps_start_utt(decoder_.get());
                in_utterance = true;
                heard_speech = false;
                utterance_start = offset;
            }
            const std::size_t count = std::min(block, samples.size() - offset);
            ps_process_raw(decoder_.get(), samples.data() + offset, count, FALSE, FALSE);
            const bool speech = ps_get_in_speech(decoder_.get()) != 0;
            if (speech) heard_speech = true;
            if (!speech && heard_speech) {
                finish(utterance_start, utterances);
                in_utterance = false;
            }
        }
        if (in_utterance) finish(utterance_start, utterances);
        return utterances;
    }

private:
    void finish(std::size_t start_sample, std::vector<Utterance> &out) {
        ps_end_utt(decoder_.get());
        Utterance utterance;
        utterance.start_ms = static_cast<std::int64_t>(start_sample) * 1000 / sample_rate;
        const char *hypothesis = ps_get_hyp(decoder_.get(), &utterance.score);
        if (!hypothesis || !*hypothesis) return;
        utterance.hypothesis = hypothesis;
        for (ps_seg_t *segment = ps_seg_iter(decoder_.get()); segment; segment = ps_seg_next(segment)) {
            const std::string token = ps_seg_word(segment);
            if (dubhost::asr::is_filler(token)) continue;
            int first = 0, last = 0;
            ps_seg_frames(segment, &first, &last);
            utterance.words.push_back({dubhost::asr::clean_word(token), utterance.start_ms + first * 1000 / frames_per_second,
                                       utterance.start_ms + (last + 1) * 1000 / frames_per_second});
        }
        if (!utterance.words.empty()) out.push_back(std::move(utterance));
    }

    std::unique_ptr<cmd_ln_t, ConfigFree> config_;
    std::unique_ptr<ps_decoder_t, DecoderFree> decoder_;
};

class PocketsphinxBackend : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &request) override {
        const auto missing = missing_model_files(model_paths(request.value("params", json::object())));
        if (!missing.empty())
            return {{"installed", false},
                    {"version", "pocketsphinx 5prealpha"},
                    {"missing", missing},
                    {"notes", {"install pocketsphinx-en-us: apt-get install pocketsphinx-en-us"}}};
        return {{"installed", true},
                {"version", "pocketsphinx 5prealpha"},
                {"missing", json::array()},
                {"disk_bytes", 0},
                {"notes", {"English (en-us) model from Debian's pocketsphinx-en-us"}}};
    }

    json run(const dubhost::sdk::Host &host, const json &job) override {
        const json params = job.value("params", json::object());
        const ModelPaths paths = model_paths(params);
        if (const auto missing = missing_model_files(paths); !missing.empty())
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "not-installed",
                            "the pocketsphinx model is missing: " + missing.front(),
                            "install pocketsphinx-en-us: apt-get install pocketsphinx-en-us");
        const std::int64_t max_ms = params.value("max_segment_ms", 8000);
        if (max_ms < 1000 || max_ms > 60000)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "max_segment_ms must be between 1000 and 60000",
                            "pass --param max_segment_ms=8000");
        const auto samples = dubhost::sdk::read_wav_pcm16(job.at("inputs").at("speech").get<std::string>(), sample_rate, 1);
        Recogniser recogniser(paths);
        const auto utterances = recogniser.decode(samples, host);

        json segments = json::array(), raw = json::array();
        std::int64_t next_id = 1;
        for (const auto &utterance : utterances) {
            json words = json::array();
            for (const auto &word : utterance.words)
                words.push_back({{"word", word.word}, {"start", word.start_ms}, {"end", word.end_ms}});
            raw.push_back({{"start", utterance.start_ms},
                           {"hypothesis", utterance.hypothesis},
                           {"score", utterance.score},
                           {"words", words}});
            for (const auto &segment : dubhost::asr::split_utterance(utterance.words, max_ms))
                segments.push_back({{"id", next_id++},
                                    {"start", segment.start_ms},
                                    {"end", segment.end_ms},
                                    {"text", segment.text},
                                    {"speaker", nullptr}});
        }
        const fs::path dir = job.at("outputs").at("dir").get<std::string>();
        fs::create_directories(dir);
        const std::string language = params.value("language", std::string("en"));
        dubhost::sdk::write_file_atomically(dir / "raw.json", json{{"backend", "pocketsphinx"}, {"utterances", raw}}.dump(2));
        dubhost::sdk::write_file_atomically(
            dir / "track.json",
            json{{"kind", "source"}, {"language", language}, {"created_by", "asr:pocketsphinx"}, {"segments", segments}}.dump(2));
        host.info("recognised " + std::to_string(segments.size()) + " segments in " + std::to_string(utterances.size()) +
                  " utterances");
        return {{"outputs", {{"track", (dir / "track.json").string()}, {"raw", (dir / "raw.json").string()}}},
                {"segments", segments.size()}};
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<PocketsphinxBackend>("pocketsphinx"))
