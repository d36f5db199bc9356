// What reading SRT and WebVTT cues have in common: UTF-8 and line-end repairs, timestamps, the
// tolerant-or-strict decision for each defect, and the final pass (order, lengths, overlaps).
#pragma once

#include "dubhost/host/subtitle_formats.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dubhost::subtitle_reading {

struct NumberedLine {
    std::size_t number;  // 1-based, as an editor shows it
    std::string_view text;
};

// Says what happened to the user. A defect is fatal when reading strictly; otherwise it is
// repaired and the repair is listed, with its line, beside the ones every reading makes.
class CueReport {
public:
    CueReport(std::string source, SubtitleReading reading, std::vector<std::string> &repairs)
        : source_(std::move(source)), reading_(reading), repairs_(repairs) {}

    // The file is refused however it is read (not UTF-8, not subtitles at all).
    [[noreturn]] void fail(std::size_t line, const std::string &message) const;
    void note(std::string repair) { repairs_.push_back(std::move(repair)); }
    void defect(std::size_t line, const std::string &problem, const std::string &repair);
    bool strict() const { return reading_ == SubtitleReading::strict; }

private:
    [[noreturn]] void refuse(std::size_t line, const std::string &message, const std::string &hint) const;

    std::string source_;
    SubtitleReading reading_;
    std::vector<std::string> &repairs_;
};

// A cue as read, before the final pass: the line of its timing line, and why its length must be
// repaired when it ends at or before its start.
struct ReadCue {
    SubtitleSegment segment;
    std::size_t line = 0;
    std::string length_problem;
};

// Drops a BOM, normalises line ends, removes (or, strictly, refuses) NULs; refuses invalid UTF-8.
std::string normalise_text(std::string_view raw, CueReport &report);
std::vector<NumberedLine> split_lines(std::string_view text);

std::string_view trim(std::string_view text);
bool is_blank(std::string_view line);
bool is_timing_line(std::string_view line);
// The characters a viewer reads: UTF-8 code points (a cue's repaired length; qc's reading speed).
std::size_t code_points(std::string_view text);
bool is_counter(std::string_view line);
std::string join_text_lines(const std::vector<std::string_view> &lines);

// Reads "START --> END [settings]"; nullopt when the line is defective and the cue dropped.
std::optional<ReadCue> read_timing_line(const NumberedLine &line, bool hours_optional, CueReport &report);

// Sorts by start, repairs lengths, drops cues without text and counts overlaps.
std::vector<SubtitleSegment> finish_cues(std::vector<ReadCue> cues, CueReport &report);

}  // namespace dubhost::subtitle_reading
