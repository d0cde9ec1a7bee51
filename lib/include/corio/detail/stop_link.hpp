// corio/detail/stop_link.hpp - a std::stop_token wired to a cancellation on a loop
// (cancel_on() and spawn(..., stop_token)).
//
// Design: std::stop_callback runs its callback on whichever thread calls
// request_stop() (or in its own constructor when the token is already stopped), so
// the callback only posts a step to the loop, through the loop's home
// (loop_home.hpp: safe whatever state the loop is in; a loop that is draining has
// cancelled everything already and the step is dropped). The step runs `action` on
// the loop thread if the link is still alive. `action` may capture raw pointers to
// loop-bound objects: the link is destroyed before them, and a step that arrives
// later finds it disarmed. The shared block is what crosses threads: the foreign
// thread only copies its shared_ptr and reads its constant fields; `armed` is read
// and written on the loop thread only.
//
// An already-stopped token posts the action at once: it runs right after the
// current step, so the operation started in that step is cut at its first
// suspension (like a deadline in the past), never skipped silently.
// Thread-safety: construct and destroy on the loop thread; request_stop() anywhere.
#ifndef CORIO_DETAIL_STOP_LINK_HPP
#define CORIO_DETAIL_STOP_LINK_HPP

#include <corio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace corio::detail {

class stop_link {
public:
  stop_link(std::stop_token token, const executor& ex, std::function<void()> action);
  ~stop_link();
  stop_link(const stop_link&) = delete;
  stop_link& operator=(const stop_link&) = delete;

private:
  struct shared;
  struct on_stop {
    std::shared_ptr<shared> target;
    void operator()() const noexcept;
  };

  std::shared_ptr<shared> shared_;
  std::optional<std::stop_callback<on_stop>> callback_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_STOP_LINK_HPP
