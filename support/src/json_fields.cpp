// Reading fields of JSON documents another program wrote, without exceptions (json_fields.hpp).
#include <dubhost/support/json_fields.hpp>

#include <limits>

namespace dubhost {
namespace {

const nlohmann::json *field(const nlohmann::json &document, const std::string &key) {
    if (!document.is_object()) return nullptr;
    const auto found = document.find(key);
    return found == document.end() ? nullptr : &*found;
}

}  // namespace

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
    if (!value) return fallback;
    if (value->is_number_integer() && !value->is_number_unsigned()) return value->get<std::int64_t>();
    if (value->is_number_unsigned() && value->get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(value->get<std::uint64_t>());
    return fallback;
}

}  // namespace dubhost
