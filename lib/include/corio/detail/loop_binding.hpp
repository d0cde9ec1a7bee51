// corio/detail/loop_binding.hpp - how a loop-bound primitive (queue, event,
// semaphore, mutex, condition_variable, task_group) refuses use from another loop.
//
// Design: a primitive serves the tasks of one loop and takes no locks. With several
// loops (run_options::loops), using it from a task of another loop would be a data
// race, so every operation first calls check(), which compares the calling thread's
// loop key (step.hpp; one thread-local load) with the key the primitive bound to at
// its first use, as asyncio binds a primitive to the loop that first uses it. A
// mismatch throws std::logic_error naming both loops, in every build: TSan is never
// the first to notice.
//
//  - Code outside any corio loop (a user's io_context, a plain thread) has key 0 and
//    is not checked: such use has no loop to compare with.
//  - A key names a loop of one runtime (runtime serial and loop index). A primitive
//    bound to a loop of a runtime that has ended (a static queue used by successive
//    run() calls) rebinds to the caller's loop; one bound to a loop of a runtime that
//    still runs (on another thread) is refused, like another loop of the same one.
//
// Thread-safety: check() may race with itself only in the misuse it detects; the key
// is an atomic (relaxed loads: a plain load on x86 and ARM), so even then no data race.
#ifndef CORIO_DETAIL_LOOP_BINDING_HPP
#define CORIO_DETAIL_LOOP_BINDING_HPP

#include <corio/detail/step.hpp>

#include <atomic>
#include <cstdint>

namespace corio::detail {

class loop_binding {
public:
  loop_binding() noexcept = default;

  /// Throws std::logic_error when the calling task runs on another loop than the
  /// one this primitive is bound to; `operation` names it ("corio::queue::get").
  void check(const char* operation) const {
    const std::uint64_t here = this_loop_thread.loop_key;
    if (here == 0 || here == bound_.load(std::memory_order_relaxed)) [[likely]]
      return;
    bind_or_refuse(operation, here);
  }

private:
  void bind_or_refuse(const char* operation, std::uint64_t here) const;

  mutable std::atomic<std::uint64_t> bound_{0};
};

/// The runtime (runtime.hpp) says when its loops begin and end, so that a binding
/// to an ended runtime can be told from one to a running runtime.
void runtime_started(std::uint64_t serial);
void runtime_ended(std::uint64_t serial) noexcept;

} // namespace corio::detail

#endif // CORIO_DETAIL_LOOP_BINDING_HPP
