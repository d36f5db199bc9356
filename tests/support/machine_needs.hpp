// What a test needs of the machine (a tool, a tmpfs mount, a privilege). In CI (CI=true) a missing
// need fails the test; elsewhere the check is left out and the suite exits 77, which ctest reports as
// skipped (SKIP_RETURN_CODE), so a check that did not run is never counted as passed.
#pragma once

#include <string>

namespace dubhost::test {

// Returns `present`. When it is false: a test error in CI, otherwise a printed "SKIPPED" line and
// a skipped suite. `fix` is the command or setting that provides it.
bool machine_has(bool present, const std::string &need, const std::string &fix);

// True when a check was left out in this run (test_main turns a passing run into exit code 77).
bool some_check_was_skipped();

}  // namespace dubhost::test
