// Mode names split into languages, and Debian 12's apertium pair packages (`apt-cache pkgnames
// apertium-`), newest naming (ISO 639-3) first where a pair has both.
#include "apertium_pairs.hpp"

#include <array>
#include <sstream>
#include <string_view>

namespace dubhost::apertium {
namespace {

constexpr std::array<std::string_view, 58> debian_pairs = {
    "afr-nld", "arg-cat", "bel-rus", "cat-ita", "cat-srd", "dan-nor", "eng-cat", "eng-spa", "fra-cat", "fra-frp",
    "hbs-eng", "hbs-mkd", "hbs-slv", "ind-zlm", "isl-eng", "isl-swe", "mkd-bul", "mkd-eng", "nno-nob", "oci-fra",
    "pol-szl", "por-cat", "rus-ukr", "spa-arg", "spa-ast", "spa-cat", "spa-ita", "srd-ita", "swe-dan", "swe-nor",
    "urd-hin", "af-nl",   "br-fr",   "ca-it",   "en-ca",   "en-es",   "en-gl",   "eo-ca",   "eo-en",   "eo-es",
    "eo-fr",   "es-ast",  "es-ca",   "es-gl",   "es-it",   "es-pt",   "es-ro",   "eu-en",   "eu-es",   "fr-es",
    "id-ms",   "is-sv",   "mk-bg",   "mk-en",   "oc-ca",   "oc-es",   "pt-ca",   "pt-gl",
};

std::optional<Language> side(std::string_view code) {
    if (code.find_first_of("-_") != std::string_view::npos) return std::nullopt;
    return find_language(code);
}

}  // namespace

std::vector<Mode> parse_modes(const std::string &listing) {
    std::vector<Mode> modes;
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        const std::string name = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
        const auto dash = name.find('-');
        if (dash == std::string::npos) continue;
        const auto underscore = name.find('_', dash);
        const std::string to_code =
            name.substr(dash + 1, underscore == std::string::npos ? std::string::npos : underscore - dash - 1);
        const auto from = side(name.substr(0, dash)), to = side(to_code);
        if (!from || !to) continue;  // e.g. "eng-spa-tagger": a debugging mode, not a direction
        modes.push_back(
            {name, from->canonical, to->canonical, underscore == std::string::npos ? "" : name.substr(underscore + 1)});
    }
    return modes;
}

std::optional<Mode> find_mode(const std::vector<Mode> &modes, const Language &from, const Language &to) {
    std::optional<Mode> found;
    for (const auto &mode : modes) {
        if (mode.from != primary_language(from.canonical) || mode.to != primary_language(to.canonical)) continue;
        if (!found || (!found->variant.empty() && mode.variant.empty())) found = mode;
    }
    return found;
}

const std::vector<PairPackage> &debian_pair_packages() {
    static const std::vector<PairPackage> packages = [] {
        std::vector<PairPackage> list;
        for (const std::string_view pair : debian_pairs) {
            const auto dash = pair.find('-');
            const auto left = find_language(pair.substr(0, dash)), right = find_language(pair.substr(dash + 1));
            if (!left || !right) continue;
            bool known = false;  // a two-letter package of a pair already listed under its three-letter name
            for (const auto &listed : list)
                known = known || (listed.languages.first == left->canonical && listed.languages.second == right->canonical) ||
                        (listed.languages.first == right->canonical && listed.languages.second == left->canonical);
            if (!known) list.push_back({"apertium-" + std::string(pair), {left->canonical, right->canonical}});
        }
        return list;
    }();
    return packages;
}

std::optional<std::string> pair_package(const Language &a, const Language &b) {
    const std::string x = primary_language(a.canonical), y = primary_language(b.canonical);
    for (const auto &package : debian_pair_packages())
        if ((package.languages.first == x && package.languages.second == y) ||
            (package.languages.first == y && package.languages.second == x))
            return package.name;
    return std::nullopt;
}

}  // namespace dubhost::apertium
