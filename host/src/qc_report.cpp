// `dubhost qc ITEM` (qc_report.hpp): the checks on the spoken track, the mix's manifest and the
// last mux's result, written as one report.
#include "dubhost/host/qc_report.hpp"

#include "dubhost/host/stage_table.hpp"
#include "subtitle_reading.hpp"

#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>
#include <dubhost/support/json_fields.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

constexpr double max_characters_per_second = 17.0;

std::string folded(const std::string &text) {
    std::string out;
    for (unsigned char c : text)
        if (std::isalnum(c) || c >= 0x80) out.push_back(static_cast<char>(std::tolower(c)));
    return out;
}

std::string output_of(const std::optional<JobRecord> &job, const std::string &name) {
    if (!job) return {};
    for (const auto &artifact : job->artifacts)
        if (artifact.role == "output" && artifact.name == name) return artifact.path;
    return {};
}

nlohmann::json issue(const SubtitleSegment &segment, const std::string &kind, const std::string &detail,
                     const std::string &severity) {
    return {{"segment_id", segment.id}, {"start", segment.start_ms}, {"end", segment.end_ms}, {"kind", kind},
            {"detail", detail},         {"severity", severity}};
}

// The track the dub speaks: the one the newest tts job used, else the newest script track.
std::optional<SubtitleTrack> spoken_track(const Workspace &workspace, const Item &item, const std::optional<JobRecord> &tts) {
    if (tts) {
        const auto params = nlohmann::json::parse(tts->params_json, nullptr, false);
        if (params.is_object() && integer_field(params, "track", 0) > 0)
            return workspace.require_track(integer_field(params, "track", 0));
    }
    const auto tracks = workspace.tracks(item.id);
    for (auto it = tracks.rbegin(); it != tracks.rend(); ++it)
        if (it->kind != "source") return *it;
    if (!tracks.empty()) return tracks.back();
    return std::nullopt;
}

void check_segments(const SubtitleTrack &track, const std::optional<SubtitleTrack> &source, nlohmann::json &issues) {
    for (std::size_t i = 0; i < track.segments.size(); ++i) {
        const SubtitleSegment &segment = track.segments[i];
        const double seconds = static_cast<double>(segment.end_ms - segment.start_ms) / 1000.0;
        if (folded(segment.text).empty()) issues.push_back(issue(segment, "empty", "no text to speak", "warning"));
        const double cps = static_cast<double>(subtitle_reading::code_points(segment.text)) / seconds;
        if (cps > max_characters_per_second) {
            char detail[96];
            std::snprintf(detail, sizeof detail, "%.1f characters per second (over %.0f): shorten the text or widen the window",
                          cps, max_characters_per_second);
            issues.push_back(issue(segment, "reading-speed", detail, "warning"));
        }
        if (i > 0 && segment.start_ms < track.segments[i - 1].end_ms)
            issues.push_back(issue(segment, "overlap",
                                   "starts " + std::to_string(track.segments[i - 1].end_ms - segment.start_ms) +
                                       " ms before the previous segment ends",
                                   "warning"));
        if (source && source->id != track.id) {
            for (const auto &original : source->segments) {
                const bool overlaps = original.start_ms < segment.end_ms && segment.start_ms < original.end_ms;
                if (overlaps && !folded(segment.text).empty() && folded(original.text) == folded(segment.text)) {
                    issues.push_back(issue(segment, "untranslated", "same text as the source track", "warning"));
                    break;
                }
            }
        }
    }
}

// What the translation left to fix: lines it left empty, words it did not know, and a track most of
// whose words it did not know (likely not in the language it was said to be in).
void check_translation(const Workspace &workspace, const Item &item, const SubtitleTrack &track, const SubtitleTrack &source,
                       nlohmann::json &issues) {
    const std::string edit = "`dubhost track set-text " + std::to_string(track.id) + " ";
    for (std::size_t i = 0; i < track.segments.size() && i < source.segments.size(); ++i)
        if (folded(track.segments[i].text).empty() && !folded(source.segments[i].text).empty())
            issues.push_back(issue(track.segments[i], "empty-translation",
                                   "the translation of \"" + source.segments[i].text + "\" is empty: write it with " + edit +
                                       std::to_string(track.segments[i].id) + " \"...\"`",
                                   "error"));
    std::optional<nlohmann::json> result;  // of the translate job that made this track
    for (const auto &job : workspace.jobs(item.id)) {
        const auto answered = nlohmann::json::parse(job.result_json.empty() ? "null" : job.result_json, nullptr, false);
        if (job.stage == "translate" && answered.is_object() && integer_field(answered, "track_id", 0) == track.id)
            result = answered;
    }
    if (!result) return;
    std::map<std::int64_t, std::size_t> position;  // source segment id -> index
    for (std::size_t i = 0; i < source.segments.size(); ++i) position[source.segments[i].id] = i;
    for (const auto &unknown : result->value("unknown_words", nlohmann::json::array())) {
        const auto at = position.find(integer_field(unknown, "segment_id", 0));
        if (at == position.end() || at->second >= track.segments.size()) continue;
        std::string words;
        for (const auto &word : unknown.value("words", nlohmann::json::array()))
            if (word.is_string()) words += (words.empty() ? "" : ", ") + word.get<std::string>();
        issues.push_back(issue(track.segments[at->second], "unknown-words",
                               "left untranslated (not in the dictionary): " + words + "; correct the line with " + edit +
                                   std::to_string(track.segments[at->second].id) + " \"...\"` if they needed translating",
                               "info"));
    }
    const double words = result->value("words", 0.0), unknown = result->value("unknown_word_count", 0.0);
    if (words >= 10 && unknown / words > 0.4) {
        char detail[256];
        std::snprintf(detail, sizeof detail,
                      "%.0f of %.0f words were not in the dictionary: is track %lld really in %s? Translate it again with "
                      "--from LANGUAGE",
                      unknown, words, static_cast<long long>(source.id), source.language.c_str());
        issues.push_back(issue(SubtitleSegment{}, "untranslated", detail, "error"));
    }
}

}  // namespace

nlohmann::json build_qc_report(const Workspace &workspace, const Item &item) {
    const auto tts = workspace.last_succeeded_job(item.id, "tts");
    const auto mix = workspace.last_succeeded_job(item.id, "mix");
    const auto track = spoken_track(workspace, item, tts);
    if (!track)
        throw user_error("missing-prerequisite", "item " + item.id + " has no subtitle track to check",
                         "add one with `dubhost track import " + item.id + " FILE.srt` or run `dubhost run asr " + item.id + "`");
    // What the track should differ from: a translation's original, else the newest source track.
    std::optional<SubtitleTrack> source;
    if (track->kind == "translation" && track->source_track > 0)
        source = workspace.require_track(track->source_track);
    else
        for (const auto &candidate : workspace.tracks(item.id))
            if (candidate.kind == "source") source = candidate;

    nlohmann::json issues = nlohmann::json::array();
    check_segments(*track, source, issues);
    if (track->kind == "translation" && source && source->id == track->source_track)
        check_translation(workspace, item, *track, *source, issues);

    std::map<std::string, std::string> voices;
    for (const auto &speaker : workspace.speakers(item.id)) voices[speaker.label] = speaker.voice;
    std::map<std::string, bool> reported;
    for (const auto &segment : track->segments)
        if (!segment.speaker.empty() && voices[segment.speaker].empty() && !reported[segment.speaker]) {
            reported[segment.speaker] = true;
            issues.push_back(issue(segment, "speaker-without-voice",
                                   "speaker " + segment.speaker +
                                       " has no chosen voice (an automatic one is used): `dubhost speakers set " + item.id + " " +
                                       segment.speaker + " --voice V`",
                                   "info"));
        }

    nlohmann::json mix_section = nullptr;
    const auto mix_manifest = read_json_file(output_of(mix, "mix_manifest"));
    if (mix_manifest.is_object()) {
        std::map<std::int64_t, const SubtitleSegment *> by_id;
        for (const auto &segment : track->segments) by_id[segment.id] = &segment;
        for (const auto &placed : mix_manifest.value("segments", nlohmann::json::array())) {
            const std::string action = placed.value("action", std::string());
            if (action != "overrun" && action != "truncated") continue;
            SubtitleSegment where{0, integer_field(placed, "start", 0), integer_field(placed, "end", 0), "", ""};
            const std::string id = placed.value("segment_id", std::string());
            try {
                if (auto found = by_id.find(std::stoll(id)); found != by_id.end()) where = *found->second;
            } catch (const std::exception &) {
            }
            // What to do: a shorter line, or a faster tempo than the mix allowed.
            char faster[16];
            std::snprintf(faster, sizeof faster, "%.2g",
                          std::min(2.0, mix_manifest.value("params", nlohmann::json::object()).value("max_tempo", 1.35) + 0.25));
            const std::string fix = "; shorten the line (`dubhost track set-text " + std::to_string(track->id) + " " +
                                    std::to_string(where.id) + " \"...\"`) or allow a faster tempo (`dubhost run mix " + item.id +
                                    " --param max_tempo=" + faster + "`)";
            issues.push_back(issue(
                where, action == "overrun" ? "overrun" : "truncated",
                (action == "overrun"
                     ? "speech runs " + std::to_string(integer_field(placed, "overrun_ms", 0)) +
                           " ms past its window at the fastest tempo"
                     : std::to_string(integer_field(placed, "truncated_ms", 0)) + " ms of speech cut before the next segment") +
                    fix,
                action == "overrun" ? "warning" : "error"));
        }
        const auto loudness = mix_manifest.value("loudness", nlohmann::json::object()).value("after", nlohmann::json::object());
        const auto params = mix_manifest.value("params", nlohmann::json::object());
        const double integrated = loudness.value("integrated_lufs", -70.0), peak = loudness.value("true_peak_dbtp", 0.0);
        const double target = params.value("target_lufs", -16.0), limit = params.value("true_peak_db", -1.0);
        const bool loudness_ok = std::abs(integrated - target) <= 1.0, peak_ok = peak <= limit + 0.1;
        mix_section = {{"integrated_lufs", integrated}, {"true_peak_dbtp", peak},     {"target_lufs", target},
                       {"true_peak_limit_db", limit},   {"loudness_ok", loudness_ok}, {"clipping", !peak_ok}};
        SubtitleSegment whole{0, 0, integer_field(mix_manifest, "duration_ms", 0), "", ""};
        const std::string background = text_field(mix_manifest, "background_mode");
        mix_section["background"] = background;
        if (background == "none")
            issues.push_back(issue(whole, "speech-only",
                                   has_sound_track(item)
                                       ? "the dub is the speech alone (mixed with --background none): no background, no "
                                         "original track"
                                       : "the video has no sound track: the dubbed speech is its only audio (nothing "
                                         "separated, no original track)",
                                   "info"));
        if (!loudness_ok)
            issues.push_back(issue(whole, "loudness",
                                   "mix is at " + std::to_string(integrated) + " LUFS, target " + std::to_string(target),
                                   "error"));
        if (!peak_ok)
            issues.push_back(issue(whole, "clipping",
                                   "true peak " + std::to_string(peak) + " dBTP over the limit " + std::to_string(limit),
                                   "error"));
    }

    // What the video's end cut from the last mux: a cue after it is neither heard nor shown.
    if (const auto mux = workspace.last_succeeded_job(item.id, "mux")) {
        const auto answered = nlohmann::json::parse(mux->result_json.empty() ? "null" : mux->result_json, nullptr, false);
        if (answered.is_object())
            for (const auto &cue : answered.value("cut_cues", nlohmann::json::array())) {
                if (cue.value("language", std::string()) != track->language) continue;  // the spoken track's cues
                SubtitleSegment where{integer_field(cue, "segment_id", 0), integer_field(cue, "start", 0),
                                      integer_field(cue, "end", 0), "", ""};
                const bool dropped = cue.value("action", std::string()) == "dropped";
                issues.push_back(issue(where, "cut-at-end",
                                       (dropped ? std::string("starts after the video ends: not heard, not shown")
                                                : std::to_string(integer_field(cue, "cut_ms", 0)) +
                                                      " ms past the video's end cut (the speech fades out)") +
                                           "; move it earlier or shorten it (`dubhost track set-text`), or keep it with "
                                           "`dubhost dub --keep-overrun`",
                                       dropped ? "error" : "warning"));
            }
    }

    const nlohmann::json report = {{"item_id", item.id},
                                   {"track_id", track->id},
                                   {"segments", track->segments.size()},
                                   {"tts_job", tts ? nlohmann::json(tts->id) : nlohmann::json(nullptr)},
                                   {"mix_job", mix ? nlohmann::json(mix->id) : nlohmann::json(nullptr)},
                                   {"mix", mix_section},
                                   {"issues", issues}};
    const fs::path path = workspace.derived_item_dir(item.id) / "qc" / "report.json";
    fs::create_directories(path.parent_path());
    write_file_atomically(path, report.dump(2) + "\n");
    return report;
}

}  // namespace dubhost
