// Points the user folders (XDG data, config, cache) at a private temporary place and clears the
// dubhost variables, so a developer's own plugins, machine profile and workspace stay out of a test.
#pragma once

#include "support/temp_dir.hpp"

#include <cstdlib>

namespace dubhost::test {

struct IsolatedHome {
    TempDir home{"dubhost-home"};
    IsolatedHome() {
        ::setenv("XDG_DATA_HOME", (home / "data").c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (home / "config").c_str(), 1);
        ::setenv("XDG_CACHE_HOME", (home / "cache").c_str(), 1);
        ::unsetenv("DUBHOST_PLUGIN_PATH");
        ::unsetenv("DUBHOST_WORKSPACE");
        ::unsetenv("DUBHOST_LOG");
    }
};

}  // namespace dubhost::test
