// Reading and writing subtitle files (SRT, WebVTT, dubhost JSON), UTF-8 only.
// Used by `dubhost track import/export` and by `dubhost dub --subtitles`.
//
// Malformed input either fails with a line-numbered message (bad timestamps, end before start,
// invalid UTF-8, a missing timing line) or is repaired in a documented way that is reported back:
// a byte-order mark is dropped, CRLF/CR line ends become LF, cues with no text are dropped, cues
// out of order are sorted by start time. Overlapping cues are kept (two people can talk at once)
// and reported. See docs/reference/subtitles.md.
#pragma once

#include "dubhost/host/subtitle_track.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dubhost {

enum class SubtitleFormat { srt, vtt, json };

std::optional<SubtitleFormat> subtitle_format_from_name(std::string_view name);
std::optional<SubtitleFormat> subtitle_format_from_path(const std::filesystem::path &path);
std::string_view subtitle_format_name(SubtitleFormat format);

struct ParsedSubtitles {
    std::vector<SubtitleSegment> segments;
    std::string language;              // from a JSON track or a VTT "Language:" header, else empty
    std::vector<std::string> repairs;  // what was changed or is worth knowing, for the user
};

// `source_name` prefixes error messages ("talk.srt:12: ..."). Throws Failure(user, "subtitle-syntax").
ParsedSubtitles parse_subtitles(std::string_view text, SubtitleFormat format, const std::string &source_name);
ParsedSubtitles read_subtitle_file(const std::filesystem::path &path, std::optional<SubtitleFormat> format = {});

std::string write_subtitles(const SubtitleTrack &track, SubtitleFormat format);

// "HH:MM:SS,mmm" (SRT) or "HH:MM:SS.mmm" (VTT).
std::string format_timestamp(std::int64_t ms, char fraction_separator);

}  // namespace dubhost
