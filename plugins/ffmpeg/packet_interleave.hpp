// Writing several packet sources into one container in time order: each source (copied video,
// encoded audio, subtitle cues) hands out its packets in its own order through one next()
// interface, and the interleaver always writes the earliest, so memory stays flat for any length.
#pragma once

#include "av_handles.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace dubhost::ffmpeg {

// A packet ready for the output, with its time in seconds (its dts, else its pts) for ordering.
struct TimedPacket {
    Packet packet;
    double seconds = 0;
};

class PacketSource {
public:
    virtual ~PacketSource() = default;
    // The source's next packet, or nullopt when it has no more.
    virtual std::optional<TimedPacket> next() = 0;
};

// Takes one packet from each source, then repeatedly hands `write` the earliest one and refills from
// the source it came from (ties go to the source listed first). `write` gets every packet of every
// source exactly once; returns how many were written.
std::size_t interleave(const std::vector<PacketSource *> &sources, const std::function<void(TimedPacket &)> &write);

// A new stream on `output`; throws a CallError naming `what` when FFmpeg cannot allocate it.
AVStream &add_stream(AVFormatContext &output, const std::string &what);

}  // namespace dubhost::ffmpeg
