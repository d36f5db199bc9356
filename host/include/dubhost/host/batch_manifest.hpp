// The manifest of a batch (docs/batch.md): one row per dub, as JSON lines or CSV with the same
// column names. Every malformed row is reported with its line number before anything is submitted.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dubhost {

struct BatchRow {
    std::size_t line = 0;  // in the manifest, for messages
    std::filesystem::path video;
    std::optional<std::filesystem::path> subtitles;
    std::string language;  // of the subtitles
    std::string to;        // translate into this language first
    std::string from;
    std::filesystem::path output;
    std::string background;                       // "", stem, original or none
    std::map<std::string, std::string> backends;  // capability -> backend id (column backend.<capability>)
};

// Reads MANIFEST (.jsonl / .json lines, or .csv). Relative paths are relative to its folder and
// come back absolute. Throws a user Failure ("bad-manifest") listing every bad row by line.
std::vector<BatchRow> read_batch_manifest(const std::filesystem::path &manifest);

// The columns a row may have, for messages and docs.
const std::vector<std::string> &batch_manifest_columns();

}  // namespace dubhost
