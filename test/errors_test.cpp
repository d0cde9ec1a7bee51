#include <corio/errors.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

BOOST_AUTO_TEST_SUITE(errors_test)

BOOST_AUTO_TEST_CASE(cancelled_error_is_a_system_error_carrying_operation_aborted) {
  const corio::cancelled_error error("stopped");
  const boost::system::system_error& as_system_error = error;
  BOOST_TEST((as_system_error.code() == boost::asio::error::operation_aborted));
  BOOST_TEST(std::string(error.what()) == "stopped");
  BOOST_TEST(std::string(corio::cancelled_error().what()) == "corio: cancelled");
}

BOOST_AUTO_TEST_CASE(timeout_error_carries_timed_out_and_is_not_a_cancellation) {
  const corio::timeout_error error("too slow");
  BOOST_TEST((error.code() == boost::asio::error::timed_out));
  BOOST_TEST(std::string(error.what()) == "too slow");
  BOOST_TEST(!corio::is_cancellation(std::make_exception_ptr(error)));
}

BOOST_AUTO_TEST_CASE(is_cancellation_recognises_corio_and_raw_asio_cancellation_only) {
  BOOST_TEST(corio::is_cancellation(std::make_exception_ptr(corio::cancelled_error())));
  BOOST_TEST(corio::is_cancellation(
      std::make_exception_ptr(boost::system::system_error(boost::asio::error::operation_aborted))));
  BOOST_TEST(!corio::is_cancellation(
      std::make_exception_ptr(boost::system::system_error(boost::asio::error::connection_reset))));
  BOOST_TEST(!corio::is_cancellation(std::make_exception_ptr(std::runtime_error("x"))));
  BOOST_TEST(!corio::is_cancellation(std::make_exception_ptr(7)));
  BOOST_TEST(!corio::is_cancellation(nullptr));
}

BOOST_AUTO_TEST_CASE(describe_names_any_exception_without_throwing) {
  BOOST_TEST(corio::describe(std::make_exception_ptr(std::runtime_error("boom"))) == "boom");
  BOOST_TEST(corio::describe(std::make_exception_ptr(7)) ==
             "an exception not derived from std::exception");
  BOOST_TEST(corio::describe(nullptr) == "no exception");
}

BOOST_AUTO_TEST_SUITE_END()
