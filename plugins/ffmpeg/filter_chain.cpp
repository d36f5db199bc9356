#include "filter_chain.hpp"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
}

#include <cstring>

namespace dubhost::ffmpeg {
namespace {

std::string layout_name(int channels) {
    AVChannelLayout layout{};
    av_channel_layout_default(&layout, channels);
    char name[64] = {};
    av_channel_layout_describe(&layout, name, sizeof name);
    av_channel_layout_uninit(&layout);
    return name;
}

}  // namespace

FilterChain::FilterChain(const std::string &filters, int sample_rate, int channels)
    : graph_(avfilter_graph_alloc()), sample_rate_(sample_rate), channels_(channels) {
    if (!graph_) throw std::bad_alloc();
    graph_->nb_threads = 1;
    const std::string layout = layout_name(channels);
    const std::string source_args = "sample_rate=" + std::to_string(sample_rate) + ":sample_fmt=flt:channel_layout=" + layout +
                                    ":time_base=1/" + std::to_string(sample_rate);
    check(
        avfilter_graph_create_filter(&source_, avfilter_get_by_name("abuffer"), "in", source_args.c_str(), nullptr, graph_.get()),
        "creating the audio filter input");
    check(avfilter_graph_create_filter(&sink_, avfilter_get_by_name("abuffersink"), "out", nullptr, nullptr, graph_.get()),
          "creating the audio filter output");
    const std::string description =
        filters + ",aformat=sample_fmts=flt:sample_rates=" + std::to_string(sample_rate) + ":channel_layouts=" + layout;
    AVFilterInOut *outputs = avfilter_inout_alloc();
    AVFilterInOut *inputs = avfilter_inout_alloc();
    outputs->name = av_strdup("in");
    outputs->filter_ctx = source_;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = sink_;
    const int parsed = avfilter_graph_parse_ptr(graph_.get(), description.c_str(), &inputs, &outputs, nullptr);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    check(parsed, "building the audio filter chain '" + description + "'");
    check(avfilter_graph_config(graph_.get(), nullptr), "configuring the audio filter chain '" + description + "'");
}

void FilterChain::push(const float *samples, std::size_t frames) {
    if (frames == 0) return;
    Frame frame = make_frame();
    frame->format = AV_SAMPLE_FMT_FLT;
    frame->sample_rate = sample_rate_;
    av_channel_layout_default(&frame->ch_layout, channels_);
    frame->nb_samples = static_cast<int>(frames);
    frame->pts = next_pts_;
    next_pts_ += static_cast<std::int64_t>(frames);
    check(av_frame_get_buffer(frame.get(), 0), "allocating an audio frame");
    std::memcpy(frame->data[0], samples, frames * channels_ * sizeof(float));
    check(av_buffersrc_add_frame_flags(source_, frame.get(), AV_BUFFERSRC_FLAG_KEEP_REF), "feeding the audio filter chain");
}

void FilterChain::finish() { check(av_buffersrc_add_frame_flags(source_, nullptr, 0), "closing the audio filter chain"); }

bool FilterChain::pull(std::vector<float> &out) {
    while (!drained_) {
        const int got = av_buffersink_get_frame(sink_, frame_.get());
        if (got == AVERROR(EAGAIN)) return true;
        if (got == AVERROR_EOF) {
            drained_ = true;
            break;
        }
        check(got, "filtering audio");
        const AVDictionaryEntry *entry = nullptr;
        while ((entry = av_dict_get(frame_->metadata, "", entry, AV_DICT_IGNORE_SUFFIX))) metadata_[entry->key] = entry->value;
        const auto *data = reinterpret_cast<const float *>(frame_->data[0]);
        out.insert(out.end(), data, data + static_cast<std::size_t>(frame_->nb_samples) * channels_);
        av_frame_unref(frame_.get());
    }
    return false;
}

double FilterChain::metadata_number(const std::string &key, double fallback) const {
    const auto found = metadata_.find(key);
    if (found == metadata_.end()) return fallback;
    try {
        return std::stod(found->second);
    } catch (const std::exception &) {
        return fallback;
    }
}

}  // namespace dubhost::ffmpeg
