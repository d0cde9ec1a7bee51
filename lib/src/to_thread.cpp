#include <corio/detail/runtime.hpp>
#include <corio/errors.hpp>
#include <corio/to_thread.hpp>

#include <stdexcept>

namespace corio::detail {

boost::asio::thread_pool& current_thread_pool() {
  runtime* current = runtime::current();
  if (current == nullptr)
    throw std::logic_error("corio::to_thread: no corio loop runs on this thread; the thread pool "
                           "belongs to corio::run()");
  return current->thread_pool();
}

void throw_to_thread_cancelled() {
  throw cancelled_error("corio::to_thread: cancelled; stopped waiting for the thread (the "
                        "function may still be running; its result is discarded)");
}

} // namespace corio::detail
