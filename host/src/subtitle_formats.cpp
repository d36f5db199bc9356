// Reading and writing subtitle files: SRT and WebVTT cue blocks (tolerant, like a player, or
// strict), the dubhost JSON track document, and the writers for all three.
#include "dubhost/host/subtitle_formats.hpp"

#include "subtitle_reading.hpp"

#include <dubhost/support/error.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dubhost {
namespace {

using namespace subtitle_reading;

// SRT has no specification, only custom: a counter, a timing line, text, a blank line. Cues are
// found by their timing lines, so a missing blank line or counter, or a blank line inside the
// text, still reads as the writer meant (each such defect reported).
ParsedSubtitles parse_srt(std::string_view raw, CueReport &report) {
    ParsedSubtitles parsed;
    const std::string text = normalise_text(raw, report);
    const auto lines = split_lines(text);
    std::vector<ReadCue> cues;
    std::optional<ReadCue> cue;      // the cue being read; empty before the first and after a bad timing line
    std::vector<NumberedLine> body;  // the lines after the last timing line (or before the first)
    const auto close = [&] {
        if (!cue) return;
        std::vector<std::string_view> text_lines;
        bool after_blank = false;
        for (const auto &line : body) {
            if (is_blank(line.text)) {
                after_blank = !text_lines.empty();
                continue;
            }
            if (after_blank)
                report.defect(line.number, "text after a blank line inside the cue at line " + std::to_string(cue->line),
                              "kept it as part of that cue");
            after_blank = false;
            text_lines.push_back(line.text);
        }
        cue->segment.text = join_text_lines(text_lines);
        cues.push_back(std::move(*cue));
        cue.reset();
    };
    bool seen_timing = false;
    for (const NumberedLine &line : lines) {
        if (!is_timing_line(line.text)) {
            body.push_back(line);
            continue;
        }
        // The last line before a timing line is its cue's counter when it is a number.
        const bool counter = !body.empty() && is_counter(body.back().text);
        if (counter) body.pop_back();
        const bool blank_before = body.empty() || is_blank(body.back().text);
        if (!seen_timing) {
            const auto stray = std::find_if(body.begin(), body.end(), [](const auto &l) { return !is_blank(l.text); });
            if (stray != body.end()) report.defect(stray->number, "text before the first cue", "dropped it");
        } else if (!blank_before) {
            report.defect(counter ? line.number - 1 : line.number, "a cue starts with no blank line before it",
                          "read it as a new cue");
        }
        close();
        body.clear();
        seen_timing = true;
        cue = read_timing_line(line, false, report);
    }
    if (!seen_timing) {  // not subtitles at all: say what the first line should have been
        for (const auto &line : body) {
            if (is_blank(line.text)) continue;
            if (is_counter(line.text)) report.fail(line.number + 1, "expected a timing line after the cue number");
            report.fail(line.number, "expected a cue number or a timing line, found '" + std::string(line.text) + "'");
        }
    }
    close();
    parsed.segments = finish_cues(std::move(cues), report);
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

// WebVTT as the specification's parser reads it: a block that cannot be parsed is dropped and the
// rest kept, and a timing line always starts a new cue, blank line or not.
ParsedSubtitles parse_vtt(std::string_view raw, CueReport &report) {
    ParsedSubtitles parsed;
    const std::string text = normalise_text(raw, report);
    const auto lines = split_lines(text);
    if (lines.empty() || lines[0].text.substr(0, 6) != "WEBVTT" ||
        (lines[0].text.size() > 6 && lines[0].text[6] != ' ' && lines[0].text[6] != '\t'))
        report.fail(1, "a WebVTT file must start with 'WEBVTT'");
    std::size_t i = 1;
    for (; i < lines.size() && !is_blank(lines[i].text); ++i) {  // header lines
        if (is_timing_line(lines[i].text)) {
            report.defect(lines[i].number, "no blank line after the header", "read the line as the first cue's timing line");
            break;
        }
        const std::string_view header = trim(lines[i].text);
        if (header.substr(0, 9) == "Language:") parsed.language = std::string(trim(header.substr(9)));
    }
    std::vector<ReadCue> cues;
    while (i < lines.size()) {
        if (is_blank(lines[i].text)) {
            ++i;
            continue;
        }
        // A block: up to a blank line, or up to a timing line that is not its first or second line.
        const std::size_t first = i;
        std::optional<std::size_t> timing;
        for (; i < lines.size() && !is_blank(lines[i].text); ++i) {
            if (!is_timing_line(lines[i].text)) continue;
            if (!timing && i - first <= 1) {
                timing = i;
                continue;
            }
            report.defect(lines[i].number, "a timing line with no blank line before it", "read it as a new cue");
            break;
        }
        if (!timing) {
            if (starts_block_to_skip(lines[first].text)) continue;
            report.defect(lines[first].number,
                          "a block with no timing line ('" + std::string(lines[first].text) + "', lines " +
                              std::to_string(lines[first].number) + "-" + std::to_string(lines[i - 1].number) + ")",
                          "dropped it");
            continue;
        }
        std::optional<ReadCue> cue = read_timing_line(lines[*timing], true, report);
        if (!cue) continue;
        std::vector<std::string_view> text_lines;
        for (std::size_t k = *timing + 1; k < i; ++k) text_lines.push_back(lines[k].text);
        cue->segment.text = strip_vtt_tags(join_text_lines(text_lines), cue->segment.speaker);
        cues.push_back(std::move(*cue));
    }
    parsed.segments = finish_cues(std::move(cues), report);
    return parsed;
}

// The JSON document is written by programs: it is read strictly whatever the reading asked for.
ParsedSubtitles parse_json_track(std::string_view raw, CueReport &report) {
    ParsedSubtitles parsed;
    const std::string text = normalise_text(raw, report);
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &error) {
        const std::size_t offset = error.byte;
        const std::size_t line =
            1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
        report.fail(line, std::string("not valid JSON: ") + error.what());
    } catch (const nlohmann::json::exception &error) {  // a number too large for a double (found by fuzz_json_track)
        report.fail(1, std::string("not valid JSON: ") + error.what());
    }
    try {
        SubtitleTrack track = document.get<SubtitleTrack>();
        parsed.language = track.language;
        std::vector<ReadCue> cues;
        for (std::size_t index = 0; index < track.segments.size(); ++index) {
            SubtitleSegment &segment = track.segments[index];
            const std::string where = "segment " + std::to_string(index + 1);
            if (segment.start_ms < 0) report.fail(1, where + " starts before 0");
            if (segment.end_ms <= segment.start_ms) report.fail(1, where + " ends before or when it starts");
            segment.id = 0;
            if (trim(segment.text).empty()) {
                parsed.repairs.push_back("dropped the empty " + where);
                continue;
            }
            cues.push_back({std::move(segment), index + 1, {}});
        }
        parsed.segments = finish_cues(std::move(cues), report);
    } catch (const nlohmann::json::exception &error) {
        report.fail(1, std::string("not a dubhost track document (docs/reference/subtitles.md): ") + error.what());
    }
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

ParsedSubtitles parse_subtitles(std::string_view text, SubtitleFormat format, const std::string &source_name,
                                SubtitleReading reading) {
    std::vector<std::string> repairs;
    CueReport report(source_name, format == SubtitleFormat::json ? SubtitleReading::strict : reading, repairs);
    ParsedSubtitles parsed;
    switch (format) {
    case SubtitleFormat::srt:
        parsed = parse_srt(text, report);
        break;
    case SubtitleFormat::vtt:
        parsed = parse_vtt(text, report);
        break;
    case SubtitleFormat::json:
        parsed = parse_json_track(text, report);
        break;
    }
    parsed.repairs = std::move(repairs);
    return parsed;
}

ParsedSubtitles read_subtitle_file(const std::filesystem::path &path, std::optional<SubtitleFormat> format,
                                   SubtitleReading reading) {
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
    ParsedSubtitles parsed = parse_subtitles(content.str(), *format, path.filename().string(), reading);
    if (parsed.segments.empty()) {
        std::string message = path.string() + " has no cues with text";
        for (std::size_t i = 0; i < parsed.repairs.size(); ++i) message += (i == 0 ? ": " : "; ") + parsed.repairs[i];
        throw user_error("empty-subtitles", message, "check that it is the right file");
    }
    return parsed;
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
