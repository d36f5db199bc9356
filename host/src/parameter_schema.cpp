#include "parameter_schema.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <set>

namespace dubhost {

namespace {

constexpr std::array known_types{"integer", "number", "boolean", "string", "object"};

bool is_identifier(const std::string &name) {
    if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool default_fits(const std::string &type, const nlohmann::json &value) {
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "string") return value.is_string();
    return value.is_object() || value.is_null();
}

}  // namespace

std::vector<std::string> parameter_schema_problems(const std::string &parameters_json) {
    const auto schema = nlohmann::json::parse(parameters_json, nullptr, false);
    if (schema.is_discarded()) return {"parameters_json is not valid JSON"};
    if (!schema.is_array()) return {"parameters_json must be a JSON array of {name, type, default, help}"};
    std::vector<std::string> problems;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < schema.size(); ++i) {
        const auto &parameter = schema[i];
        const std::string where = "parameter #" + std::to_string(i + 1);
        if (!parameter.is_object() || !parameter.contains("name") || !parameter["name"].is_string()) {
            problems.push_back(where + " has no name");
            continue;
        }
        const std::string name = parameter["name"].get<std::string>();
        const std::string label = "parameter '" + name + "'";
        if (!is_identifier(name)) problems.push_back(label + ": names are lower case letters, digits and '_'");
        if (!seen.insert(name).second) problems.push_back(label + " is declared twice");
        const std::string type =
            parameter.value("type", nlohmann::json()).is_string() ? parameter["type"].get<std::string>() : "";
        if (std::find(known_types.begin(), known_types.end(), type) == known_types.end()) {
            problems.push_back(label + ": type must be integer, number, boolean, string or object, not " +
                               (parameter.contains("type") ? parameter["type"].dump() : "missing"));
            continue;
        }
        if (parameter.contains("default") && !default_fits(type, parameter["default"]))
            problems.push_back(label + ": default " + parameter["default"].dump() + " is not a" +
                               (type == "integer" ? "n " : " ") + type);
        if (!parameter.contains("help") || !parameter["help"].is_string() || parameter["help"].get<std::string>().empty())
            problems.push_back(label + ": no help text (users see it in `dubhost backends --json`)");
    }
    return problems;
}

}  // namespace dubhost
