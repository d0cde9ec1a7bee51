#include <corio/detail/primitive.hpp>
#include <corio/errors.hpp>
#include <corio/log.hpp>
#include <corio/task_group.hpp>

#include <fmt/format.h>

namespace corio {

namespace {

std::string group_error_message(const std::string& task_name,
                                const std::vector<std::exception_ptr>& exceptions) {
  std::string message = fmt::format("corio::task_group: task '{}' failed: {}", task_name,
                                    describe(exceptions.front()));
  if (exceptions.size() > 1)
    message += fmt::format(" (and {} more failure{})", exceptions.size() - 1,
                           exceptions.size() == 2 ? "" : "s");
  return message;
}

} // namespace

task_group_error::task_group_error(const std::string& task_name,
                                   std::vector<std::exception_ptr> exceptions)
    : std::runtime_error(group_error_message(task_name, exceptions)),
      exceptions_(std::move(exceptions)) {}

task_group::task_group() : task_group(detail::current_executor("corio::task_group")) {}

task_group::task_group(executor ex)
    : set_(new detail::child_set(std::move(ex), {.owner = "corio::task_group",
                                                 .cancellation_is_failure = false,
                                                 .report_failures = true,
                                                 .keep_finished = true})),
      uncaught_at_construction_(std::uncaught_exceptions()) {}

task_group::~task_group() {
  if (phase_ != phase::joined) // nobody will see a task_group_error: log the failures
    set_->abandon("the group was left without join()");
  const std::size_t live = set_->live();
  if (live == 0)
    return;
  set_->stop();
  if (std::uncaught_exceptions() > uncaught_at_construction_)
    logger().debug("corio::task_group: left by an exception; cancelled {} running task(s)", live);
  else
    logger().warn("corio::task_group destroyed with {} running task(s) and no join(); they "
                  "were cancelled (co_await group.join() before the group goes)",
                  live);
}

void task_group::check_open(const char* operation) const {
  binding_.check("corio::task_group");
  if (phase_ == phase::joined)
    throw std::logic_error(fmt::format(
        "corio::task_group::{}: the group was already joined; use a new group", operation));
}

awaitable<void> task_group::join() {
  check_open("join");
  if (body_index_)
    throw std::logic_error("corio::task_group::join: a with_task_group() group is joined when "
                           "its body ends; return from the body instead");
  if (phase_ == phase::joining)
    throw std::logic_error("corio::task_group::join: another join() is already waiting");
  phase_ = phase::joining;
  return join_children(this, set_);
}

awaitable<void> task_group::join_children(task_group* group,
                                          boost::intrusive_ptr<detail::child_set> set) {
  struct mark_joined {
    explicit mark_joined(task_group* g) noexcept : group(g) {}
    mark_joined(const mark_joined&) = delete;
    mark_joined& operator=(const mark_joined&) = delete;
    ~mark_joined() { group->phase_ = phase::joined; }
    task_group* group;
  } mark{group};
  std::exception_ptr failure;
  try {
    co_await set->wait_all();
  } catch (const cancelled_error&) {
    throw;
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    std::vector<std::exception_ptr> exceptions{failure};
    const auto& further = set->further_failures();
    exceptions.insert(exceptions.end(), further.begin(), further.end());
    throw task_group_error(set->first_failure_name(), std::move(exceptions));
  }
}

void task_group::cancel() {
  binding_.check("corio::task_group::cancel");
  cancel_called_ = true;
  set_->stop();
}

awaitable<std::optional<any_task>> task_group::next_done() {
  binding_.check("corio::task_group::next_done");
  if (!co_await wait_for_done())
    co_return std::nullopt;
  any_task done(std::move(set_->unreported().front()));
  set_->unreported().pop_front();
  co_return done;
}

awaitable<bool> task_group::wait_for_done() {
  const boost::intrusive_ptr<detail::child_set> set = set_;
  auto& unreported = set->unreported();
  for (;;) {
    while (!unreported.empty() && unreported.front().get() == body_core_)
      unreported.pop_front(); // the scope's body is not handed out
    if (!unreported.empty())
      co_return true;
    if (size() == 0)
      co_return false;
    auto [error] = co_await set->wakeups().async_wait({}, detail::wait_token);
    if (error)
      throw cancelled_error("corio::task_group::next_done: cancelled while waiting; no task "
                            "was taken");
  }
}

namespace detail {

void throw_next_done_type(const std::string& child_name) {
  throw std::logic_error(fmt::format("corio::task_group::next_done<T>: task '{}' does not return "
                                     "T; it stays for the next next_done()",
                                     child_name));
}

void throw_body_cancelled() {
  throw cancelled_error("corio::with_task_group: the body was cancelled before it returned");
}

} // namespace detail

} // namespace corio
