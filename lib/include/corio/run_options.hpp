// corio/run_options.hpp - how corio::run() sets up its loop.
//
//   corio::run(main_task(), {.thread_pool_size = 4});   // to_thread() uses 4 threads
//
// A plain aggregate: fields are added over time, each with a default that keeps
// run() behaving as before, so designated initializers stay valid.
// Thread-safety: a value type.
#ifndef CORIO_RUN_OPTIONS_HPP
#define CORIO_RUN_OPTIONS_HPP

#include <cstddef>

namespace corio {

struct run_options {
  /// Threads of the pool behind to_thread(); 0 means std::thread::hardware_concurrency()
  /// (at least 1). The pool is created on the first to_thread() and joined when run()
  /// ends, after every task has ended.
  std::size_t thread_pool_size = 0;
};

} // namespace corio

#endif // CORIO_RUN_OPTIONS_HPP
