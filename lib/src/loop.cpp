#include <corio/detail/runtime.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/loop.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio {

namespace {

detail::loop_state& current_loop_state(const char* function) {
  detail::loop_state* current = detail::loop_state::current();
  if (current == nullptr)
    throw std::logic_error(fmt::format(
        "{}: no corio loop runs on this thread; call it from a task inside corio::run() (from a "
        "plain thread, use corio::submit(loop, ...))",
        function));
  return *current;
}

} // namespace

loop::loop(detail::loop_state& state) noexcept
    : home_(&state.home()), generation_(state.generation()), index_(state.index()) {}

corio::executor loop::executor() const {
  if (!home_->holds(generation_))
    detail::throw_loop_ended("corio::loop::executor", index_);
  return home_->context().get_executor();
}

loop current_loop() {
  return loop(current_loop_state("corio::current_loop"));
}

std::vector<loop> loops() {
  const detail::runtime& owner = current_loop_state("corio::loops").owner();
  std::vector<loop> all;
  all.reserve(owner.loop_count());
  for (std::size_t index = 0; index < owner.loop_count(); ++index)
    all.push_back(loop(owner.loop_at(index)));
  return all;
}

loop next_loop() {
  detail::loop_state& here = current_loop_state("corio::next_loop");
  const detail::runtime& owner = here.owner();
  const std::size_t step = here.next_placement() % owner.loop_count();
  return loop(owner.loop_at((here.index() + 1 + step) % owner.loop_count()));
}

namespace detail {

loop_state& loop_access::resolve(const loop& where, const char* function) {
  loop_state& here = current_loop_state(function);
  const runtime& owner = here.owner();
  if (where.index_ < owner.loop_count()) {
    loop_state& candidate = owner.loop_at(where.index_);
    if (&candidate.home() == where.home_ && candidate.generation() == where.generation_)
      return candidate;
  }
  throw_loop_ended(function, where.index_);
}

std::string next_default_task_name(loop_state& loop) {
  return fmt::format("Task-{}", loop.registry().next_default_number());
}

void throw_loop_ended(const char* function, std::size_t index) {
  throw std::logic_error(
      fmt::format("{}: loop {} belongs to a corio::run() that has ended (or to another "
                  "runtime than the calling task's)",
                  function, index));
}

} // namespace detail

} // namespace corio
