// Fuzzes the subtitle readers (SRT, WebVTT, the JSON track document) as `track import` and `dub
// --subtitles` use them, tolerant and strict: each input either parses into cues with a length and
// text, or fails with `subtitle-syntax`. The format is chosen at build time (DUBHOST_FUZZ_FORMAT).
#include "dubhost/host/subtitle_formats.hpp"
#include "fuzz_input.hpp"

#include <dubhost/support/error.hpp>

#include <cstdlib>

namespace {

void read_as(const std::string &text, dubhost::SubtitleReading reading) {
    constexpr auto format = dubhost::SubtitleFormat::DUBHOST_FUZZ_FORMAT;
    try {
        const auto parsed = dubhost::parse_subtitles(text, format, "fuzz", reading);
        for (const auto &segment : parsed.segments)
            if (segment.end_ms <= segment.start_ms || segment.start_ms < 0 || segment.text.empty()) std::abort();
        // What was read can be written back out in every format.
        for (const auto out : {dubhost::SubtitleFormat::srt, dubhost::SubtitleFormat::vtt, dubhost::SubtitleFormat::json}) {
            dubhost::SubtitleTrack track;
            track.segments = parsed.segments;
            (void)dubhost::write_subtitles(track, out);
        }
    } catch (const dubhost::Failure &failure) {
        if (failure.code() != "subtitle-syntax") std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string text = dubhost::fuzz::as_text(data, size);
    read_as(text, dubhost::SubtitleReading::tolerant);
    read_as(text, dubhost::SubtitleReading::strict);
    return 0;
}
