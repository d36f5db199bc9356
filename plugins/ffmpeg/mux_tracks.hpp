// The packet sources a mux interleaves (packet_interleave.hpp): streams copied from the input
// untouched, an audio file encoded (AAC, or the codec of an audio container), and a subtitle
// track's cues. Each adds its own output
// stream when it is made, before the container's header is written.
#pragma once

#include "audio_reader.hpp"
#include "packet_interleave.hpp"

#include <deque>
#include <map>
#include <optional>
#include <string>

namespace dubhost::ffmpeg {

// Packets of chosen input streams, copied in file order into streams made by copy().
class CopiedStreams : public PacketSource {
public:
    CopiedStreams(AVFormatContext &input, std::string path) : input_(input), path_(std::move(path)) {}
    // A new output stream with input stream `index`'s parameters, fed by next().
    AVStream &copy(AVFormatContext &output, int index, const std::string &what);
    std::optional<TimedPacket> next() override;

private:
    AVFormatContext &input_;
    std::string path_;
    std::map<int, AVStream *> targets_;  // input stream index -> output stream
};

// An audio file (or one audio stream of it) decoded, resampled to 48 kHz stereo and encoded with
// `encoder` (AAC for a video's tracks; whatever an audio container takes) in the first sample format
// it accepts of float, 16-bit and 32-bit. `bitrate` 0 leaves a lossless encoder's default. With
// `total_frames`, exactly that long: padded with silence, or cut with a 250 ms fade-out so speech
// running past the end does not stop with a click.
class EncodedAudio : public PacketSource {
public:
    EncodedAudio(AVFormatContext &output, const AVCodec &encoder, const std::string &source, int audio_stream,
                 std::optional<std::int64_t> total_frames, std::int64_t bitrate, const std::string &what);
    bool faded() const { return fade_from_.has_value(); }
    AVStream &stream() { return *stream_; }
    std::optional<TimedPacket> next() override;

private:
    void feed();

    AudioReader reader_;
    std::optional<std::int64_t> total_frames_;
    CodecContext codec_;
    AVStream *stream_ = nullptr;
    std::int64_t produced_ = 0;
    std::optional<std::int64_t> fade_from_;  // the frame the fade-out starts at, when the source is cut
    bool source_done_ = false;
    bool flushed_ = false;
};

// A text subtitle track, one packet per cue (mov_text in MP4, SubRip in Matroska). `track` is
// {language, title?, default?, segments: [{id?, start, end, text}]}, times in milliseconds. With
// `end_ms` (the video's end), a cue that starts after it is dropped and one that runs past it is
// clipped; cut() lists them.
class SubtitleCues : public PacketSource {
public:
    SubtitleCues(AVFormatContext &output, const sdk::json &track, bool mp4, std::optional<std::int64_t> end_ms);
    std::optional<TimedPacket> next() override;
    // [{language, segment_id, start, end, text, action: "dropped" | "clipped", cut_ms}]
    const sdk::json &cut() const { return cut_; }

private:
    bool mov_text_;
    std::optional<std::int64_t> end_ms_;
    std::string language_;
    sdk::json cut_ = sdk::json::array();
    CodecContext codec_;
    AVStream *stream_ = nullptr;
    std::deque<sdk::json> cues_;
};

// The stream's title, handler name (where MP4 keeps a track's name) and ISO 639-2 language.
void set_track_metadata(AVStream &stream, const std::string &title, const std::string &language);

}  // namespace dubhost::ffmpeg
