// Reading and writing subtitle files (SRT, WebVTT, dubhost JSON), UTF-8 only.
// Used by `dubhost track import/export` and by `dubhost dub --subtitles`.
//
// SRT and WebVTT are read as a player reads them: a defective block (a timing line that cannot be
// read, text with no timing line) is dropped and the rest kept, a timing line always starts a new
// cue, a cue with no length gets one; every defect and repair is reported back with its line.
// Read strictly, any defect is a line-numbered error instead. Some repairs are made either way:
// a byte-order mark is dropped, CRLF/CR line ends become LF, cues with no text are dropped, cues
// out of order are sorted, overlaps are kept (two people can talk at once) and counted.
// See docs/reference/subtitles.md.
#pragma once

#include "dubhost/host/subtitle_track.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dubhost {

enum class SubtitleFormat { srt, vtt, json };
enum class SubtitleReading { tolerant, strict };

std::optional<SubtitleFormat> subtitle_format_from_name(std::string_view name);
std::optional<SubtitleFormat> subtitle_format_from_path(const std::filesystem::path &path);
std::string_view subtitle_format_name(SubtitleFormat format);

struct ParsedSubtitles {
    std::vector<SubtitleSegment> segments;
    std::string language;              // from a JSON track or a VTT "Language:" header, else empty
    std::vector<std::string> repairs;  // what was changed or dropped, and where, for the user
};

// `source_name` prefixes messages ("talk.srt:12: ..."). Throws Failure(user, "subtitle-syntax").
// A JSON track document is always read strictly.
ParsedSubtitles parse_subtitles(std::string_view text, SubtitleFormat format, const std::string &source_name,
                                SubtitleReading reading = SubtitleReading::tolerant);
// A file with no cue left that has text is refused (`empty-subtitles`, naming what was dropped).
ParsedSubtitles read_subtitle_file(const std::filesystem::path &path, std::optional<SubtitleFormat> format = {},
                                   SubtitleReading reading = SubtitleReading::tolerant);

std::string write_subtitles(const SubtitleTrack &track, SubtitleFormat format);

// "HH:MM:SS,mmm" (SRT) or "HH:MM:SS.mmm" (VTT).
std::string format_timestamp(std::int64_t ms, char fraction_separator);

}  // namespace dubhost
