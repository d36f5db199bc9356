// Reading fields of JSON documents another program wrote, without exceptions (json_fields.hpp).
#include <dubhost/support/json_fields.hpp>

#include <fstream>
#include <limits>
#include <sstream>

namespace dubhost {
namespace {

const nlohmann::json *field(const nlohmann::json &document, const std::string &key) {
    if (!document.is_object()) return nullptr;
    const auto found = document.find(key);
    return found == document.end() ? nullptr : &*found;
}

}  // namespace

nlohmann::json read_json_file(const std::filesystem::path &path) {
    std::ifstream in(path);
    if (!in) return nullptr;
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str(), nullptr, false);
}

std::string text_field(const nlohmann::json &document, const std::string &key, const std::string &fallback) {
    const auto *value = field(document, key);
    return value && value->is_string() ? value->get<std::string>() : fallback;
}

double number_field(const nlohmann::json &document, const std::string &key, double fallback) {
    const auto *value = field(document, key);
    return value && value->is_number() ? value->get<double>() : fallback;
}

std::int64_t integer_field(const nlohmann::json &document, const std::string &key, std::int64_t fallback) {
    const auto *value = field(document, key);
    return value ? whole_number(*value).value_or(fallback) : fallback;
}

std::optional<std::int64_t> whole_number(const nlohmann::json &value, std::int64_t low, std::int64_t high) {
    std::int64_t number = 0;
    if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        number = static_cast<std::int64_t>(value.get<std::uint64_t>());
    } else if (value.is_number_integer()) {
        number = value.get<std::int64_t>();
    } else {
        return std::nullopt;
    }
    if (number < low || number > high) return std::nullopt;
    return number;
}

}  // namespace dubhost
