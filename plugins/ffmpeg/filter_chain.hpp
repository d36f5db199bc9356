// A libavfilter chain over interleaved float audio: push samples in, pull filtered samples out.
// Used for tempo changes (atempo), loudness measurement (ebur128) and normalisation (loudnorm).
#pragma once

#include "av_handles.hpp"

#include <map>
#include <string>
#include <vector>

namespace dubhost::ffmpeg {

class FilterChain {
public:
    // `filters` is a libavfilter chain description built by the plugin from numbers only (never
    // from user text). Input and output are interleaved float at the given rate and channels.
    FilterChain(const std::string &filters, int sample_rate, int channels);

    void push(const float *samples, std::size_t frames);
    void finish();  // signals the end of input; pull() then drains what the filters hold
    // Appends everything available now to `out`; returns false once the chain is drained.
    bool pull(std::vector<float> &out);

    // Frame metadata most recently seen at the output (e.g. "lavfi.r128.I"), as text.
    const std::map<std::string, std::string> &metadata() const { return metadata_; }
    double metadata_number(const std::string &key, double fallback) const;

private:
    FilterGraph graph_;
    AVFilterContext *source_ = nullptr;
    AVFilterContext *sink_ = nullptr;
    int sample_rate_;
    int channels_;
    std::int64_t next_pts_ = 0;
    Frame frame_ = make_frame();
    std::map<std::string, std::string> metadata_;
    bool drained_ = false;
};

}  // namespace dubhost::ffmpeg
