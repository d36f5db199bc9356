// The interleaver (packet_interleave.hpp): a linear scan over the sources' waiting packets, which
// for the handful of tracks a dub has is cheaper than keeping a heap in order.
#include "packet_interleave.hpp"

namespace dubhost::ffmpeg {

std::size_t interleave(const std::vector<PacketSource *> &sources, const std::function<void(TimedPacket &)> &write) {
    std::vector<std::optional<TimedPacket>> waiting;
    waiting.reserve(sources.size());
    for (PacketSource *source : sources) waiting.push_back(source->next());
    std::size_t written = 0;
    while (true) {
        std::size_t earliest = waiting.size();
        for (std::size_t i = 0; i < waiting.size(); ++i)
            if (waiting[i] && (earliest == waiting.size() || waiting[i]->seconds < waiting[earliest]->seconds)) earliest = i;
        if (earliest == waiting.size()) return written;
        TimedPacket packet = std::move(*waiting[earliest]);
        waiting[earliest] = sources[earliest]->next();
        write(packet);
        ++written;
    }
}

AVStream &add_stream(AVFormatContext &output, const std::string &what) {
    AVStream *stream = avformat_new_stream(&output, nullptr);
    if (!stream)
        throw sdk::CallError(DUBHOST_STATUS_ERROR, "out-of-memory", "FFmpeg could not add the " + what + " track",
                             "free some memory and run the job again");
    return *stream;
}

}  // namespace dubhost::ffmpeg
