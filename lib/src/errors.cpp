#include <corio/errors.hpp>

#include <boost/asio/error.hpp>

#include <csignal>
#include <cstdio>

namespace corio {

cancelled_error::cancelled_error() : cancelled_error("corio: cancelled") {}

cancelled_error::cancelled_error(const std::string& what)
    : boost::system::system_error(boost::asio::error::operation_aborted, what), message_(what) {}

const char* cancelled_error::what() const noexcept {
  return message_.c_str();
}

timeout_error::timeout_error(const std::string& what)
    : boost::system::system_error(boost::asio::error::timed_out, what), message_(what) {}

const char* timeout_error::what() const noexcept {
  return message_.c_str();
}

channel_closed::channel_closed(const std::string& what) : std::runtime_error(what) {}

interrupted::interrupted(int signal_number) noexcept : signal_number_(signal_number) {
  const char* name = signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "";
  if (*name != '\0')
    std::snprintf(message_, sizeof message_, "interrupted by %s", name);
  else
    std::snprintf(message_, sizeof message_, "interrupted by signal %d", signal_number);
}

broken_barrier::broken_barrier(const std::string& what) : std::runtime_error(what) {}

bool is_cancellation(const std::exception_ptr& error) noexcept {
  if (!error)
    return false;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    return e.code() == boost::asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

std::string describe(const std::exception_ptr& error) {
  if (!error)
    return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (const interrupted& e) {
    return e.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

} // namespace corio
