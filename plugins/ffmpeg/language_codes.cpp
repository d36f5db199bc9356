#include "language_codes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

namespace dubhost::ffmpeg {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 60> codes = {{
    {"af", "afr"}, {"ar", "ara"}, {"bg", "bul"}, {"bn", "ben"}, {"ca", "cat"}, {"cs", "cze"}, {"cy", "wel"}, {"da", "dan"},
    {"de", "ger"}, {"el", "gre"}, {"en", "eng"}, {"eo", "epo"}, {"es", "spa"}, {"et", "est"}, {"eu", "baq"}, {"fa", "per"},
    {"fi", "fin"}, {"fr", "fre"}, {"ga", "gle"}, {"gl", "glg"}, {"he", "heb"}, {"hi", "hin"}, {"hr", "hrv"}, {"hu", "hun"},
    {"hy", "arm"}, {"id", "ind"}, {"is", "ice"}, {"it", "ita"}, {"ja", "jpn"}, {"ka", "geo"}, {"kk", "kaz"}, {"ko", "kor"},
    {"lt", "lit"}, {"lv", "lav"}, {"mk", "mac"}, {"ml", "mal"}, {"mr", "mar"}, {"ms", "may"}, {"nb", "nob"}, {"nl", "dut"},
    {"nn", "nno"}, {"no", "nor"}, {"pl", "pol"}, {"pt", "por"}, {"ro", "rum"}, {"ru", "rus"}, {"sk", "slo"}, {"sl", "slv"},
    {"sq", "alb"}, {"sr", "srp"}, {"sv", "swe"}, {"sw", "swa"}, {"ta", "tam"}, {"te", "tel"}, {"th", "tha"}, {"tr", "tur"},
    {"uk", "ukr"}, {"ur", "urd"}, {"vi", "vie"}, {"zh", "chi"},
}};

}  // namespace

std::string iso639_2(const std::string &language) {
    std::string primary = language.substr(0, language.find_first_of("-_"));
    std::transform(primary.begin(), primary.end(), primary.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (primary.size() == 3 && std::all_of(primary.begin(), primary.end(), [](unsigned char c) { return std::isalpha(c); }))
        return primary;
    for (const auto &[two, three] : codes)
        if (two == primary) return std::string(three);
    return "und";
}

}  // namespace dubhost::ffmpeg
