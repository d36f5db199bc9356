// The apertium translate backend: a subtitle track's segments through `apertium -z -f none MODE`
// in one child process (argv, no shell), one NUL-terminated block per segment so that no segment
// can run into the next; progress as blocks come back; cancellable. Job schema: docs/reference/jobs.md.
#include "apertium_pairs.hpp"
#include "apertium_stream.hpp"

#include <dubhost/plugin.hpp>
#include <dubhost/support/language_codes.hpp>
#include <dubhost/support/process.hpp>

#include "dubhost_manifest.h"

#include <algorithm>
#include <filesystem>

namespace {

namespace fs = std::filesystem;
using dubhost::sdk::CallError;
using dubhost::sdk::json;
namespace apertium = dubhost::apertium;

constexpr const char *install_hint = "apt-get install apertium apertium-eng-spa";

bool blank(const std::string &text) { return text.find_first_not_of(" \t\r\n\xC2\xA0") == std::string::npos; }

// `apertium -l` on this machine: the modes, or why there are none.
struct Listing {
    std::vector<apertium::Mode> modes;
    std::string problem;  // empty when the program ran
};

Listing list_modes() {
    const dubhost::ProcessResult listed = dubhost::run_process({"apertium", "-l"}, std::chrono::seconds(20));
    if (!listed.started) return {{}, "the apertium program is not installed (" + listed.start_error + ")"};
    if (!listed.succeeded()) return {{}, "`apertium -l` failed: " + listed.outcome() + " " + listed.last_lines(3)};
    return {apertium::parse_modes(listed.out), {}};
}

dubhost::Language language_of(const json &value, const std::string &what) {
    const std::string code = value.is_string() ? value.get<std::string>() : std::string();
    if (const auto language = dubhost::find_language(code)) return *language;
    throw CallError(DUBHOST_STATUS_BAD_REQUEST, "unknown-language", what + " '" + code + "' is not an ISO 639 language code",
                    "pass a code such as en or es");
}

std::string missing_pair_hint(const dubhost::Language &from, const dubhost::Language &to) {
    if (const auto package = apertium::pair_package(from, to)) return "apt-get install " + *package;
    return "Debian has no apertium pair for " + from.name + " and " + to.name +
           "; `apt-cache search apertium-` lists the pairs there are";
}

class ApertiumBackend : public dubhost::sdk::Backend {
public:
    json status(const dubhost::sdk::Host &, const json &) override {
        const Listing listing = list_modes();
        if (!listing.problem.empty())
            return {{"installed", false},
                    {"version", ""},
                    {"missing", {"apertium"}},
                    {"notes", {listing.problem, "install it and a language pair: " + std::string(install_hint)}}};
        json pairs = json::array();
        for (const auto &mode : listing.modes)
            pairs.push_back({{"mode", mode.name}, {"from", mode.from}, {"to", mode.to}, {"variant", mode.variant}});
        // Pairs Debian has that are not installed, with the command that adds each: `dubhost dub --to`
        // names it before any work when the pair it needs is missing.
        json installable = json::array();
        for (const auto &package : apertium::debian_pair_packages()) {
            bool present = false;
            for (const auto &mode : listing.modes)
                present = present || (package.languages.first == mode.from && package.languages.second == mode.to) ||
                          (package.languages.first == mode.to && package.languages.second == mode.from);
            if (!present)
                installable.push_back({{"languages", {package.languages.first, package.languages.second}},
                                       {"install", "apt-get install " + package.name}});
        }
        json status = {{"installed", !pairs.empty()},
                       {"version", version()},
                       {"disk_bytes", 0},
                       {"pairs", pairs},
                       {"installable", installable}};
        status["missing"] = pairs.empty() ? json::array({"an apertium language pair"}) : json::array();
        status["notes"] = pairs.empty() ? json::array({"no language pair is installed: " + std::string(install_hint)})
                                        : json::array({std::to_string(pairs.size()) + " translation directions"});
        return status;
    }

    json run(const dubhost::sdk::Host &host, const json &job) override {
        const json &inputs = job.at("inputs");
        const json &track = inputs.at("track");
        const dubhost::Language from = language_of(inputs.value("source_language", json()), "source language");
        const dubhost::Language to = language_of(inputs.value("target_language", json()), "target language");
        const int timeout = job.value("params", json::object()).value("timeout_seconds", 600);
        if (timeout < 10 || timeout > 86400)
            throw CallError(DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "timeout_seconds must be between 10 and 86400",
                            "pass --param timeout_seconds=600");

        const Listing listing = list_modes();
        if (!listing.problem.empty())
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "not-installed", listing.problem, install_hint);
        const auto mode = apertium::find_mode(listing.modes, from, to);
        if (!mode)
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "pair-not-installed",
                            "apertium has no " + from.name + " to " + to.name + " pair on this machine",
                            missing_pair_hint(from, to));

        // Blank segments are not sent: they stay blank, and every other one is one block.
        const json &segments = track.at("segments");
        std::string stream;
        std::vector<std::size_t> sent;  // indexes of the segments sent, in order
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const std::string text = segments[i].value("text", std::string());
            if (blank(text)) continue;
            stream += apertium::to_stream(text);
            stream.push_back('\0');
            sent.push_back(i);
        }
        std::string output;
        if (!sent.empty()) output = translate(host, mode->name, stream, sent.size(), timeout);
        const auto blocks = apertium::split_blocks(output, sent.size());
        if (blocks.size() != sent.size())
            throw CallError(
                DUBHOST_STATUS_ERROR, "translation-misaligned",
                "apertium returned " + std::to_string(blocks.size()) + " translated segments for " + std::to_string(sent.size()),
                "report it with the job log; the input it was given is in the log");

        json translated = json::array(), unknown = json::array(), emptied = json::array();
        std::size_t next = 0, words = 0, unknown_count = 0;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            json segment = segments[i];
            if (next < sent.size() && sent[next] == i) {
                const apertium::Translated result = apertium::from_stream(blocks[next++]);
                if (blank(result.text)) emptied.push_back(segment.at("id"));
                if (!result.unknown_words.empty())
                    unknown.push_back({{"segment_id", segment.at("id")}, {"words", result.unknown_words}});
                unknown_count += result.unknown_words.size();
                words += word_count(result.text);
                segment["text"] = result.text;
            }
            translated.push_back(std::move(segment));
        }
        const fs::path path = job.at("outputs").at("track").get<std::string>();
        fs::create_directories(path.parent_path());
        dubhost::sdk::write_file_atomically(path, json{{"kind", "translation"},
                                                       {"language", to.canonical},
                                                       {"created_by", "apertium " + mode->name},
                                                       {"segments", translated}}
                                                      .dump(2));
        host.info("translated " + std::to_string(sent.size()) + " segments with apertium " + mode->name + "; " +
                  std::to_string(unknown_count) + " unknown words");
        return {{"outputs", {{"track", path.string()}}},
                {"mode", mode->name},
                {"segments", sent.size()},
                {"words", words},
                {"unknown_words", unknown},
                {"unknown_word_count", unknown_count},
                {"empty_segments", emptied}};
    }

private:
    static std::size_t word_count(const std::string &text) {
        std::size_t words = 0;
        bool in_word = false;
        for (const char c : text) {
            const bool space = c == ' ' || c == '\n' || c == '\t';
            if (!space && !in_word) ++words;
            in_word = !space;
        }
        return words;
    }

    // "Apertium 3.8.3", asked once per process (status is called before every stage runs).
    static std::string version() {
        static const std::string printed = [] {
            const dubhost::ProcessResult result = dubhost::run_process({"apertium", "-V"}, std::chrono::seconds(10));
            const std::string text = result.out.empty() ? result.err : result.out;
            return text.substr(0, text.find('\n'));
        }();
        return printed;
    }

    // One child process for the whole track; blocks are counted as they come back for progress.
    static std::string translate(const dubhost::sdk::Host &host, const std::string &mode, const std::string &stream,
                                 std::size_t expected, int timeout) {
        dubhost::ProcessRequest request;
        request.argv = {"apertium", "-z", "-f", "none", mode};
        request.stdin_data = stream;
        request.timeout = std::chrono::seconds(timeout);
        request.cancelled = [&host] { return host.cancelled(); };
        std::size_t done = 0;
        request.on_output = [&](std::string_view piece) {
            const auto blocks = static_cast<std::size_t>(std::count(piece.begin(), piece.end(), '\0'));
            if (blocks == 0 || done >= expected) return;
            done = std::min(expected, done + blocks);
            host.progress(static_cast<double>(done) / static_cast<double>(expected),
                          "segment " + std::to_string(done) + " of " + std::to_string(expected));
        };
        const dubhost::ProcessResult result = dubhost::run_process(request);
        if (result.cancelled) throw CallError(DUBHOST_STATUS_CANCELLED, "cancelled", "cancelled by the user");
        if (!result.started)
            throw CallError(DUBHOST_STATUS_NOT_INSTALLED, "not-installed", "could not run apertium: " + result.start_error,
                            install_hint);
        if (!result.succeeded())
            throw CallError(DUBHOST_STATUS_ERROR, "apertium-failed",
                            "`apertium -z -f none " + mode + "` " + result.outcome() + ": " + result.last_lines(5),
                            result.timed_out ? "pass a longer --param timeout_seconds" : "see the job log");
        return result.out;
    }
};

}  // namespace

DUBHOST_PLUGIN(dubhost::sdk::PluginDefinition(DUBHOST_MANIFEST_JSON).backend<ApertiumBackend>("apertium"))
