// The parameter schema a backend declares (`parameters_json`): checked when a plugin is scanned so
// a typo in a manifest is a rejected plugin with a reason, not a parameter users cannot pass.
#pragma once

#include <string>
#include <vector>

namespace dubhost {

// Every problem with a backend's declared parameters, each naming the parameter; empty when the
// schema is sound. A schema is a JSON array of {name, type, default?, help}: name an identifier
// (lower case, digits, '_'), unique; type one of integer, number, boolean, string, object; a
// default, when given, of that type; help a non-empty sentence.
std::vector<std::string> parameter_schema_problems(const std::string &parameters_json);

}  // namespace dubhost
