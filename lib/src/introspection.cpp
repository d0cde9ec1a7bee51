#include <corio/any_task.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/introspection.hpp>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>
#include <string>

namespace corio {

namespace {

detail::task_core_base& checked(detail::task_core_base* core) {
  if (core == nullptr)
    detail::throw_empty_task();
  return *core;
}

} // namespace

detail::task_core_base& any_task::core() const {
  return checked(core_.get());
}

std::chrono::duration<double> any_task::age() const {
  return std::chrono::steady_clock::now() - core().created();
}

std::string any_task::waiting_on() const {
  const char* what = core().waiting_on();
  return what != nullptr && !done() ? what : "";
}

any_task current_task() noexcept {
  return any_task(detail::running_task());
}

std::vector<any_task> all_tasks() {
  return all_tasks(detail::current_executor("corio::all_tasks"));
}

std::vector<any_task> all_tasks(const executor& ex) {
  auto live = detail::task_registry::of(ex).live_tasks();
  std::vector<any_task> tasks;
  tasks.reserve(live.size());
  for (auto& core : live)
    tasks.emplace_back(std::move(core));
  return tasks;
}

void dump_tasks(std::ostream& out) {
  dump_tasks(out, detail::current_executor("corio::dump_tasks"));
}

void dump_tasks(std::ostream& out, const executor& ex) {
  const std::vector<any_task> tasks = all_tasks(ex);
  const any_task running = current_task();
  out << fmt::format("corio: {} pending task(s)\n", tasks.size());
  for (const any_task& t : tasks) {
    const std::string waiting = t.waiting_on();
    const auto site = t.spawn_site();
    out << fmt::format("  {}{} age {:.3f}s {} spawned at {}:{}\n", fmt::streamed(t),
                       t == running ? " (running)" : "", t.age().count(),
                       waiting.empty() ? std::string("running or in an Asio operation")
                                       : "waiting in " + waiting,
                       site.file_name(), site.line());
  }
}

} // namespace corio
