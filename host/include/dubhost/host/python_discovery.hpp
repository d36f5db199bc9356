// Finding the Python interpreters on this machine and what each can do (version, venv support):
// the pack runtime's discovery, which `dubhost doctor` reports.
#pragma once

#include <dubhost/packs/python_interpreters.hpp>

namespace dubhost {

using packs::discover_python_interpreters;
using packs::PythonInterpreter;

}  // namespace dubhost
