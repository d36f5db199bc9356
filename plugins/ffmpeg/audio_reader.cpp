#include "audio_reader.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstring>

namespace dubhost::ffmpeg {
namespace {

int find_audio_stream(AVFormatContext &input, int audio_stream, const std::string &path) {
    std::vector<int> audio;
    std::string found;
    for (unsigned i = 0; i < input.nb_streams; ++i) {
        const AVCodecParameters *parameters = input.streams[i]->codecpar;
        if (parameters->codec_type == AVMEDIA_TYPE_AUDIO) audio.push_back(static_cast<int>(i));
        found += (found.empty() ? "" : ", ") +
                 std::string(av_get_media_type_string(parameters->codec_type) ? av_get_media_type_string(parameters->codec_type)
                                                                              : "data") +
                 " (" + avcodec_get_name(parameters->codec_id) + ")";
    }
    if (audio.empty())
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "no-audio-stream",
                             path + " has no audio stream (it has: " + (found.empty() ? "no streams" : found) + ")",
                             "use a file with a sound track");
    if (audio_stream < 0) {
        const int best = av_find_best_stream(&input, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
        return best >= 0 ? best : audio.front();
    }
    if (audio_stream >= static_cast<int>(audio.size()))
        throw sdk::CallError(DUBHOST_STATUS_BAD_REQUEST, "no-such-audio-stream",
                             path + " has " + std::to_string(audio.size()) + " audio stream(s); there is no audio stream " +
                                 std::to_string(audio_stream),
                             "pass an audio stream number from 0 to " + std::to_string(audio.size() - 1));
    return audio[static_cast<std::size_t>(audio_stream)];
}

AVChannelLayout layout_of(const AVCodecContext &codec) {
    AVChannelLayout layout{};
    if (codec.ch_layout.order != AV_CHANNEL_ORDER_UNSPEC && av_channel_layout_check(&codec.ch_layout))
        av_channel_layout_copy(&layout, &codec.ch_layout);
    else
        av_channel_layout_default(&layout, std::max(1, codec.ch_layout.nb_channels));
    return layout;
}

}  // namespace

AudioDecoder::AudioDecoder(const std::string &path, int audio_stream) : path_(path), input_(open_media(path)) {
    stream_index_ = find_audio_stream(*input_, audio_stream, path);
    const AVCodecParameters *parameters = input_->streams[stream_index_]->codecpar;
    const AVCodec *decoder = avcodec_find_decoder(parameters->codec_id);
    if (!decoder)
        throw sdk::CallError(
            DUBHOST_STATUS_ERROR, "no-decoder",
            "this FFmpeg has no decoder for the " + std::string(avcodec_get_name(parameters->codec_id)) + " audio in " + path,
            "convert the file to a common format (AAC, MP3, FLAC, PCM) first");
    codec_.reset(avcodec_alloc_context3(decoder));
    check(avcodec_parameters_to_context(codec_.get(), parameters), "reading the audio parameters of " + path);
    codec_->pkt_timebase = input_->streams[stream_index_]->time_base;
    check(avcodec_open2(codec_.get(), decoder, nullptr), "opening the audio decoder for " + path);
}

double AudioDecoder::declared_duration_seconds() const {
    const AVStream &s = stream();
    if (s.duration > 0) return static_cast<double>(s.duration) * av_q2d(s.time_base);
    if (input_->duration > 0) return static_cast<double>(input_->duration) / AV_TIME_BASE;
    return 0;
}

const AVFrame *AudioDecoder::next_frame() {
    // Damaged packets are skipped, as players do; a file whose audio never decodes is refused, and
    // extract's duration check catches one that stops decoding part way.
    while (!decoder_done_) {
        const int received = avcodec_receive_frame(codec_.get(), frame_.get());
        if (received == 0) {
            ++good_frames_;
            return frame_.get();
        }
        if (received == AVERROR_EOF) {
            decoder_done_ = true;
            break;
        }
        if (received != AVERROR(EAGAIN)) {
            ++damaged_packets_;
            if (!input_done_) continue;
            decoder_done_ = true;
            break;
        }
        if (input_done_) {
            check(avcodec_send_packet(codec_.get(), nullptr), "flushing the audio decoder for " + path_);
            continue;
        }
        const int read = av_read_frame(input_.get(), packet_.get());
        if (read == AVERROR_EOF) {
            input_done_ = true;
            continue;
        }
        check(read, "reading " + path_, "the file may be truncated or on a failing disk");
        if (packet_->stream_index == stream_index_) {
            const int sent = avcodec_send_packet(codec_.get(), packet_.get());
            if (sent < 0 && sent != AVERROR(EAGAIN)) ++damaged_packets_;
        }
        av_packet_unref(packet_.get());
    }
    if (good_frames_ == 0 && damaged_packets_ > 0)
        throw sdk::CallError(
            DUBHOST_STATUS_BAD_REQUEST, "corrupt-input",
            "the audio of " + path_ + " cannot be decoded (" + std::to_string(damaged_packets_) + " damaged packets)",
            "re-export or re-download the file");
    return nullptr;
}

AudioConverter::AudioConverter(const AVCodecContext &input, int sample_rate, int channels)
    : input_rate_(input.sample_rate), output_rate_(sample_rate), channels_(channels) {
    AVChannelLayout in_layout = layout_of(input);
    AVChannelLayout out_layout{};
    av_channel_layout_default(&out_layout, channels);
    SwrContext *raw = nullptr;
    const int made = swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, sample_rate, &in_layout, input.sample_fmt,
                                         input.sample_rate, 0, nullptr);
    resampler_.reset(raw);
    av_channel_layout_uninit(&in_layout);
    av_channel_layout_uninit(&out_layout);
    check(made, "setting up the resampler");
    check(swr_init(resampler_.get()), "starting the resampler");
}

void AudioConverter::convert(const AVFrame *frame, std::vector<float> &out) {
    const int in_samples = frame ? frame->nb_samples : 0;
    const int capacity = swr_get_out_samples(resampler_.get(), in_samples) + 32;
    if (capacity <= 0) return;
    const std::size_t start = out.size();
    out.resize(start + static_cast<std::size_t>(capacity) * channels_);
    auto *destination = reinterpret_cast<uint8_t *>(out.data() + start);
    const int produced = swr_convert(resampler_.get(), &destination, capacity,
                                     frame ? const_cast<const uint8_t **>(frame->extended_data) : nullptr, in_samples);
    check(produced, "resampling audio");
    out.resize(start + static_cast<std::size_t>(produced) * channels_);
}

AudioReader::AudioReader(const std::string &path, int sample_rate, int channels, int audio_stream)
    : decoder_(path, audio_stream), converter_(decoder_.codec(), sample_rate, channels), channels_(channels) {}

bool AudioReader::refill() {
    if (finished_) return false;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_offset_));
    pending_offset_ = 0;
    while (pending_.empty()) {
        const AVFrame *frame = decoder_.next_frame();
        converter_.convert(frame, pending_);
        if (!frame) {
            finished_ = true;
            break;
        }
    }
    return !pending_.empty();
}

std::size_t AudioReader::read(float *destination, std::size_t frames) {
    std::size_t done = 0;
    while (done < frames) {
        if (pending_offset_ >= pending_.size()) {
            pending_.clear();
            pending_offset_ = 0;
            if (!refill()) break;
        }
        const std::size_t available = (pending_.size() - pending_offset_) / channels_;
        const std::size_t take = std::min(available, frames - done);
        std::memcpy(destination + done * channels_, pending_.data() + pending_offset_, take * channels_ * sizeof(float));
        pending_offset_ += take * channels_;
        done += take;
    }
    frames_read_ += done;
    return done;
}

}  // namespace dubhost::ffmpeg
