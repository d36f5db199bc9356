// Lookup in the ISO 639-3 table generated from Debian's iso-codes at build time (7,900 languages),
// by 639-1, 639-3 or 639-2/B code.
#include "dubhost/support/language_codes.hpp"

#include "dubhost/support/error.hpp"

#include <algorithm>
#include <cctype>

namespace dubhost {
namespace {

struct LanguageRow {
    const char *alpha3;
    const char *alpha2;
    const char *bibliographic;
    const char *name;
};

constexpr LanguageRow language_rows[] = {
#include "language_table.inc"
};

std::string lowered(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// A region or script subtag as BCP 47 writes it: "BR", "Latn", "419".
std::string subtag(std::string_view text) {
    std::string out = lowered(text);
    if (out.size() == 2) std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
    if (out.size() == 4) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

}  // namespace

std::optional<Language> find_language(std::string_view code) {
    const auto separator = code.find_first_of("-_");
    const std::string primary = lowered(code.substr(0, separator));
    std::string rest;
    if (separator != std::string_view::npos) {
        const std::string_view region = code.substr(separator + 1);
        const bool fits = !region.empty() && region.size() <= 8 &&
                          std::all_of(region.begin(), region.end(), [](unsigned char c) { return std::isalnum(c); });
        if (!fits) return std::nullopt;
        rest = "-" + subtag(region);
    }
    if (primary.size() != 2 && primary.size() != 3) return std::nullopt;
    for (const LanguageRow &row : language_rows) {
        if (primary != row.alpha3 && primary != row.alpha2 && primary != row.bibliographic) continue;
        const std::string alpha2 = row.alpha2;
        return Language{(alpha2.empty() ? std::string(row.alpha3) : alpha2) + rest, row.alpha3, row.bibliographic, row.name};
    }
    return std::nullopt;
}

Language require_language(std::string_view code) {
    if (auto language = find_language(code)) return *language;
    throw user_error(
        "unknown-language",
        code.empty() ? std::string("no language was given") : "'" + std::string(code) + "' is not an ISO 639 language code",
        "pass a code such as en, es, de or pt-BR (ISO 639-1), or spa (ISO 639-3)");
}

std::string primary_language(std::string_view code) { return std::string(code.substr(0, code.find_first_of("-_"))); }

std::string stream_language_tag(std::string_view code) {
    const auto language = find_language(code);
    return language ? language->bibliographic : "und";
}

}  // namespace dubhost
