// The Boost.Test runner for every dubhost suite; ctest runs each suite on its own (--run_test=NAME).
// A run that passed but left a check out for want of something on the machine exits 77 (skipped).
#define BOOST_TEST_MODULE dubhost
#define BOOST_TEST_NO_MAIN
#include "support/machine_needs.hpp"

#include <boost/test/unit_test.hpp>

int main(int argc, char *argv[]) {
    const int result = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
    constexpr int skipped_exit_code = 77;  // SKIP_RETURN_CODE in tests/CMakeLists.txt
    return result == 0 && dubhost::test::some_check_was_skipped() ? skipped_exit_code : result;
}
