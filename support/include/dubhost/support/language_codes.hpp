// Language codes as users type them (ISO 639-1 "es", 639-2/B "ger", 639-3 "spa", with a region
// "pt-BR" or "pt_br") checked against ISO 639-3 and brought to one stored form. Used by the host
// (tracks, `--to`), the mux (stream tags) and the translation backends (their pair names).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dubhost {

struct Language {
    std::string canonical;      // what dubhost stores: the ISO 639-1 code when there is one, else 639-3, plus "-REGION"
    std::string alpha3;         // ISO 639-3 (= 639-2/T): "spa", "deu"
    std::string bibliographic;  // ISO 639-2/B, what MP4 and Matroska tags carry: "spa", "ger"
    std::string name;           // "Spanish"
};

// nullopt for a code ISO 639 does not have ("xx", "english", "").
std::optional<Language> find_language(std::string_view code);

// The stored form of a code, or a user Failure ("unknown-language") naming the code and what to pass.
Language require_language(std::string_view code);

// The language without its region, in whatever form it was written: "pt-BR" -> "pt", "en_us" -> "en".
std::string primary_language(std::string_view code);

// For a stream tag: the 639-2/B code, "und" for an empty or unknown code.
std::string stream_language_tag(std::string_view code);

}  // namespace dubhost
