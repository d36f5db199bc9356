// The Boost.Test runner for every dubhost suite; ctest runs each suite on its own (--run_test=NAME).
#define BOOST_TEST_MODULE dubhost
#include <boost/test/unit_test.hpp>
