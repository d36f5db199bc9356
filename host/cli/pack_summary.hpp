// One pack in a few lines, for `dubhost pack list` and `dubhost doctor`: state, the interpreter and
// versions an install resolved to, its measured disk use and download, and what the user still has
// to provide with the command for each.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

namespace dubhost::cli {

// `state` is a pack status document (pack runtime's pack_status, as plugins and the doctor report it).
void print_pack_summary(std::ostream &out, const nlohmann::json &state, const std::string &indent);

}  // namespace dubhost::cli
