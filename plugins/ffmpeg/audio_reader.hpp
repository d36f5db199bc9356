// Decoding one audio stream of any file FFmpeg reads into interleaved float samples at a chosen
// rate and channel count, pulled in blocks so memory stays flat for any duration.
// Used by extract (two readers' worth of output from one decode), mix (background, segments) and mux.
#pragma once

#include "av_handles.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace dubhost::ffmpeg {

// Decodes native frames of one audio stream.
class AudioDecoder {
public:
    // `audio_stream` counts audio streams only (0 = the first); -1 picks FFmpeg's best stream.
    AudioDecoder(const std::string &path, int audio_stream = -1);

    // The next decoded frame, or nullptr at the end. Damaged packets are skipped; audio that does
    // not decode at all throws.
    const AVFrame *next_frame();

    const AVCodecContext &codec() const { return *codec_; }
    const AVStream &stream() const { return *input_->streams[stream_index_]; }
    // The stream's (or else the container's) duration in seconds; 0 when unknown.
    double declared_duration_seconds() const;
    const std::string &path() const { return path_; }

private:
    std::string path_;
    InputFormat input_;
    CodecContext codec_;
    int stream_index_ = -1;
    Packet packet_ = make_packet();
    Frame frame_ = make_frame();
    bool input_done_ = false;
    bool decoder_done_ = false;
    int damaged_packets_ = 0;
    int good_frames_ = 0;
};

// Converts decoded frames to interleaved float at a fixed rate and channel count.
class AudioConverter {
public:
    AudioConverter(const AVCodecContext &input, int sample_rate, int channels);
    // Appends the converted samples of `frame` (nullptr flushes what the resampler holds).
    void convert(const AVFrame *frame, std::vector<float> &out);

private:
    Resampler resampler_;
    int input_rate_;
    int output_rate_;
    int channels_;
};

// A pull interface: read(n) gives the next n frames (fewer only at the end of the stream).
class AudioReader {
public:
    AudioReader(const std::string &path, int sample_rate, int channels, int audio_stream = -1);
    std::size_t read(float *destination, std::size_t frames);
    std::size_t frames_read() const { return frames_read_; }
    const AudioDecoder &decoder() const { return decoder_; }

private:
    bool refill();

    AudioDecoder decoder_;
    AudioConverter converter_;
    int channels_;
    std::vector<float> pending_;
    std::size_t pending_offset_ = 0;
    bool finished_ = false;
    std::size_t frames_read_ = 0;
};

}  // namespace dubhost::ffmpeg
