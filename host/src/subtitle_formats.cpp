#include "dubhost/host/subtitle_formats.hpp"

#include <dubhost/support/error.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dubhost {
namespace {

// A subtitle file as numbered lines, after the documented input repairs.
struct NumberedLine {
    std::size_t number;
    std::string_view text;
};

class SubtitleSyntax {
public:
    explicit SubtitleSyntax(std::string source) : source_(std::move(source)) {}
    [[noreturn]] void fail(std::size_t line, const std::string &message) const {
        throw user_error("subtitle-syntax", source_ + ":" + std::to_string(line) + ": " + message,
                         "fix that line in the file and import it again");
    }
    const std::string &source() const { return source_; }

private:
    std::string source_;
};

// Returns the number of the first line holding invalid UTF-8, or 0 when the text is valid.
std::size_t first_invalid_utf8_line(std::string_view text) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\n') ++line;
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        if (byte < 0x80)
            length = 1, code_point = byte;
        else if ((byte & 0xE0) == 0xC0)
            length = 2, code_point = byte & 0x1Fu;
        else if ((byte & 0xF0) == 0xE0)
            length = 3, code_point = byte & 0x0Fu;
        else if ((byte & 0xF8) == 0xF0)
            length = 4, code_point = byte & 0x07u;
        else
            return line;
        if (i + length > text.size()) return line;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return line;
            code_point = (code_point << 6) | (next & 0x3Fu);
        }
        const bool overlong =
            (length == 2 && code_point < 0x80) || (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
        if (overlong || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return line;
        i += length;
    }
    return 0;
}

// Validates UTF-8, drops a BOM and normalises line ends; records what it repaired.
std::string normalise_text(std::string_view raw, const SubtitleSyntax &syntax, std::vector<std::string> &repairs) {
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") {
        raw.remove_prefix(3);
        repairs.emplace_back("removed a UTF-8 byte-order mark");
    }
    if (const std::size_t bad_line = first_invalid_utf8_line(raw); bad_line != 0)
        syntax.fail(bad_line, "invalid UTF-8 (subtitle files must be UTF-8; convert with `iconv -f <encoding> -t UTF-8`)");
    std::string text;
    text.reserve(raw.size());
    bool had_carriage_returns = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\r') {
            had_carriage_returns = true;
            text.push_back('\n');
            if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
        } else {
            text.push_back(raw[i]);
        }
    }
    if (had_carriage_returns) repairs.emplace_back("converted CRLF/CR line ends to LF");
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
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

std::optional<std::int64_t> parse_digits(std::string_view digits, std::size_t min_count, std::size_t max_count) {
    if (digits.size() < min_count || digits.size() > max_count) return std::nullopt;
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

struct CueTiming {
    std::int64_t start_ms;
    std::int64_t end_ms;
};

CueTiming parse_timing_line(const NumberedLine &line, bool hours_optional, const SubtitleSyntax &syntax) {
    const std::size_t arrow = line.text.find("-->");
    if (arrow == std::string_view::npos)
        syntax.fail(line.number,
                    "expected a timing line like '00:00:01,000 --> 00:00:02,500', found '" + std::string(line.text) + "'");
    const std::string_view start_text = trim(line.text.substr(0, arrow));
    std::string_view end_text = trim(line.text.substr(arrow + 3));
    end_text = end_text.substr(0, end_text.find_first_of(" \t"));  // cue settings follow in VTT
    std::string problem;
    const auto start = parse_timestamp(start_text, hours_optional, problem);
    if (!start) syntax.fail(line.number, "bad start time '" + std::string(start_text) + "': " + problem);
    const auto end = parse_timestamp(end_text, hours_optional, problem);
    if (!end) syntax.fail(line.number, "bad end time '" + std::string(end_text) + "': " + problem);
    if (*end < *start)
        syntax.fail(line.number, "cue ends (" + std::string(end_text) + ") before it starts (" + std::string(start_text) +
                                     "): negative duration");
    if (*end == *start) syntax.fail(line.number, "cue has zero duration (" + std::string(start_text) + ")");
    return {*start, *end};
}

// Sorts, reports overlaps, and numbers the repairs that are the same for every format.
void finish_segments(std::vector<SubtitleSegment> &segments, std::vector<std::string> &repairs) {
    if (!std::is_sorted(segments.begin(), segments.end(), [](const auto &a, const auto &b) { return a.start_ms < b.start_ms; })) {
        std::stable_sort(segments.begin(), segments.end(), [](const auto &a, const auto &b) { return a.start_ms < b.start_ms; });
        repairs.emplace_back("sorted cues by start time");
    }
    std::size_t overlaps = 0;
    std::string first_overlap;
    for (std::size_t i = 1; i < segments.size(); ++i) {
        if (segments[i].start_ms < segments[i - 1].end_ms) {
            if (overlaps++ == 0) first_overlap = format_timestamp(segments[i].start_ms, '.');
        }
    }
    if (overlaps > 0)
        repairs.push_back("kept " + std::to_string(overlaps) + " overlapping cue(s), the first at " + first_overlap);
}

std::string join_text_lines(const std::vector<std::string_view> &lines) {
    std::string text;
    for (const auto &line : lines) {
        if (!text.empty()) text.push_back('\n');
        text.append(trim(line));
    }
    return text;
}

void note_dropped_cue(std::size_t line, std::vector<std::string> &repairs) {
    repairs.push_back("dropped the empty cue at line " + std::to_string(line));
}

ParsedSubtitles parse_srt(std::string_view raw, const SubtitleSyntax &syntax) {
    ParsedSubtitles parsed;
    const std::string text = normalise_text(raw, syntax, parsed.repairs);
    const auto lines = split_lines(text);
    std::size_t i = 0;
    while (i < lines.size()) {
        if (is_blank(lines[i].text)) {
            ++i;
            continue;
        }
        // A cue: optional number line, a timing line, then text until a blank line.
        const NumberedLine *timing = &lines[i];
        if (timing->text.find("-->") == std::string_view::npos) {
            if (!parse_digits(trim(timing->text), 1, 9))
                syntax.fail(timing->number, "expected a cue number or a timing line, found '" + std::string(timing->text) + "'");
            if (++i >= lines.size()) syntax.fail(timing->number, "cue number with no timing line after it");
            timing = &lines[i];
        }
        const CueTiming times = parse_timing_line(*timing, false, syntax);
        std::vector<std::string_view> text_lines;
        for (++i; i < lines.size() && !is_blank(lines[i].text); ++i) text_lines.push_back(lines[i].text);
        std::string cue_text = join_text_lines(text_lines);
        if (cue_text.empty()) {
            note_dropped_cue(timing->number, parsed.repairs);
            continue;
        }
        parsed.segments.push_back({0, times.start_ms, times.end_ms, std::move(cue_text), {}});
    }
    finish_segments(parsed.segments, parsed.repairs);
    return parsed;
}

std::string decode_vtt_entities(std::string_view text) {
    static constexpr std::pair<std::string_view, std::string_view> entities[] = {
        {"&amp;", "&"},           {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", "\xC2\xA0"}, {"&lrm;", "\xE2\x80\x8E"},
        {"&rlm;", "\xE2\x80\x8F"}};
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto &[entity, value] : entities) {
                if (text.substr(i, entity.size()) == entity) {
                    out.append(value);
                    i += entity.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out.push_back(text[i++]);
    }
    return out;
}

// Removes markup tags from VTT cue text; returns the first voice tag's speaker, if any.
std::string strip_vtt_tags(std::string_view text, std::string &speaker) {
    std::string plain;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '<') {
            plain.push_back(text[i++]);
            continue;
        }
        const std::size_t close = text.find('>', i);
        if (close == std::string_view::npos) {  // a lone '<' is text
            plain.append(text.substr(i));
            break;
        }
        const std::string_view tag = text.substr(i + 1, close - i - 1);
        if (speaker.empty() && tag.size() > 1 && tag[0] == 'v' && (tag[1] == ' ' || tag[1] == '.')) {
            const std::size_t name_start = tag.find(' ');
            if (name_start != std::string_view::npos) speaker = decode_vtt_entities(trim(tag.substr(name_start + 1)));
        }
        i = close + 1;
    }
    return decode_vtt_entities(plain);
}

bool starts_block_to_skip(std::string_view first_line) {
    const std::string_view word = first_line.substr(0, first_line.find_first_of(" \t"));
    return word == "NOTE" || word == "STYLE" || word == "REGION";
}

ParsedSubtitles parse_vtt(std::string_view raw, const SubtitleSyntax &syntax) {
    ParsedSubtitles parsed;
    const std::string text = normalise_text(raw, syntax, parsed.repairs);
    const auto lines = split_lines(text);
    if (lines.empty() || lines[0].text.substr(0, 6) != "WEBVTT" ||
        (lines[0].text.size() > 6 && lines[0].text[6] != ' ' && lines[0].text[6] != '\t'))
        syntax.fail(1, "a WebVTT file must start with 'WEBVTT'");
    std::size_t i = 1;
    for (; i < lines.size() && !is_blank(lines[i].text); ++i) {  // header lines
        const std::string_view header = trim(lines[i].text);
        if (header.substr(0, 9) == "Language:") parsed.language = std::string(trim(header.substr(9)));
    }
    while (i < lines.size()) {
        if (is_blank(lines[i].text)) {
            ++i;
            continue;
        }
        if (starts_block_to_skip(lines[i].text)) {
            while (i < lines.size() && !is_blank(lines[i].text)) ++i;
            continue;
        }
        const NumberedLine *timing = &lines[i];
        if (timing->text.find("-->") == std::string_view::npos) {  // a cue identifier
            if (++i >= lines.size() || is_blank(lines[i].text))
                syntax.fail(timing->number, "cue identifier '" + std::string(timing->text) + "' has no timing line after it");
            timing = &lines[i];
        }
        const CueTiming times = parse_timing_line(*timing, true, syntax);
        std::vector<std::string_view> text_lines;
        for (++i; i < lines.size() && !is_blank(lines[i].text); ++i) text_lines.push_back(lines[i].text);
        std::string speaker;
        std::string cue_text = strip_vtt_tags(join_text_lines(text_lines), speaker);
        if (trim(cue_text).empty()) {
            note_dropped_cue(timing->number, parsed.repairs);
            continue;
        }
        parsed.segments.push_back({0, times.start_ms, times.end_ms, std::move(cue_text), std::move(speaker)});
    }
    finish_segments(parsed.segments, parsed.repairs);
    return parsed;
}

ParsedSubtitles parse_json_track(std::string_view raw, const SubtitleSyntax &syntax) {
    ParsedSubtitles parsed;
    const std::string text = normalise_text(raw, syntax, parsed.repairs);
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &error) {
        const std::size_t offset = error.byte;
        const std::size_t line =
            1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
        syntax.fail(line, std::string("not valid JSON: ") + error.what());
    }
    try {
        SubtitleTrack track = document.get<SubtitleTrack>();
        parsed.language = track.language;
        for (std::size_t index = 0; index < track.segments.size(); ++index) {
            SubtitleSegment &segment = track.segments[index];
            const std::string where = "segment " + std::to_string(index + 1);
            if (segment.start_ms < 0) syntax.fail(1, where + " starts before 0");
            if (segment.end_ms <= segment.start_ms) syntax.fail(1, where + " ends before or when it starts");
            segment.id = 0;
            if (trim(segment.text).empty()) {
                parsed.repairs.push_back("dropped the empty " + where);
                continue;
            }
            parsed.segments.push_back(std::move(segment));
        }
    } catch (const nlohmann::json::exception &error) {
        syntax.fail(1, std::string("not a dubhost track document (docs/reference/subtitles.md): ") + error.what());
    }
    finish_segments(parsed.segments, parsed.repairs);
    return parsed;
}

std::string escape_vtt(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out.push_back(c);
    }
    return out;
}

}  // namespace

std::optional<SubtitleFormat> subtitle_format_from_name(std::string_view name) {
    if (name == "srt") return SubtitleFormat::srt;
    if (name == "vtt" || name == "webvtt") return SubtitleFormat::vtt;
    if (name == "json") return SubtitleFormat::json;
    return std::nullopt;
}

std::optional<SubtitleFormat> subtitle_format_from_path(const std::filesystem::path &path) {
    std::string extension = path.extension().string();
    if (!extension.empty()) extension.erase(0, 1);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return subtitle_format_from_name(extension);
}

std::string_view subtitle_format_name(SubtitleFormat format) {
    switch (format) {
    case SubtitleFormat::srt:
        return "srt";
    case SubtitleFormat::vtt:
        return "vtt";
    case SubtitleFormat::json:
        return "json";
    }
    return "unknown";
}

ParsedSubtitles parse_subtitles(std::string_view text, SubtitleFormat format, const std::string &source_name) {
    const SubtitleSyntax syntax(source_name);
    switch (format) {
    case SubtitleFormat::srt:
        return parse_srt(text, syntax);
    case SubtitleFormat::vtt:
        return parse_vtt(text, syntax);
    case SubtitleFormat::json:
        return parse_json_track(text, syntax);
    }
    throw Failure(ErrorKind::internal, "bad-format", "unknown subtitle format");
}

ParsedSubtitles read_subtitle_file(const std::filesystem::path &path, std::optional<SubtitleFormat> format) {
    if (!format) format = subtitle_format_from_path(path);
    if (!format)
        throw user_error("unknown-subtitle-format", "cannot tell the subtitle format of " + path.string(),
                         "use a file ending in .srt, .vtt or .json");
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        throw user_error("not-a-file", path.string() + " is a directory, not a subtitle file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw user_error("unreadable-file", "cannot read " + path.string() + ": " + std::strerror(errno),
                         "check the path and that you may read the file");
    std::ostringstream content;
    content << in.rdbuf();
    return parse_subtitles(content.str(), *format, path.filename().string());
}

std::string format_timestamp(std::int64_t ms, char fraction_separator) {
    if (ms < 0) ms = 0;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld:%02lld%c%03lld", static_cast<long long>(ms / 3600000),
                  static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60), fraction_separator,
                  static_cast<long long>(ms % 1000));
    return buffer;
}

std::string write_subtitles(const SubtitleTrack &track, SubtitleFormat format) {
    std::string out;
    switch (format) {
    case SubtitleFormat::srt:
        for (std::size_t i = 0; i < track.segments.size(); ++i) {
            const auto &segment = track.segments[i];
            out += std::to_string(i + 1) + "\n" + format_timestamp(segment.start_ms, ',') + " --> " +
                   format_timestamp(segment.end_ms, ',') + "\n" + segment.text + "\n\n";
        }
        return out;
    case SubtitleFormat::vtt:
        out = "WEBVTT\n";
        if (!track.language.empty()) out += "Language: " + track.language + "\n";
        out += "\n";
        for (const auto &segment : track.segments) {
            out += format_timestamp(segment.start_ms, '.') + " --> " + format_timestamp(segment.end_ms, '.') + "\n";
            if (!segment.speaker.empty()) out += "<v " + escape_vtt(segment.speaker) + ">";
            out += escape_vtt(segment.text) + "\n\n";
        }
        return out;
    case SubtitleFormat::json:
        return nlohmann::json(track).dump(2) + "\n";
    }
    return out;
}

}  // namespace dubhost
