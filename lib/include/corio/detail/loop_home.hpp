// corio/detail/loop_home.hpp - where a corio loop's io_context lives, so that a
// thread outside the loop can reach it safely before, during and after run().
//
// Design: a plain thread holds a loop's executor (a pointer to its io_context) or a
// corio::loop handle, and may post to it at any moment: while the loop runs, while
// run() drains it, or after run() has returned and the io_context is gone. Posting
// to a destroyed io_context is a use-after-free, so corio's loops keep their
// io_context in a "home": a slot in a process-wide pool that is never freed, whose
// storage is reused only by later corio loops. Under one process-wide mutex a home
// says whether its loop still accepts work from outside (open from the loop's start
// until run() begins its final drain) and which generation of loop lives there.
//
//  - post_from_outside(context, f): if `context` is a corio loop that is open, posts
//    f to it (under the mutex, so the loop cannot close or die meanwhile) and says
//    `posted`; if it is a corio loop that has closed or ended, says `refused` (the
//    caller breaks its promise); if it is not a corio loop (a user's io_context),
//    says `not_corio` and the caller posts as before.
//  - A loop handle (corio::loop) names its home and generation, so it can tell its
//    loop from a later one that reuses the same home.
//
// Non-guarantee: an executor carries no generation. A thread that keeps a loop's
// executor after its run() ended, while a later run() reuses the same home, reaches
// the later loop. corio::loop handles never do.
//
// Invariants: homes are created and never destroyed (a pool bounded by the largest
// number of corio loops alive at once); a home's io_context is constructed and
// destroyed by the runtime that owns it, never while the mutex is held (destroying
// it runs handler destructors, which may submit again).
//
// Thread-safety: every function here may be called from any thread.
#ifndef CORIO_DETAIL_LOOP_HOME_HPP
#define CORIO_DETAIL_LOOP_HOME_HPP

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>

namespace corio::detail {

class loop_home {
public:
  enum class post_result { posted, refused, not_corio };

  /// A home with a fresh io_context (concurrency hint 1), open.
  static loop_home& acquire();
  /// Destroys the io_context (its pending handlers with it) and returns the home to
  /// the pool. Call after close() and after the loop's thread has stopped.
  static void release(loop_home& home) noexcept;

  /// From now on, outside threads are refused.
  void close() noexcept;
  boost::asio::io_context& context() noexcept {
    return *std::launder(static_cast<boost::asio::io_context*>(static_cast<void*>(storage_)));
  }
  std::uint64_t generation() const noexcept { return generation_; }
  /// True when this home still holds loop `generation` and that loop is open.
  bool open(std::uint64_t generation) const noexcept;
  /// True when this home still holds loop `generation` (open or draining).
  bool holds(std::uint64_t generation) const noexcept;

  /// Posts `function` to the loop running `context` if that loop accepts work from
  /// outside (see the file comment).
  template <typename Function>
  static post_result post_from_outside(const boost::asio::execution_context& context,
                                       Function&& function) {
    std::lock_guard lock(mutex());
    loop_home* home = find(context);
    if (home == nullptr)
      return post_result::not_corio;
    if (!home->accepting_)
      return post_result::refused;
    boost::asio::post(home->context(), std::forward<Function>(function));
    return post_result::posted;
  }

  /// The same through a loop handle's home and generation.
  template <typename Function>
  bool post_from_outside(std::uint64_t generation, Function&& function) {
    std::lock_guard lock(mutex());
    if (!accepting_ || generation_ != generation)
      return false;
    boost::asio::post(context(), std::forward<Function>(function));
    return true;
  }

private:
  static std::mutex& mutex() noexcept;
  static loop_home* find(const boost::asio::execution_context& context) noexcept;

  // The io_context is built here by placement new, so its address is the same for
  // every loop this home holds: an executor of an ended loop still finds its home.
  alignas(boost::asio::io_context) std::byte storage_[sizeof(boost::asio::io_context)]{};
  std::uint64_t generation_ = 0;
  bool accepting_ = false;
  bool in_use_ = false;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_LOOP_HOME_HPP
