// Uses corio::testing as an outside project would: a Boost.Test module whose cases are
// coroutines on virtual time (corio/testing.hpp).
#define BOOST_TEST_MODULE corio_consumer_tests
#include <corio/corio.hpp>
#include <corio/testing.hpp>

#include <chrono>

using namespace std::chrono_literals;

CORIO_TEST_CASE(an_hour_of_sleep_takes_no_wall_time) {
  const auto start = corio::now();
  co_await corio::sleep(1h);
  BOOST_TEST((corio::now() - start == 1h));
}

CORIO_TEST_CASE(a_case_on_the_real_clock, {.virtual_time = false, .debug = false}) {
  const auto start = std::chrono::steady_clock::now();
  co_await corio::sleep(1ms);
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 1ms));
}
