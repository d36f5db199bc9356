// The host's version and the plugin ABI it speaks, for --version, doctor and job records.
#pragma once

#include <string>

namespace dubhost {

std::string dubhost_version();     // "0.1.0", from the top-level CMake project
std::string plugin_abi_version();  // "1.0", from sdk/include/dubhost/plugin.h

}  // namespace dubhost
