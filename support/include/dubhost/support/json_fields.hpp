// Reading fields of JSON documents another program wrote (a plugin's answer, a runner's or a
// worker's protocol line): a field that is missing or of the wrong type reads as the fallback,
// never as an exception, so a sloppy or hostile peer cannot derail the code reading it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace dubhost {

// The JSON document in `path`; null when the file cannot be read, discarded when it is not JSON.
nlohmann::json read_json_file(const std::filesystem::path &path);

std::string text_field(const nlohmann::json &document, const std::string &key, const std::string &fallback = {});
double number_field(const nlohmann::json &document, const std::string &key, double fallback);
// A whole number that fits; a fraction, a string or an out-of-range number reads as the fallback.
std::int64_t integer_field(const nlohmann::json &document, const std::string &key, std::int64_t fallback);
// The whole number `value` holds when it is an integer from `low` to `high`; nullopt for a
// fraction, any other type, or a number out of range. (nlohmann's get<int> of a double that does
// not fit is undefined behaviour: every integer read from another program's JSON goes through here.)
std::optional<std::int64_t> whole_number(const nlohmann::json &value, std::int64_t low = INT64_MIN,
                                         std::int64_t high = INT64_MAX);

}  // namespace dubhost
