// RAII owners for FFmpeg handles and the one place FFmpeg error codes become user-facing errors.
// Used by every source file of the FFmpeg plugin.
#pragma once

#include <cstdint>  // before the FFmpeg headers: libavfilter needs the fixed-width types in C++

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
}

#include <dubhost/plugin.hpp>

#include <memory>
#include <string>

namespace dubhost::ffmpeg {

struct InputFormatCloser {
    void operator()(AVFormatContext *context) const { avformat_close_input(&context); }
};
struct OutputFormatCloser {
    void operator()(AVFormatContext *context) const {
        if (context && context->pb && !(context->oformat->flags & AVFMT_NOFILE)) avio_closep(&context->pb);
        avformat_free_context(context);
    }
};
struct CodecContextFreer {
    void operator()(AVCodecContext *context) const { avcodec_free_context(&context); }
};
struct FrameFreer {
    void operator()(AVFrame *frame) const { av_frame_free(&frame); }
};
struct PacketFreer {
    void operator()(AVPacket *packet) const { av_packet_free(&packet); }
};
struct ResamplerFreer {
    void operator()(SwrContext *context) const { swr_free(&context); }
};
struct FilterGraphFreer {
    void operator()(AVFilterGraph *graph) const { avfilter_graph_free(&graph); }
};
struct AudioFifoFreer {
    void operator()(AVAudioFifo *fifo) const { av_audio_fifo_free(fifo); }
};

using InputFormat = std::unique_ptr<AVFormatContext, InputFormatCloser>;
using OutputFormat = std::unique_ptr<AVFormatContext, OutputFormatCloser>;
using CodecContext = std::unique_ptr<AVCodecContext, CodecContextFreer>;
using Frame = std::unique_ptr<AVFrame, FrameFreer>;
using Packet = std::unique_ptr<AVPacket, PacketFreer>;
using Resampler = std::unique_ptr<SwrContext, ResamplerFreer>;
using FilterGraph = std::unique_ptr<AVFilterGraph, FilterGraphFreer>;
using AudioFifo = std::unique_ptr<AVAudioFifo, AudioFifoFreer>;

Frame make_frame();
Packet make_packet();

// FFmpeg's text for an error code.
std::string av_error_text(int code);

// Throws a CallError "<what> <file>: <FFmpeg's reason>" with `hint` when `code` < 0.
int check(int code, const std::string &what, const std::string &hint = {});

// Opens a media file for reading and reads its stream info. Every way a user's file can be wrong
// (missing, empty, not media, truncated) becomes a CallError that names the file and the problem.
InputFormat open_media(const std::string &path);

}  // namespace dubhost::ffmpeg
