// Reading fields of JSON documents another program wrote (a plugin's answer, a runner's or a
// worker's protocol line): a field that is missing or of the wrong type reads as the fallback,
// never as an exception, so a sloppy or hostile peer cannot derail the code reading it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace dubhost {

std::string text_field(const nlohmann::json &document, const std::string &key, const std::string &fallback = {});
double number_field(const nlohmann::json &document, const std::string &key, double fallback);
// A whole number that fits; a fraction, a string or an out-of-range number reads as the fallback.
std::int64_t integer_field(const nlohmann::json &document, const std::string &key, std::int64_t fallback);

}  // namespace dubhost
