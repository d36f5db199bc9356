// What a test needs of the machine: a failure in CI, a ctest skip elsewhere, never a silent pass.
#include "support/machine_needs.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace dubhost::test {
namespace {

bool skipped = false;

bool running_in_ci() {
    const char *ci = std::getenv("CI");
    return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace

bool machine_has(bool present, const std::string &need, const std::string &fix) {
    if (present) return true;
    if (running_in_ci()) {
        BOOST_ERROR("this CI machine lacks " + need + ", which CI must provide: " + fix);
        return false;
    }
    std::cout << "SKIPPED: " << boost::unit_test::framework::current_test_case().full_name() << " needs " << need << " (" << fix
              << ")" << std::endl;
    skipped = true;
    return false;
}

bool some_check_was_skipped() { return skipped; }

}  // namespace dubhost::test
