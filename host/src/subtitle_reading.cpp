// What reading SRT and WebVTT cues have in common: UTF-8 and line-end repairs, timestamps, the
// tolerant-or-strict decision for each defect, and the final pass (order, lengths, overlaps).
#include "subtitle_reading.hpp"

#include <dubhost/support/error.hpp>

#include <algorithm>
#include <charconv>

namespace dubhost::subtitle_reading {
namespace {

// The length of the valid UTF-8 sequence at the start of `text`, or 0 when it is not one.
std::size_t valid_utf8_sequence(std::string_view text) {
    const auto byte = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (byte < 0x80) return 1;
    if ((byte & 0xE0) == 0xC0)
        length = 2, code_point = byte & 0x1Fu;
    else if ((byte & 0xF0) == 0xE0)
        length = 3, code_point = byte & 0x0Fu;
    else if ((byte & 0xF8) == 0xF0)
        length = 4, code_point = byte & 0x07u;
    else
        return 0;
    if (length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[k]);
        if ((next & 0xC0) != 0x80) return 0;
        code_point = (code_point << 6) | (next & 0x3Fu);
    }
    const bool overlong =
        (length == 2 && code_point < 0x80) || (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
    if (overlong || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
    return length;
}

// Lines on which something was found: how many, and the first.
struct LineTally {
    std::size_t lines = 0;
    std::size_t first = 0;
    std::size_t last_counted = 0;
    void count(std::size_t line) {
        if (line == last_counted) return;
        if (lines++ == 0) first = line;
        last_counted = line;
    }
    std::string where() const { return std::to_string(lines) + " line(s), the first at line " + std::to_string(first); }
};

// Only ASCII digits: from_chars alone would take "-1" as an hour (found by fuzz_srt).
std::optional<std::int64_t> parse_digits(std::string_view digits, std::size_t min_count, std::size_t max_count) {
    if (digits.size() < min_count || digits.size() > max_count) return std::nullopt;
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

// Parses [H+:]MM:SS<sep>mmm where <sep> is ',' or '.'; hours are required unless `hours_optional`.
std::optional<std::int64_t> parse_timestamp(std::string_view text, bool hours_optional, std::string &problem) {
    const std::size_t separator = text.find_last_of(",.");
    if (separator == std::string_view::npos) {
        problem = "no milliseconds";
        return std::nullopt;
    }
    const auto millis = parse_digits(text.substr(separator + 1), 3, 3);
    std::vector<std::string_view> fields;
    std::string_view clock = text.substr(0, separator);
    for (std::size_t colon; (colon = clock.find(':')) != std::string_view::npos; clock.remove_prefix(colon + 1))
        fields.push_back(clock.substr(0, colon));
    fields.push_back(clock);
    if (!millis) {
        problem = "milliseconds must be three digits";
        return std::nullopt;
    }
    if (fields.size() == 2 && !hours_optional) {
        problem = "hours are missing (expected HH:MM:SS,mmm)";
        return std::nullopt;
    }
    if (fields.size() != 2 && fields.size() != 3) {
        problem = "expected HH:MM:SS and milliseconds";
        return std::nullopt;
    }
    std::int64_t hours = 0;
    if (fields.size() == 3) {
        const auto parsed_hours = parse_digits(fields[0], 1, 6);
        if (!parsed_hours) {
            problem = "hours are not a number";
            return std::nullopt;
        }
        hours = *parsed_hours;
    }
    const auto minutes = parse_digits(fields[fields.size() - 2], 2, 2);
    const auto seconds = parse_digits(fields[fields.size() - 1], 2, 2);
    if (!minutes || !seconds) {
        problem = "minutes and seconds must be two digits";
        return std::nullopt;
    }
    if (*minutes > 59 || *seconds > 59) {
        problem = "minutes and seconds must be 00-59";
        return std::nullopt;
    }
    return ((hours * 60 + *minutes) * 60 + *seconds) * 1000 + *millis;
}

// How long a cue with no usable end is shown: about the time it takes to read, 1 to 5 seconds.
constexpr std::int64_t repaired_length_ms(std::size_t characters) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(characters) * 60, 1000, 5000);
}
// A repaired cue with less room than this before the next one is dropped: it could not be spoken.
constexpr std::int64_t shortest_repaired_cue_ms = 200;

}  // namespace

void CueReport::refuse(std::size_t line, const std::string &message, const std::string &hint) const {
    throw user_error("subtitle-syntax", source_ + ":" + std::to_string(line) + ": " + message, hint);
}

void CueReport::fail(std::size_t line, const std::string &message) const {
    refuse(line, message, "fix that line in the file and import it again");
}

void CueReport::defect(std::size_t line, const std::string &problem, const std::string &repair) {
    if (strict())
        refuse(line, problem, "fix that line in the file, or import it without --strict to have it repaired (" + repair + ")");
    repairs_.push_back("line " + std::to_string(line) + ": " + problem + "; " + repair);
}

std::string normalise_text(std::string_view raw, CueReport &report) {
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") {
        raw.remove_prefix(3);
        report.note("removed a UTF-8 byte-order mark");
    }
    std::string text;
    text.reserve(raw.size());
    bool had_carriage_returns = false;
    LineTally nuls;
    std::size_t line = 1;
    for (std::size_t i = 0; i < raw.size();) {
        const char c = raw[i];
        if (c == '\r' || c == '\n') {
            had_carriage_returns = had_carriage_returns || c == '\r';
            text.push_back('\n');
            ++line;
            i += (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c == '\0') {
            if (report.strict()) report.defect(line, "a NUL character (the file is not a text file, or is UTF-16)", "removed");
            nuls.count(line);
            ++i;
            continue;
        }
        // Refused however the file is read: the text is what gets spoken, and replacement
        // characters or a guessed encoding would speak the wrong words without anyone noticing.
        const std::size_t length = valid_utf8_sequence(raw.substr(i));
        if (length == 0)
            report.fail(line, "invalid UTF-8 (subtitle files must be UTF-8; convert with `iconv -f <encoding> -t UTF-8`)");
        text.append(raw.substr(i, length));
        i += length;
    }
    if (had_carriage_returns) report.note("converted CRLF/CR line ends to LF");
    if (nuls.lines > 0) report.note("NUL characters on " + nuls.where() + "; removed them");
    return text;
}

std::vector<NumberedLine> split_lines(std::string_view text) {
    std::vector<NumberedLine> lines;
    std::size_t number = 1;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        lines.push_back({number++, text.substr(0, end)});
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view whitespace = " \t\f\v";  // WebVTT counts form feeds as white space
    const auto first = text.find_first_not_of(whitespace);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(whitespace);
    return text.substr(first, last - first + 1);
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

bool is_timing_line(std::string_view line) { return line.find("-->") != std::string_view::npos; }

bool is_counter(std::string_view line) { return parse_digits(trim(line), 1, 9).has_value(); }

std::string join_text_lines(const std::vector<std::string_view> &lines) {
    std::string text;
    for (const auto &line : lines) {
        if (is_blank(line)) continue;
        if (!text.empty()) text.push_back('\n');
        text.append(trim(line));
    }
    return text;
}

std::optional<ReadCue> read_timing_line(const NumberedLine &line, bool hours_optional, CueReport &report) {
    const std::size_t arrow = line.text.find("-->");
    const std::string_view start_text = trim(line.text.substr(0, arrow));
    std::string_view end_text = trim(line.text.substr(arrow + 3));
    end_text = end_text.substr(0, end_text.find_first_of(" \t\f"));  // cue settings follow in WebVTT
    std::string problem;
    const auto start = parse_timestamp(start_text, hours_optional, problem);
    if (!start) {
        report.defect(line.number, "bad start time '" + std::string(start_text) + "': " + problem, "dropped the cue");
        return std::nullopt;
    }
    const auto end = parse_timestamp(end_text, hours_optional, problem);
    if (!end) {
        report.defect(line.number, "bad end time '" + std::string(end_text) + "': " + problem, "dropped the cue");
        return std::nullopt;
    }
    ReadCue cue;
    cue.segment.start_ms = *start;
    cue.segment.end_ms = *end;
    cue.line = line.number;
    if (*end < *start)
        cue.length_problem =
            "cue ends (" + std::string(end_text) + ") before it starts (" + std::string(start_text) + "): negative duration";
    else if (*end == *start)
        cue.length_problem = "cue has zero duration (" + std::string(start_text) + ")";
    if (!cue.length_problem.empty() && report.strict())
        report.defect(line.number, cue.length_problem, "given the time it takes to read");
    return cue;
}

std::vector<SubtitleSegment> finish_cues(std::vector<ReadCue> cues, CueReport &report) {
    const auto by_start = [](const ReadCue &a, const ReadCue &b) { return a.segment.start_ms < b.segment.start_ms; };
    if (!std::is_sorted(cues.begin(), cues.end(), by_start)) {
        std::stable_sort(cues.begin(), cues.end(), by_start);
        report.note("sorted cues by start time");
    }
    std::vector<SubtitleSegment> segments;
    segments.reserve(cues.size());
    for (std::size_t i = 0; i < cues.size(); ++i) {
        ReadCue &cue = cues[i];
        if (trim(cue.segment.text).empty()) {
            report.note("dropped the empty cue at line " + std::to_string(cue.line));
            continue;
        }
        if (!cue.length_problem.empty()) {
            // It ends where reading it would, but never after the next cue starts.
            const std::int64_t start = cue.segment.start_ms;
            std::int64_t end = start + repaired_length_ms(code_points(cue.segment.text));
            for (std::size_t next = i + 1; next < cues.size(); ++next)
                if (cues[next].segment.start_ms > start) {
                    end = std::min(end, cues[next].segment.start_ms);
                    break;
                }
            if (end - start < shortest_repaired_cue_ms) {
                report.defect(cue.line, cue.length_problem, "dropped the cue: the next one starts too soon to give it a length");
                continue;
            }
            cue.segment.end_ms = end;
            report.defect(cue.line, cue.length_problem, "it now ends at " + format_timestamp(end, '.'));
        }
        segments.push_back(std::move(cue.segment));
    }
    std::size_t overlaps = 0;
    std::string first_overlap;
    for (std::size_t i = 1; i < segments.size(); ++i)
        if (segments[i].start_ms < segments[i - 1].end_ms && overlaps++ == 0)
            first_overlap = format_timestamp(segments[i].start_ms, '.');
    if (overlaps > 0) report.note("kept " + std::to_string(overlaps) + " overlapping cue(s), the first at " + first_overlap);
    return segments;
}

std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace dubhost::subtitle_reading
