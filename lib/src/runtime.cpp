#include <corio/detail/debug_monitor.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/loop_clock.hpp>
#include <corio/detail/loop_home.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/detail/shutdown_signals.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/errors.hpp>
#include <corio/introspection.hpp>
#include <corio/log.hpp>
#include <corio/task.hpp>

#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>

#include <unistd.h>

namespace corio::detail {

namespace {

// The first tasks by age, then how many more: a drain of thousands stays one line.
std::string describe_live_tasks(const task_registry& registry) {
  constexpr std::size_t named = 20;
  std::ostringstream out;
  std::size_t seen = 0;
  registry.for_each([&](const task_core_base& core) {
    if (seen++ >= named)
      return;
    out << ' ';
    core.print(out);
  });
  if (seen > named)
    out << " ... and " << seen - named << " more";
  return out.str();
}

bool debug_requested_by_environment() {
  const char* value = std::getenv("CORIO_DEBUG");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

// Calls `run` (io_context::run, run_for or poll) until it returns normally: an
// exception escaping a raw Asio handler is logged and dropped, and the loop goes on
// (Asio allows calling run again without restart()). The same rule holds in every
// phase of run(), the final drain included.
template <typename Run>
void run_logging_escapes(Run&& run) {
  for (;;) {
    try {
      run();
      return;
    } catch (const std::exception& e) {
      logger().error("an exception escaped a completion handler and was dropped: {}", e.what());
    } catch (...) {
      logger().error("an exception escaped a completion handler and was dropped");
    }
  }
}

std::size_t checked_thread_count(std::size_t count, const char* option) {
  if (count > run_options::max_threads)
    throw std::invalid_argument(fmt::format(
        "corio::run: run_options::{} is {}, more than the {} corio allows (0 means one per "
        "hardware thread)",
        option, count, run_options::max_threads));
  if (count == 0)
    count = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  return std::min(count, run_options::max_threads);
}

// Distinguishes runtimes in loop keys (loop_binding.hpp): never 0.
std::atomic<std::uint64_t> last_runtime_serial{0};

} // namespace

// ------------------------------------------------------------------------ loop_state

loop_state::loop_state(runtime& owner, std::size_t index)
    : owner_(&owner), index_(index), home_(&loop_home::acquire()), generation_(home_->generation()),
      registry_(&boost::asio::use_service<task_registry>(home_->context())) {}

loop_state::~loop_state() {
  registry_->on_task_finished = nullptr;
  monitor_.reset();
  clock_.reset();
  loop_home::release(*home_);
}

loop_state* loop_state::current() noexcept {
  return this_loop_thread.loop;
}

boost::asio::io_context& loop_state::context() const noexcept {
  return home_->context();
}

executor loop_state::get_executor() const noexcept {
  return home_->context().get_executor();
}

void loop_state::enter() noexcept {
  this_loop_thread.loop = this;
  this_loop_thread.loop_key = key_;
  this_loop_thread.monitor = monitor_.get();
  this_loop_thread.clock = clock_.get();
  this_loop_thread.blocks = &blocks_;
}

void loop_state::leave() noexcept {
  this_loop_thread.loop = nullptr;
  this_loop_thread.loop_key = 0;
  this_loop_thread.monitor = nullptr;
  this_loop_thread.clock = nullptr;
  this_loop_thread.blocks = nullptr;
}

namespace {

// What a task waiting in a corio primitive notes (step.hpp) when the wait is for
// something outside this loop; a task with no note waits in a raw Asio operation.
bool waits_for_something_real(const char* note) noexcept {
  if (note == nullptr)
    return true;
  const std::string_view what(note);
  return what == "to_thread" || what == "task on another loop";
}

} // namespace

bool loop_state::waits_only_on_virtual_time() const noexcept {
  bool virtual_only = true;
  registry_->for_each([&](const task_core_base& core) {
    if (core.started() && !core.done() && waits_for_something_real(core.waiting_on()))
      virtual_only = false;
  });
  return virtual_only;
}

void loop_state::run(std::optional<std::chrono::steady_clock::duration> limit) {
  using real_clock = std::chrono::steady_clock;
  auto& context = this->context();
  if (!clock_->is_virtual()) {
    if (limit)
      context.run_for(*limit);
    else
      context.run();
    return;
  }
  const auto end = limit ? real_clock::now() + *limit : real_clock::time_point::max();
  while (!context.stopped()) {
    if (context.poll() != 0 || context.stopped())
      continue;
    // Nothing is ready: time jumps to the next corio deadline, unless a task waits for
    // a real event (then time stands and the loop waits for that event for real).
    if (const auto next = clock_->next_wake_up(); next && waits_only_on_virtual_time()) {
      clock_->advance_to(*next);
      continue;
    }
    if (!limit) {
      context.run_one();
      continue;
    }
    const auto now = real_clock::now();
    if (now >= end)
      return;
    context.run_one_for(end - now);
  }
}

// --------------------------------------------------------------------------- runtime

runtime::runtime(run_options options) : options_(options) {
  if (loop_state::current() != nullptr)
    throw std::logic_error("corio::run() cannot be called while a corio loop is already running "
                           "on this thread; inside a coroutine use co_await or corio::spawn()");
  const std::size_t loop_count = checked_thread_count(options_.loops, "loops");
  checked_thread_count(options_.thread_pool_size, "thread_pool_size");
  debug_ = options_.debug || debug_requested_by_environment();
  serial_ = ++last_runtime_serial;
  const auto started = std::chrono::steady_clock::now(); // every virtual clock starts here
  const std::uint64_t serial = serial_;
  loops_.reserve(loop_count);
  for (std::size_t index = 0; index < loop_count; ++index) {
    auto& loop = *loops_.emplace_back(std::make_unique<loop_state>(*this, index));
    loop.key_ = serial * loop_state::loop_key_stride + index;
    if (loop_count > 1)
      loop.registry().count_live_tasks_in(live_tasks_);
    if (debug_)
      loop.monitor_ = std::make_unique<debug_monitor>(options_.slow_step);
    loop.clock_ = std::make_unique<loop_clock>(
        options_.virtual_time, started, boost::asio::use_service<timer_queue>(loop.context()));
  }
  loops_.front()->enter();
  runtime_started(serial);
  try {
    if (debug_)
      start_debug_mode();
    start_loop_threads();
  } catch (...) {
    stop_loop_threads();
    runtime_ended(serial);
    loops_.front()->leave();
    throw;
  }
}

runtime::~runtime() {
  try {
    join_thread_pool();
  } catch (...) { // a to_thread completion threw while the runtime was going away
    logger().error("corio::run: error while joining the to_thread pool: {}",
                   describe(std::current_exception()));
  }
  stop_loop_threads();
  shutdown_signals_.reset(); // restores the previous dispositions if an exception ended run()
  runtime_ended(serial_);
  dump_signal_.reset();
  loops_.front()->leave();
  // Loop 0 last: the other loops' pending handlers may refer to its tasks.
  while (loops_.size() > 1)
    loops_.pop_back();
  loops_.clear();
}

runtime* runtime::current() noexcept {
  loop_state* loop = loop_state::current();
  return loop != nullptr ? &loop->owner() : nullptr;
}

void runtime::start_loop_threads() {
  for (std::size_t index = 1; index < loops_.size(); ++index) {
    loop_state& loop = *loops_[index];
    try {
      loop.thread_ = std::thread([&loop] {
        loop.enter();
        auto& context = loop.context();
        // Runs until stop_loop_threads() stops it, however idle the loop is.
        auto keep_running = boost::asio::make_work_guard(context);
        run_logging_escapes([&] { loop.run(); });
        context.restart();
        run_logging_escapes([&] { context.poll(); }); // the last steps of finished tasks
        loop.leave();
      });
    } catch (const std::system_error& e) {
      throw std::system_error(e.code(), fmt::format("corio::run: cannot start the thread of loop "
                                                    "{} of {}",
                                                    index, loops_.size()));
    }
  }
}

void runtime::stop_loop_threads() noexcept {
  for (std::size_t index = 1; index < loops_.size(); ++index) {
    loop_state& loop = *loops_[index];
    if (!loop.thread_.joinable())
      continue;
    loop.context().stop();
    loop.thread_.join();
  }
}

void runtime::start_debug_mode() {
  dump_signal_ = std::make_unique<boost::asio::signal_set>(context(), SIGUSR1);
  dump_on_signal();
  logger().info("debug mode: steps over {} ms are reported; kill -USR1 {} dumps the tasks",
                std::chrono::duration_cast<std::chrono::milliseconds>(options_.slow_step).count(),
                static_cast<long>(::getpid()));
}

namespace {

// Dumps loop `index`'s tasks on its own thread, then hands over to the next loop,
// so the loops' tables do not interleave.
void dump_loop_and_next(const runtime& owner, std::size_t index) {
  loop_state& loop = owner.loop_at(index);
  if (owner.loop_count() > 1)
    std::cerr << fmt::format("corio: loop {} of {}\n", index, owner.loop_count());
  dump_tasks(std::cerr, loop.get_executor());
  if (index + 1 < owner.loop_count())
    boost::asio::post(owner.loop_at(index + 1).context(),
                      [&owner, index] { dump_loop_and_next(owner, index + 1); });
}

} // namespace

void runtime::dump_on_signal() {
  dump_signal_->async_wait([this](const boost::system::error_code& error, int) {
    if (error)
      return;
    dump_loop_and_next(*this, 0);
    dump_on_signal();
  });
}

template <typename Function>
void runtime::on_every_loop(Function function) const {
  for (const auto& loop : loops_) {
    if (loop->index() == 0) // called on loop 0's thread
      function(*loop);
    else
      boost::asio::post(loop->context(), [function, &loop = *loop] { function(loop); });
  }
}

void runtime::warn_about_live_tasks(bool abandoning) const {
  on_every_loop([abandoning, loops = loops_.size()](const loop_state& loop) {
    const task_registry& registry = loop.registry();
    if (registry.empty())
      return;
    const std::string where = loops > 1 ? fmt::format(" on loop {}", loop.index()) : "";
    if (abandoning)
      logger().warn("corio: {} task(s){} could not be cancelled and were abandoned:{}",
                    registry.size(), where, describe_live_tasks(registry));
    else
      logger().warn("corio::run: still waiting for {} task(s){} to end after cancellation:{}",
                    registry.size(), where, describe_live_tasks(registry));
  });
}

std::size_t runtime::live_tasks() const noexcept {
  return loops_.size() > 1 ? live_tasks_.load() : registry().size();
}

void runtime::run_until_complete(task_core_base& main) {
  main_ = &main;
  registry().on_task_finished = [this] {
    if (main_->done())
      context().stop();
  };
  if (options_.handle_signals)
    shutdown_signals_ = std::make_unique<shutdown_signals>(context(), [this](int) {
      if (!main_->done())
        main_->cancel(); // the drain follows once main has ended
    });
  context().restart();
  // Every co_spawn'ed coroutine holds outstanding work, so run() only returns
  // once the hook above stopped it.
  run_logging_escapes([this] { loops_.front()->run(); });
  if (debug_) {
    on_every_loop([](const loop_state& loop) {
      std::ostringstream never_ran;
      std::size_t count = 0;
      loop.registry().for_each([&](const task_core_base& core) {
        if (core.started())
          return;
        ++count;
        never_ran << ' ' << core.repr() << " (spawned at " << core.spawn_site().file_name() << ':'
                  << core.spawn_site().line() << ')';
      });
      if (count != 0)
        logger().warn("corio::run is ending with {} task(s) that never ran:{}", count,
                      never_ran.str());
    });
  }
  cancel_and_drain();
  join_thread_pool();
  stop_loop_threads();
  if (shutdown_signals_)
    interrupted_by_ = shutdown_signals_->stop();
}

void runtime::wake_loop_zero_if_drained() {
  if (live_tasks() != 0)
    return;
  if (loop_state::current() == loops_.front().get())
    context().stop();
  else // runs inside loop 0's run_for, so the stop cannot be lost to a restart()
    boost::asio::post(context(), [this] { context().stop(); });
}

void runtime::begin_drain() {
  for (const auto& loop : loops_)
    loop->home().close(); // submit() is refused from now on
  on_every_loop([this](const loop_state& loop) {
    loop.registry().on_task_finished = [this] { wake_loop_zero_if_drained(); };
    loop.registry().cancel_all();
  });
}

std::size_t runtime::cancel_and_drain(std::optional<std::chrono::steady_clock::duration> limit) {
  using clock = std::chrono::steady_clock;
  constexpr auto warning_interval = std::chrono::seconds(1);
  begin_drain();
  const auto start = clock::now();
  auto next_warning = start + warning_interval;
  while (live_tasks() != 0) {
    const auto now = clock::now();
    if (limit && now - start >= *limit)
      break;
    if (now >= next_warning) {
      warn_about_live_tasks(false);
      next_warning = now + warning_interval;
    }
    auto slice = next_warning - now;
    if (limit)
      slice = std::min(slice, start + *limit - now);
    context().restart();
    run_logging_escapes([&] { loops_.front()->run(slice); });
  }
  const std::size_t abandoned = live_tasks();
  if (abandoned != 0)
    warn_about_live_tasks(true);
  // Let finished coroutines complete their last steps (frame teardown).
  context().restart();
  run_logging_escapes([this] { context().poll(); });
  return abandoned;
}

boost::asio::thread_pool& runtime::thread_pool() {
  std::lock_guard lock(pool_mutex_);
  if (pool_joined_)
    throw std::logic_error("corio::to_thread: corio::run() is ending; its thread pool is joined");
  if (thread_pool_)
    return *thread_pool_;
  const std::size_t size = checked_thread_count(options_.thread_pool_size, "thread_pool_size");
  // One thread by the pool itself, the rest attached: Asio's thread_pool(n) hangs in
  // its destructor when it cannot start its k-th thread (the k-1 running ones are
  // never told to stop), so only its first thread is started there.
  try {
    thread_pool_ = std::make_unique<boost::asio::thread_pool>(1);
  } catch (const boost::system::system_error& e) { // what Asio's posix_thread throws
    throw std::system_error(std::error_code(e.code()),
                            "corio::to_thread: cannot start the thread pool");
  }
  for (std::size_t extra = 1; extra < size; ++extra) {
    try {
      pool_extra_threads_.emplace_back([pool = thread_pool_.get()] { pool->attach(); });
    } catch (const std::system_error& e) {
      logger().warn("corio::to_thread: started {} of {} pool threads ({}); going on with them",
                    extra, size, e.what());
      break;
    }
  }
  return *thread_pool_;
}

void runtime::join_thread_pool() {
  std::unique_ptr<boost::asio::thread_pool> pool;
  std::vector<std::thread> extra_threads;
  {
    std::lock_guard lock(pool_mutex_);
    pool_joined_ = true;
    pool = std::move(thread_pool_);
    extra_threads = std::move(pool_extra_threads_);
  }
  if (!pool)
    return;
  // Waits for to_thread() calls still running (their awaiters are gone). A pool
  // thread may be blocked on a submit() to a loop, so the loops keep running while
  // another thread joins the pool; then loop 0 runs the completions the pool posted,
  // so nothing they hold leaks.
  auto join = [&pool, &extra_threads] {
    pool->join();
    for (std::thread& thread : extra_threads)
      thread.join();
  };
  auto& loop_zero = context();
  auto keep_running = boost::asio::make_work_guard(loop_zero);
  std::atomic<bool> joined{false};
  auto join_and_wake = [&] {
    join();
    joined = true;
    boost::asio::post(loop_zero, [&loop_zero] { loop_zero.stop(); });
  };
  std::thread joiner;
  try {
    joiner = std::thread(join_and_wake);
  } catch (const std::system_error&) {
    join_and_wake(); // no thread to spare: join here
  }
  // A task a late submission started may end meanwhile, and the drain hooks then
  // stop the loop: run it again until the pool is joined.
  while (!joined.load()) {
    loop_zero.restart();
    run_logging_escapes([&] { loops_.front()->run(); });
  }
  if (joiner.joinable())
    joiner.join();
  keep_running.reset();
  pool.reset();
  loop_zero.restart();
  run_logging_escapes([&] { loop_zero.poll(); });
}

executor current_executor(const char* function) {
  loop_state* current = loop_state::current();
  if (current == nullptr)
    throw std::logic_error(fmt::format(
        "{}: no corio loop runs on this thread; call it inside corio::run(), or pass an executor",
        function));
  return current->get_executor();
}

std::size_t runtime::poll() {
  context().restart();
  return context().poll();
}

std::size_t runtime::run_one() {
  context().restart();
  return context().run_one();
}

} // namespace corio::detail
