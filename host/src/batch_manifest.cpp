// Reading a batch manifest (batch_manifest.hpp): JSON lines or CSV (RFC 4180 quoting), each row
// checked on its own so one pass reports every bad line.
#include "dubhost/host/batch_manifest.hpp"

#include <dubhost/support/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace dubhost {
namespace fs = std::filesystem;
namespace {

bool is_backend_column(const std::string &name) { return name.rfind("backend.", 0) == 0 && name.size() > 8; }

bool known_column(const std::string &name) {
    const auto &columns = batch_manifest_columns();
    return is_backend_column(name) || std::find(columns.begin(), columns.end(), name) != columns.end();
}

// One row's fields by column name, from either format; the checks are the same for both.
using Fields = std::map<std::string, std::string>;

BatchRow make_row(std::size_t line, const Fields &fields, const fs::path &folder) {
    for (const auto &[name, value] : fields)
        if (!known_column(name))
            throw std::invalid_argument("unknown column '" + name +
                                        "' (columns: video, subtitles, language, to, from, output, "
                                        "background, backend.<stage>)");
    auto field = [&](const std::string &name) {
        const auto found = fields.find(name);
        return found == fields.end() ? std::string() : found->second;
    };
    auto path = [&](const std::string &value) { return (folder / fs::path(value)).lexically_normal(); };
    BatchRow row;
    row.line = line;
    if (field("video").empty()) throw std::invalid_argument("no video");
    if (field("output").empty()) throw std::invalid_argument("no output");
    row.video = path(field("video"));
    row.output = path(field("output"));
    if (!field("subtitles").empty()) row.subtitles = path(field("subtitles"));
    row.language = field("language");
    row.to = field("to");
    row.from = field("from");
    row.background = field("background");
    if (!row.background.empty() && row.background != "stem" && row.background != "original" && row.background != "none")
        throw std::invalid_argument("background must be stem, original or none, not '" + row.background + "'");
    for (const auto &[name, value] : fields)
        if (is_backend_column(name) && !value.empty()) row.backends[name.substr(8)] = value;
    return row;
}

Fields json_fields(const std::string &text) {
    const auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) throw std::invalid_argument("not a JSON object");
    Fields fields;
    for (const auto &[name, value] : document.items()) {
        if (value.is_null()) continue;
        if (!value.is_string()) throw std::invalid_argument("'" + name + "' must be a string, not " + value.dump());
        fields[name] = value.get<std::string>();
    }
    return fields;
}

// One CSV record from `in` (quoted fields may hold commas, quotes and line breaks); false at the end.
bool csv_record(std::istream &in, std::vector<std::string> &cells, std::size_t &line) {
    cells.clear();
    std::string cell;
    bool quoted = false, any = false;
    for (int c; (c = in.get()) != EOF;) {
        any = true;
        if (quoted) {
            if (c == '"' && in.peek() == '"') {
                cell.push_back('"');
                in.get();
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n') ++line;
                cell.push_back(static_cast<char>(c));
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.push_back(cell);
            cell.clear();
        } else if (c == '\n') {
            cells.push_back(cell);
            return true;
        } else if (c != '\r') {
            cell.push_back(static_cast<char>(c));
        }
    }
    if (quoted) throw std::invalid_argument("a quoted field is not closed");
    if (any) cells.push_back(cell);
    return any;
}

std::string trimmed(std::string text) {
    text.erase(0, text.find_first_not_of(" \t\r"));
    text.erase(text.find_last_not_of(" \t\r") + 1);
    return text;
}

}  // namespace

const std::vector<std::string> &batch_manifest_columns() {
    static const std::vector<std::string> columns = {"video", "subtitles", "language", "to", "from", "output", "background"};
    return columns;
}

std::vector<BatchRow> read_batch_manifest(const fs::path &manifest) {
    std::ifstream in(manifest, std::ios::binary);
    if (!in)
        throw user_error("no-such-file", "cannot read the manifest " + manifest.string(),
                         "give the path of a .jsonl or .csv manifest (docs/batch.md)");
    const fs::path folder = fs::absolute(manifest).parent_path();
    std::vector<BatchRow> rows;
    std::vector<std::string> problems;
    auto add = [&](std::size_t line, const Fields &fields) {
        try {
            rows.push_back(make_row(line, fields, folder));
        } catch (const std::invalid_argument &error) {
            problems.push_back("line " + std::to_string(line) + ": " + error.what());
        }
    };
    if (manifest.extension() == ".csv") {
        std::vector<std::string> header, cells;
        std::size_t line = 1;
        try {
            if (!csv_record(in, header, line)) throw std::invalid_argument("the file is empty");
            for (auto &name : header) name = trimmed(name);
            for (std::size_t start = ++line; csv_record(in, cells, line); start = ++line) {
                if (cells.size() == 1 && trimmed(cells[0]).empty()) continue;  // a blank line
                if (cells.size() != header.size()) {
                    problems.push_back("line " + std::to_string(start) + ": " + std::to_string(cells.size()) +
                                       " fields, the header has " + std::to_string(header.size()));
                    continue;
                }
                Fields fields;
                for (std::size_t i = 0; i < header.size(); ++i)
                    if (!trimmed(cells[i]).empty()) fields[header[i]] = trimmed(cells[i]);
                add(start, fields);
            }
        } catch (const std::invalid_argument &error) {
            problems.push_back("line " + std::to_string(line) + ": " + error.what());
        }
    } else {
        std::string text;
        for (std::size_t line = 1; std::getline(in, text); ++line) {
            if (trimmed(text).empty()) continue;
            try {
                add(line, json_fields(text));
            } catch (const std::invalid_argument &error) {
                problems.push_back("line " + std::to_string(line) + ": " + error.what());
            }
        }
    }
    // Two rows writing one file would overwrite each other's dub.
    std::map<fs::path, std::size_t> written_by;
    for (const auto &row : rows)
        if (const auto [at, added] = written_by.emplace(row.output, row.line); !added)
            problems.push_back("line " + std::to_string(row.line) + ": output " + row.output.string() +
                               " is also written by line " + std::to_string(at->second));
    if (rows.empty() && problems.empty()) problems.push_back("no rows");
    if (!problems.empty()) {
        std::string list;
        for (const auto &problem : problems) list += (list.empty() ? "" : "; ") + problem;
        throw user_error("bad-manifest", manifest.filename().string() + ": " + list,
                         "fix those rows; a row is {\"video\": ..., \"output\": ..., \"subtitles\"?: ..., \"language\"?: ..., "
                         "\"to\"?: ...} (docs/batch.md)");
    }
    return rows;
}

}  // namespace dubhost
