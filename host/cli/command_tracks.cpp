// `dubhost tracks ITEM`, `dubhost track import ITEM FILE`, `dubhost track export TRACK`,
// `dubhost track set-text TRACK SEGMENT TEXT`.
#include "commands.hpp"

#include "dubhost/host/subtitle_formats.hpp"

#include <CLI/CLI.hpp>
#include <dubhost/support/atomic_file.hpp>
#include <dubhost/support/error.hpp>

#include <iostream>

namespace dubhost::cli {
namespace {

SubtitleFormat require_format(const std::string &name) {
    const auto format = subtitle_format_from_name(name);
    if (!format) throw user_error("unknown-subtitle-format", "unknown subtitle format '" + name + "'", "use srt, vtt or json");
    return *format;
}

struct TrackImportOptions {
    std::string item;
    std::string file;
    std::string kind = "source";
    std::string language;
    std::string format;
    std::int64_t source_track = 0;
    bool strict = false;
};

struct TrackExportOptions {
    std::int64_t track = 0;
    std::string format = "srt";
    std::string output;
};

void import_track(CliContext &context, const TrackImportOptions &options) {
    Workspace &workspace = context.workspace();
    const Item item = workspace.require_item(options.item);
    const std::filesystem::path path(options.file);
    const auto format = options.format.empty() ? std::optional<SubtitleFormat>() : require_format(options.format);
    ParsedSubtitles parsed =
        read_subtitle_file(path, format, options.strict ? SubtitleReading::strict : SubtitleReading::tolerant);
    SubtitleTrack track;
    track.item_id = item.id;
    track.kind = options.kind;
    track.language = options.language.empty() ? parsed.language : options.language;
    track.created_by = "import:" + path.filename().string();
    track.segments = std::move(parsed.segments);
    if (options.source_track > 0) {
        const SubtitleTrack source = workspace.require_track(options.source_track);
        if (source.item_id != item.id)
            throw user_error("wrong-track", "track " + std::to_string(source.id) + " belongs to item " + source.item_id,
                             "list this item's tracks with `dubhost tracks " + item.id + "`");
        track.source_track = source.id;
    }
    track.id = workspace.add_track(track);
    if (context.options.json) {
        CliContext::print_json(
            {{"track_id", track.id}, {"item_id", item.id}, {"segments", track.segments.size()}, {"repairs", parsed.repairs}});
        return;
    }
    for (const auto &repair : parsed.repairs) std::cerr << "note: " << path.filename().string() << ": " << repair << "\n";
    std::cout << "imported " << track.segments.size() << " segments from " << path.string() << " as track " << track.id
              << " of item " << item.id << "\n";
}

void export_track(CliContext &context, const TrackExportOptions &options) {
    const SubtitleTrack track = context.workspace().require_track(options.track);
    const std::string text = write_subtitles(track, require_format(options.format));
    if (options.output.empty() || options.output == "-") {
        std::cout << text;
        return;
    }
    write_file_atomically(options.output, text);
}

}  // namespace

void add_speaker_commands(CLI::App &app, CliContext &context, Action &action) {
    static std::string item_id, speaker, voice;
    auto *speakers = app.add_subcommand("speakers", "List an item's speakers and their voices, or set one with `speakers set`");
    speakers->add_option("ITEM", item_id, "Item id (or a unique prefix)");
    speakers->add_flag("--json", context.options.json, "Print JSON: {\"item_id\", \"speakers\": [{label, voice}]}");
    auto *set = speakers->add_subcommand("set", "Choose the voice of one speaker of an item");
    set->add_option("ITEM", item_id, "Item id (or a unique prefix)")->required();
    set->add_option("SPEAKER", speaker, "Speaker label (as in the track)")->required();
    set->add_option("--voice", voice, "A voice of the TTS backend, e.g. gmw/en+f3 (see `dubhost backends --json`)")->required();
    set->callback([&context, &action] {
        action = [&context] {
            Workspace &workspace = context.workspace();
            const Item item = workspace.require_item(item_id);
            workspace.set_speaker_voice(item.id, speaker, voice);
            std::cout << "speaker " << speaker << " of item " << item.id << " now speaks with " << voice << "; `dubhost run tts "
                      << item.id << "` uses it\n";
        };
    });
    speakers->callback([&context, &action, set] {
        if (set->parsed()) return;
        action = [&context] {
            if (item_id.empty()) throw user_error("missing-item", "which item?", "run `dubhost speakers ITEM`");
            Workspace &workspace = context.workspace();
            const Item item = workspace.require_item(item_id);
            const auto all = workspace.speakers(item.id);
            if (context.options.json) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto &s : all) list.push_back({{"label", s.label}, {"voice", s.voice}});
                CliContext::print_json({{"item_id", item.id}, {"speakers", list}});
                return;
            }
            if (all.empty()) std::cout << "item " << item.id << " has no labelled speakers yet (diarization labels them)\n";
            for (const auto &s : all) std::cout << s.label << "  " << (s.voice.empty() ? "(automatic)" : s.voice) << "\n";
        };
    });
}

void add_track_commands(CLI::App &app, CliContext &context, Action &action) {
    static std::string tracks_item;
    auto *tracks = app.add_subcommand("tracks", "List an item's subtitle tracks");
    tracks->add_option("ITEM", tracks_item, "Item id (or a unique prefix)")->required();
    tracks->add_flag("--json", context.options.json, "Print JSON: {\"tracks\": [{id, kind, language, created_by, segments}]}");
    tracks->callback([&context, &action] {
        action = [&context] {
            Workspace &workspace = context.workspace();
            const Item item = workspace.require_item(tracks_item);
            const auto all = workspace.tracks(item.id);
            if (context.options.json) {
                CliContext::print_json({{"item_id", item.id}, {"tracks", all}});
                return;
            }
            if (all.empty())
                std::cout << "item " << item.id << " has no tracks: `dubhost track import " << item.id << " FILE.srt` adds one\n";
            for (const auto &track : all)
                std::cout << track.id << "  " << track.kind << "  " << (track.language.empty() ? "-" : track.language) << "  "
                          << track.segments.size() << " segments  " << track.created_by
                          << (track.source_track > 0 ? "  (from track " + std::to_string(track.source_track) + ")" : "") << "\n";
        };
    });

    auto *track = app.add_subcommand("track", "Import, export or edit one subtitle track");
    track->require_subcommand(1);
    static TrackImportOptions import_options;
    auto *import_command = track->add_subcommand("import", "Add a track to an item from an SRT, WebVTT or dubhost JSON file");
    import_command->add_option("ITEM", import_options.item, "Item id (or a unique prefix)")->required();
    import_command->add_option("FILE", import_options.file, "FILE.srt, FILE.vtt or FILE.json")->required();
    import_command->add_option("--kind", import_options.kind, "source (what is said), script (what to speak) or translation")
        ->check(CLI::IsMember({"source", "script", "translation"}));
    import_command->add_option("--language", import_options.language, "Language tag, e.g. en or de");
    import_command->add_option("--format", import_options.format, "srt, vtt or json (default: from the file name)");
    import_command->add_option("--source-track", import_options.source_track,
                               "The track this one translates (its original goes into the dubbed video's subtitles too)");
    import_command->add_flag("--strict", import_options.strict,
                             "Refuse the file at its first defect instead of repairing it or dropping the block as a player "
                             "would (docs/reference/subtitles.md)");
    import_command->add_flag("--json", context.options.json, "Print JSON: {track_id, item_id, segments, repairs}");
    import_command->callback([&context, &action] { action = [&context] { import_track(context, import_options); }; });

    static TrackExportOptions export_options;
    auto *export_command = track->add_subcommand("export", "Write a track as SRT, WebVTT or dubhost JSON");
    export_command->add_option("TRACK", export_options.track, "Track id (see `dubhost tracks ITEM`)")->required();
    export_command->add_option("--format", export_options.format, "srt, vtt or json")
        ->check(CLI::IsMember({"srt", "vtt", "json"}));
    export_command->add_option("-o,--output", export_options.output,
                               "Write to this file (atomically) instead of standard output");
    export_command->callback([&context, &action] { action = [&context] { export_track(context, export_options); }; });

    static std::int64_t edited_track = 0, edited_segment = 0;
    static std::string new_text;
    auto *set_text = track->add_subcommand(
        "set-text", "Replace one segment's text in place; the next dub or `run tts` speaks only what changed");
    set_text->add_option("TRACK", edited_track, "Track id (see `dubhost tracks ITEM`)")->required();
    set_text->add_option("SEGMENT", edited_segment, "Segment id (the \"id\" in `dubhost track export TRACK --format json`)")
        ->required();
    set_text->add_option("TEXT", new_text, "The new text")->required();
    set_text->callback([&context, &action] {
        action = [&context] {
            context.workspace().set_segment_text(edited_track, edited_segment, new_text);
            std::cout << "segment " << edited_segment << " of track " << edited_track << " now reads: " << new_text << "\n";
        };
    });
}

}  // namespace dubhost::cli
