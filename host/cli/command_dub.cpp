// `dubhost dub VIDEO`: the whole pipeline in one command, with a per-stage summary.
#include "commands.hpp"

#include "dub_runner.hpp"

#include "dubhost/host/record_json.hpp"
#include "dubhost/host/stage_table.hpp"

#include <CLI/CLI.hpp>
#include <dubhost/support/error.hpp>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace dubhost::cli {
namespace {

// "a=b,c=d" (or repeated options) -> {a: b, c: d}
std::map<std::string, std::string> pairs(const std::vector<std::string> &items, const std::string &what) {
    std::map<std::string, std::string> map;
    for (const auto &item : items) {
        std::stringstream list(item);
        for (std::string pair; std::getline(list, pair, ',');) {
            const auto equals = pair.find('=');
            if (equals == std::string::npos || equals == 0 || equals + 1 == pair.size())
                throw user_error("bad-option", "'" + pair + "' is not " + what, "write it as " + what);
            map[pair.substr(0, equals)] = pair.substr(equals + 1);
        }
    }
    return map;
}

struct DubOptions {
    std::string video, subtitles, language, to, from, output, background;
    bool keep_overrun = false;
    bool strict_subtitles = false;
    std::vector<std::string> voices, backends;
};

void dub(CliContext &context, const DubOptions &options) {
    DubRequest request;
    request.video = options.video;
    if (!options.subtitles.empty()) request.subtitles = options.subtitles;
    request.language = options.language;
    request.to = options.to;
    request.from = options.from;
    request.voices = pairs(options.voices, "SPEAKER=VOICE");
    request.backends = pairs(options.backends, "CAPABILITY=ID");
    if (!options.output.empty()) request.output = options.output;
    request.background = options.background;
    request.keep_overrun = options.keep_overrun;
    if (options.strict_subtitles) request.subtitle_reading = SubtitleReading::strict;

    const auto mode = context.options.json    ? ProgressDisplay::Mode::json_lines
                      : context.options.quiet ? ProgressDisplay::Mode::quiet
                                              : ProgressDisplay::Mode::automatic;
    const DubResult result = run_dub_here(context, request, mode);

    if (context.options.json) {
        nlohmann::json document = dub_result_json(result);
        document["event"] = "finished";
        CliContext::print_json(document);
        return;
    }
    for (const auto &repair : result.subtitle_repairs)
        std::cerr << "note: " << request.subtitles->filename().string() << ": " << repair << "\n";
    std::cout << "dub of item " << result.item_id << ":\n";
    for (const auto &stage : result.stages) {
        std::cout << "  " << std::left << std::setw(10) << stage.stage;
        if (stage.backend.empty()) {
            std::cout << std::setw(14) << "-" << stage.note << "\n";
            continue;
        }
        std::cout << std::setw(14) << stage.backend << (stage.skipped ? "up to date" : [&] {
            std::ostringstream took;
            took << std::fixed << std::setprecision(1) << stage.seconds << " s";
            return took.str();
        }()) << "\n";
        if (!stage.note.empty()) std::cout << "             note: " << stage.note << "\n";
        for (const auto &path : stage.outputs) std::cout << "             " << path << "\n";
    }
    std::cout << result.output.string() << "\n";
}

}  // namespace

void add_dub_command(CLI::App &app, CliContext &context, Action &action) {
    static DubOptions options;
    auto *dub_command = app.add_subcommand("dub", "Dub a video: import, then every stage (" + stage_list() + ")");
    dub_command->add_option("VIDEO", options.video, "The video (or audio) file")->required();
    dub_command->add_option("--subtitles", options.subtitles,
                            "The text to speak, FILE.srt or FILE.vtt (skips speech recognition)");
    dub_command->add_option("--language", options.language, "Language of the subtitles (ISO 639, e.g. en)");
    dub_command->add_option("--to", options.to, "Translate into this language and dub that (ISO 639, e.g. es)");
    dub_command->add_option("--from", options.from, "The spoken language when neither the subtitles nor ASR say it");
    dub_command->add_option("--voices", options.voices, "SPEAKER=VOICE,... (see `dubhost speakers ITEM`)");
    dub_command->add_option("--backend", options.backends, "CAPABILITY=ID, e.g. tts=espeak-ng (repeatable)");
    dub_command
        ->add_option("--background", options.background,
                     "stem (separated; default when a separator is installed), original (ducked) or none (the speech alone; "
                     "the default for a video with no sound track)")
        ->check(CLI::IsMember({"stem", "original", "none"}));
    dub_command->add_flag("--strict-subtitles", options.strict_subtitles,
                          "Refuse the subtitles at their first defect instead of repairing them as a player would");
    dub_command->add_flag("--keep-overrun", options.keep_overrun,
                          "Keep subtitle cues past the video's end (by default they are cut, with the speech)");
    dub_command->add_option(
        "-o,--output", options.output,
        "Where to write the result, as its extension says: .mp4, .mkv (the video with the dub) or .m4a, .wav, .flac, "
        ".ogg, .opus, .mp3 (the dub alone); default ./<name>.dub.mp4 (audio: .dub.<its extension>)");
    dub_command->add_flag("--json", context.options.json,
                          "Progress as JSON lines, then {event: finished, item_id, stages, output, subtitle_repairs}");
    dub_command->callback([&context, &action] { action = [&context] { dub(context, options); }; });
}

}  // namespace dubhost::cli
