#include "stage_parameters.hpp"

#include <dubhost/support/error.hpp>

#include <map>

namespace dubhost {

namespace {

bool fits(const std::string &type, const nlohmann::json &value) {
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "string") return value.is_string();
    return true;  // a type the host does not know: the backend checks it
}

}  // namespace

void check_stage_parameters(const StageSpec &stage, const BackendInfo &backend, const nlohmann::json &params) {
    check_host_parameters(stage, params);
    const auto declared = nlohmann::json::parse(backend.parameters_json, nullptr, false);
    std::map<std::string, std::string> types;
    if (declared.is_array())
        for (const auto &parameter : declared)
            if (parameter.is_object() && parameter.contains("name"))
                types[parameter["name"].get<std::string>()] = parameter.value("type", std::string());
    std::string accepted;
    for (const auto &[name, type] : types) accepted += (accepted.empty() ? "" : ", ") + name + " (" + type + ")";
    const std::string who = "the " + stage.name + " backend " + backend.id;
    for (const auto &[name, value] : params.items()) {
        if (name == "track" || stage.parameter(name)) continue;
        const auto type = types.find(name);
        if (type == types.end())
            throw user_error("unknown-parameter", who + " has no parameter '" + name + "'",
                             accepted.empty() ? "it takes no parameters: drop --param " + name
                                              : "its parameters are " + accepted + "; see `dubhost backends --json`");
        if (!fits(type->second, value))
            throw user_error("bad-parameter",
                             "parameter '" + name + "' of " + who + " must be " + (type->second == "integer" ? "an " : "a ") +
                                 type->second + ", not " + value.dump(),
                             "pass --param " + name + "=VALUE with a" + (type->second == "integer" ? "n " : " ") + type->second);
    }
}

}  // namespace dubhost
