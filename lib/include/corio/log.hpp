// corio/log.hpp - the one spdlog logger corio writes to.
//
// Named "corio"; its level comes from the environment variable CORIO_LOG
// (trace, debug, info, warn, err, critical, off; default warn). Task lifecycle is
// logged at debug, lost task exceptions at warn. Apps print their own output with
// fmt, never through this logger.
//
//   corio::logger().set_level(spdlog::level::debug);   // or CORIO_LOG=debug
//   corio::logger().sinks().push_back(my_sink);        // capture, e.g. in tests
//
// Thread-safety: creating the logger is thread-safe (first call wins); logging is
// thread-safe (a multi-threaded spdlog sink). Changing sinks while others log is not.
// Cancellation: nothing here suspends, so there is nothing to cancel; logging from
// a cancelled task (say, in its cleanup) works as anywhere else.
#ifndef CORIO_LOG_HPP
#define CORIO_LOG_HPP

#include <spdlog/logger.h>

namespace corio {

/// The "corio" logger, created on first use and registered with spdlog.
spdlog::logger& logger();

} // namespace corio

#endif // CORIO_LOG_HPP
