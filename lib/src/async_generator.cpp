#include <corio/async_generator.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/errors.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace corio::detail {

namespace {
constexpr const char* next_name = "corio::async_generator::next";
} // namespace

void throw_empty_async_generator() {
  throw std::logic_error("corio::async_generator: an empty (moved-from) generator");
}

async_generator_core::~async_generator_core() = default;

void async_generator_core::throw_closed() const {
  const char* why = "it was closed";
  switch (end_) {
  case end_reason::returned:
    why = "its body has returned (next() gave nullopt)";
    break;
  case end_reason::failed:
    why = "its body threw (next() rethrew it)";
    break;
  case end_reason::cancelled:
    why = "it was cancelled (next() threw cancelled_error)";
    break;
  case end_reason::none:
  case end_reason::closed:
    break;
  }
  throw generator_exhausted(std::string(next_name) + ": the generator is closed because " + why +
                            "; it yields no more values");
}

bool async_generator_core::begin_pull(const executor& ex, std::source_location site) {
  binding_.check(next_name);
  if (pulling_)
    throw std::logic_error(std::string(next_name) +
                           ": another next() of this generator is still in progress; pull from "
                           "one coroutine at a time");
  if (end_ != end_reason::none)
    throw_closed();
  if (!body_) {
    body_ = start_task(ex, std::move(*pending_body_), "corio.async_generator", site);
    pending_body_.reset();
    body_->joiners().async_wait(
        {}, boost::asio::bind_executor(loop_executor(ex), body_end_watcher{this}));
  } else if (!body_->done()) {
    producer_.notify_one(); // the body waits at its yield (or unwinds: it ends soon)
  }
  pulling_ = true; // only now: nothing above may leave it set if it throws
  return !body_->done();
}

void async_generator_core::report_end() {
  switch (body_->state()) {
  case task_state::done:
    end_ = end_reason::returned;
    return;
  case task_state::failed:
    end_ = end_reason::failed;
    std::rethrow_exception(body_->retrieve_exception());
  case task_state::cancelled:
    end_ = end_reason::cancelled;
    (void)body_->retrieve_exception();
    throw cancelled_error(std::string(next_name) +
                          ": the generator was cancelled while it ran; it is closed");
  case task_state::pending:
    break;
  }
  throw std::logic_error(std::string(next_name) + ": woken while the body still runs");
}

void async_generator_core::cancel_body() noexcept {
  if (body_)
    body_->cancel();
}

void async_generator_core::abandon() noexcept {
  if (end_ == end_reason::none)
    end_ = end_reason::closed;
  if (!body_)
    pending_body_.reset(); // its yielder owns this state: break the cycle now
  else
    body_->cancel(); // unwinds at its yield on a later turn; no-op once it has ended
}

void async_generator_core::check_yield() const {
  if (!pulling_ || end_ == end_reason::closed)
    throw std::logic_error("corio::async_generator: yield while no next() waits for a value (a "
                           "yield in a cleanup scope while the generator is closed, or a "
                           "yielder used outside its generator's body)");
}

awaitable<void> close_async_generator(boost::intrusive_ptr<async_generator_core> self) {
  self->binding_.check("corio::async_generator::close");
  if (self->pulling_)
    throw std::logic_error("corio::async_generator::close: a next() of this generator is still in "
                           "progress; cancel that coroutine instead");
  if (self->end_ != async_generator_core::end_reason::none)
    co_return;
  self->end_ = async_generator_core::end_reason::closed;
  if (!self->body_) {
    self->pending_body_.reset();
    co_return;
  }
  if (!self->body_->done()) {
    self->body_->cancel();
    // Woken only when the body has ended (its end watcher); a cancellation of our own
    // caller must not stop the wait, the body is already cancelled.
    co_await self->consumer_.async_wait({}, boost::asio::use_awaitable_t<executor>(),
                                        [] { return false; });
  }
  if (self->body_->state() == task_state::failed)
    std::rethrow_exception(self->body_->retrieve_exception());
}

} // namespace corio::detail
