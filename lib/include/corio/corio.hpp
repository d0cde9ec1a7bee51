// corio/corio.hpp - every public corio header at once.
//
//   #include <corio/corio.hpp>
//   corio::awaitable<int> answer() { co_await corio::sleep(1s); co_return 42; }
//   int main() { return corio::run(answer()) == 42 ? 0 : 1; }
//
// Each header can also be included alone; see its opening comment for thread-safety
// and cancellation.
#ifndef CORIO_CORIO_HPP
#define CORIO_CORIO_HPP

#include <corio/any_task.hpp>
#include <corio/as_completed.hpp>
#include <corio/async_generator.hpp>
#include <corio/awaitable.hpp>
#include <corio/barrier.hpp>
#include <corio/cancel_on.hpp>
#include <corio/cancel_scope.hpp>
#include <corio/channel.hpp>
#include <corio/clock.hpp>
#include <corio/condition_variable.hpp>
#include <corio/errors.hpp>
#include <corio/event.hpp>
#include <corio/gather.hpp>
#include <corio/interval.hpp>
#include <corio/introspection.hpp>
#include <corio/log.hpp>
#include <corio/loop.hpp>
#include <corio/map_concurrent.hpp>
#include <corio/mutex.hpp>
#include <corio/queue.hpp>
#include <corio/race.hpp>
#include <corio/run.hpp>
#include <corio/run_options.hpp>
#include <corio/semaphore.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/submit.hpp>
#include <corio/task.hpp>
#include <corio/task_group.hpp>
#include <corio/timeout.hpp>
#include <corio/timer.hpp>
#include <corio/to_thread.hpp>

#endif // CORIO_CORIO_HPP
