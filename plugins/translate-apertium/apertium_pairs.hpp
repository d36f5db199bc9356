// The translation directions ("modes") the apertium program has on this machine, which one
// translates between two languages, and the Debian package that adds a missing pair.
#pragma once

#include <dubhost/support/language_codes.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dubhost::apertium {

struct Mode {
    std::string name;  // as `apertium -l` prints it and the program takes it: "eng-spa", "spa-eng_US"
    std::string from;  // canonical language codes (ISO 639-1 where there is one): "en", "es"
    std::string to;
    std::string variant;  // after '_': "US"; empty for the plain direction
};

// The modes of `apertium -l` output whose two sides are ISO 639 languages; others are left out.
std::vector<Mode> parse_modes(const std::string &listing);

// The mode from one language to another (regions ignored), preferring the plain direction.
std::optional<Mode> find_mode(const std::vector<Mode> &modes, const Language &from, const Language &to);

struct PairPackage {
    std::string name;                               // "apertium-eng-spa"
    std::pair<std::string, std::string> languages;  // canonical codes: {"en", "es"}
};

// Debian 12's apertium pair packages, one per pair of languages (the ISO 639-3 named one where a
// pair has an older two-letter package too).
const std::vector<PairPackage> &debian_pair_packages();

// "apertium-eng-spa" for English and Spanish (either direction), from Debian 12's pair packages;
// nullopt when Debian has none for the two.
std::optional<std::string> pair_package(const Language &a, const Language &b);

}  // namespace dubhost::apertium
