// Escaping rules from apertium's stream format: `\` escapes any of \[]^$/<>@{}, text inside
// [...] is a superblank that every stage passes through verbatim, and in its output `*` marks an
// unknown word, `#` a word it could not generate and `@` one missing from the bilingual dictionary.
#include "apertium_stream.hpp"

#include <cctype>

namespace dubhost::apertium {
namespace {

constexpr std::string_view escaped_characters = "\\[]^$/<>{}";
// Characters that mean something to the later stages even escaped: kept out of words entirely.
constexpr std::string_view marker_characters = "*#@~";

std::string superblank(std::string_view content) {
    std::string out = "[";
    for (char c : content) {
        if (c == ']' || c == '\\' || c == '[') out.push_back('\\');
        out.push_back(c);
    }
    return out + "]";
}

// The length of an SRT/VTT tag (<i>, </i>, <font color="red">, <c.yellow>) or ASS override
// ({\an8}) starting at `at`; 0 when the text there is not one.
std::size_t markup_length(std::string_view text, std::size_t at) {
    if (text[at] == '{' && at + 1 < text.size() && text[at + 1] == '\\') {
        const auto end = text.find('}', at);
        return end == std::string_view::npos ? 0 : end - at + 1;
    }
    if (text[at] != '<') return 0;
    std::size_t name = at + 1;
    if (name < text.size() && text[name] == '/') ++name;
    if (name >= text.size() || !std::isalpha(static_cast<unsigned char>(text[name]))) return 0;
    const auto end = text.find_first_of("<>\n", name);
    return end == std::string_view::npos || text[end] != '>' ? 0 : end - at + 1;
}

bool word_start(const std::string &out) {
    return out.empty() || std::isspace(static_cast<unsigned char>(out.back())) || out.back() == '"' || out.back() == '(' ||
           out.back() == '\'' || out.back() == '[';
}

std::string tidied(const std::string &text) {
    std::string out;
    for (char c : text) {
        if (c == ' ' && (out.empty() || out.back() == ' ' || out.back() == '\n')) continue;
        if (c == '\n')
            while (!out.empty() && out.back() == ' ') out.pop_back();
        out.push_back(c);
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    return out;
}

}  // namespace

std::string to_stream(std::string_view text) {
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
        if (const std::size_t length = markup_length(text, at)) {
            out += superblank(text.substr(at, length));
            at += length;
            continue;
        }
        const char c = text[at++];
        if (c == '\r') continue;
        if (c == '\n' || marker_characters.find(c) != std::string_view::npos || c == '\0')
            out += superblank(std::string_view(&c, c == '\0' ? 0 : 1));
        else if (escaped_characters.find(c) != std::string_view::npos)
            out += std::string("\\") + c;
        else
            out.push_back(c);
    }
    return out + "[]";
}

Translated from_stream(std::string_view block) {
    Translated result;
    std::string text;
    std::string *unknown = nullptr;  // the unknown word being read, if any
    for (std::size_t at = 0; at < block.size(); ++at) {
        const char c = block[at];
        if (c == '\\' && at + 1 < block.size()) {
            text.push_back(block[++at]);
            if (unknown) unknown->push_back(block[at]);
            continue;
        }
        if (c == '[') {
            unknown = nullptr;
            for (++at; at < block.size() && block[at] != ']'; ++at) {
                if (block[at] == '\\' && at + 1 < block.size()) ++at;
                text.push_back(block[at]);
            }
            continue;
        }
        if ((c == '*' || c == '#' || c == '@') && word_start(text)) {
            if (c == '*') {
                result.unknown_words.emplace_back();
                unknown = &result.unknown_words.back();
            }
            continue;
        }
        const bool word_character =
            std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) >= 0x80) || c == '-' || c == '\'';
        if (unknown && word_character)
            unknown->push_back(c);
        else
            unknown = nullptr;
        text.push_back(c);
    }
    result.text = tidied(text);
    return result;
}

std::vector<std::string> split_blocks(std::string_view output, std::size_t expected) {
    std::vector<std::string> blocks;
    std::size_t start = 0;
    while (blocks.size() < expected) {
        const auto end = output.find('\0', start);
        if (end == std::string_view::npos) break;
        blocks.emplace_back(output.substr(start, end - start));
        start = end + 1;
    }
    return blocks;
}

}  // namespace dubhost::apertium
