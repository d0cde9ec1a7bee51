// The schedule fuzzer's runner and checker (see schedule_fuzz.hpp): every node of the
// plan becomes a coroutine, every step an operation of corio's public API, and every
// result is compared with what the coroutines recorded about how they ended.
#include "support/schedule_fuzz.hpp"

#include "support/corio_test.hpp"

#include <corio/cancel_scope.hpp>
#include <corio/channel.hpp>
#include <corio/clock.hpp>
#include <corio/errors.hpp>
#include <corio/gather.hpp>
#include <corio/loop.hpp>
#include <corio/map_concurrent.hpp>
#include <corio/mutex.hpp>
#include <corio/queue.hpp>
#include <corio/race.hpp>
#include <corio/run.hpp>
#include <corio/semaphore.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/task_group.hpp>
#include <corio/timeout.hpp>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <variant>

namespace corio::test::fuzz {

namespace {

using namespace std::chrono_literals;
namespace this_coro = boost::asio::this_coro;

// ---------------------------------------------------------------------------- values

/// A queue item: move-only, counted, ordered by id (for priority_queue).
class item {
public:
  static inline std::atomic<int> alive{0};
  explicit item(int id) noexcept : id_(id) { ++alive; }
  item(item&& other) noexcept : id_(other.id_) { ++alive; }
  item& operator=(item&& other) noexcept = default;
  item(const item&) = delete;
  item& operator=(const item&) = delete;
  ~item() { --alive; }
  int id() const noexcept { return id_; }
  friend bool operator<(const item& a, const item& b) noexcept { return a.id_ < b.id_; }

private:
  int id_;
};

/// What a node throws when it fails; the message names the node, so it is unique.
class node_failure : public std::runtime_error {
public:
  node_failure(int node, const char* why)
      : std::runtime_error(fmt::format("[fuzz-failure node={}] {}", node, why)) {}
};

/// A count of live frames; atomic, since a frame made on one loop may end on another.
using frame_count = std::shared_ptr<std::atomic<int>>;

frame_count new_frame_count() {
  return std::make_shared<std::atomic<int>>(0);
}

/// Counts a live coroutine frame (it is a by-value parameter of each node coroutine),
/// in the world's total and in the counter of whoever must outlive it.
class frame_token {
public:
  frame_token(std::atomic<int>& total, frame_count scope)
      : total_(&total), scope_(std::move(scope)) {
    enter();
  }
  frame_token(const frame_token& other) : total_(other.total_), scope_(other.scope_) { enter(); }
  frame_token(frame_token&& other) noexcept : total_(other.total_), scope_(other.scope_) {
    enter();
  }
  frame_token& operator=(const frame_token&) = delete;
  frame_token& operator=(frame_token&&) = delete;
  ~frame_token() {
    --*total_;
    if (scope_)
      --*scope_;
  }
  bool scoped() const noexcept { return scope_ != nullptr; }

private:
  void enter() noexcept {
    ++*total_;
    if (scope_)
      ++*scope_;
  }
  std::atomic<int>* total_;
  frame_count scope_;
};

// ---------------------------------------------------------------------------- the world

/// How a node's coroutine ended, recorded by the coroutine itself.
struct exit_record {
  enum class how { never_ran, returned, failed, cancelled };
  how kind = how::never_ran;
  int count = 0;
  int value = 0;
  std::string message; // failed: the exception's message
  std::uint64_t order = 0;
};

struct tracked_task {
  corio::task<int> handle; // a task of the loop that started it (a proxy for a remote node)
  int node = 0;
  frame_count frames; // the node's frame; 0 once it is gone
};

/// What one loop owns: its loop-bound primitives, the task handles its tasks hold, its
/// counters. Touched only from that loop's thread while run() runs (the misuse step
/// excepted, which must be refused before it touches anything), and after run() from
/// the test's thread.
struct loop_world {
  explicit loop_world(const plan& p)
      : fifo(p.queue_maxsize[0]), lifo(p.queue_maxsize[1]), heap(p.queue_maxsize[2]),
        sem(p.lockable_limit[0]), bounded(p.lockable_limit[1]) {}

  corio::queue<item> fifo;
  corio::lifo_queue<item> lifo;
  corio::priority_queue<item> heap;
  corio::semaphore sem;
  corio::bounded_semaphore bounded;
  corio::mutex mtx;
  std::array<int, lockable_count> inside{};
  std::array<std::size_t, queue_count> dropped{};
  std::vector<tracked_task> tasks;
  std::vector<std::size_t> top_level;                   // loop 0: indices into tasks
  stats counts;                                         // merged after run()
  std::vector<corio::semaphore::permit> leaked_permits; // fault::leak_permit
  std::vector<frame_token> leaked_frames;               // fault::leak_frame
};

/// Everything one seed's run shares; it outlives run(), so run()'s final drain
/// can still count what it destroys. Shared between loop threads: the atomics, the
/// channels, the members under `mutex`; exits[i] and the item counters of one item are
/// written by one loop and read by another only after an await or a channel hand-off
/// ordered them (or after run()).
struct world {
  world(const plan& p_, const options& opts_)
      : p(p_), opts(opts_), put_ok(static_cast<std::size_t>(p_.items)), got(put_ok.size()),
        left(put_ok.size()), item_bucket(put_ok.size()), exits(p_.nodes.size()),
        started_by(p_.nodes.size(), "top level") {
    for (int i = 0; i < p.loops; ++i)
      loops.push_back(std::make_unique<loop_world>(p));
    if (p.loops > 1)
      for (int capacity : p.channel_capacity)
        channels.push_back(std::make_unique<corio::channel<item>>(capacity));
    for (const auto& node : p.nodes)
      for (const auto* steps : {&node.steps, &node.cleanup})
        for (const auto& s : *steps) {
          if (s.item >= 0)
            item_bucket[static_cast<std::size_t>(s.item)] =
                is_channel_step(s.kind) ? p.loops * queue_count + s.target % channel_count
                                        : node.loop * queue_count + s.target % queue_count;
          for (int child : s.children)
            started_by[static_cast<std::size_t>(child)] =
                fmt::format("{} child of node {}", to_string(s.kind), node.id);
        }
  }

  template <typename... Args>
  void trace(fmt::format_string<Args...> format, Args&&... args) {
    if (opts.trace)
      fmt::print(stderr, "  trace: {}\n", fmt::format(format, std::forward<Args>(args)...));
  }
  void fail(std::string what) {
    const std::lock_guard lock(mutex);
    if (failures.size() < 20)
      failures.push_back(std::move(what));
  }
  exit_record& exit_of(int node) { return exits[static_cast<std::size_t>(node)]; }
  const node_plan& node(int id) const { return p.nodes[static_cast<std::size_t>(id)]; }
  /// The calling task's loop and its part of the world.
  static int here_index() { return static_cast<int>(corio::current_loop().index()); }
  loop_world& here() { return *loops[static_cast<std::size_t>(here_index())]; }
  stats& counts() { return here().counts; }
  /// Node `id` runs on another loop than the calling task.
  bool elsewhere(int id) const { return node(id).loop != here_index(); }
  bool multi() const { return p.loops > 1; }

  const plan& p;
  options opts;
  std::vector<std::unique_ptr<loop_world>> loops;              // indexed by loop index
  std::vector<std::unique_ptr<corio::channel<item>>> channels; // multi-loop plans
  std::vector<corio::loop> handles;                            // set by fuzz_main

  std::vector<std::atomic<int>> put_ok, got, left; // indexed by item id
  std::vector<int> item_bucket;        // item id -> loop * queue_count + queue, or a channel after
  std::vector<exit_record> exits;      // indexed by node id
  std::vector<std::string> started_by; // indexed by node id: "gather child of node 3"
  std::atomic<std::uint64_t> exit_order{0};
  std::atomic<int> frames_alive{0};
  std::atomic<std::uint64_t> progress{0}; // bumped by every step: the watchdog's sign of life

  std::mutex mutex;                                   // guards the three below
  std::set<std::string> observed;                     // messages of the exceptions the nodes caught
  std::chrono::steady_clock::time_point timers_until; // no short timer fires after this
  std::vector<std::string> failures;

  stats after_run; // what the checks after run() count
};

std::string task_name(int node) {
  return fmt::format("fuzz-{}", node);
}

bool is_set(const boost::asio::cancellation_state& state) {
  return state.cancelled() != boost::asio::cancellation_type::none;
}

/// Tells the watchdog a timer may fire until `duration` from now (so that silence until
/// then is not a hang). Loop time: virtual or real, as the seed runs.
void note_timer(world& w, std::chrono::steady_clock::duration duration) {
  const std::lock_guard lock(w.mutex);
  w.timers_until = std::max(w.timers_until, corio::now() + duration);
}

bool timers_may_fire(world& w) {
  const std::lock_guard lock(w.mutex);
  return corio::now() < w.timers_until + std::chrono::milliseconds(1);
}

// ---------------------------------------------------------------------------- what ends mean

std::string describe_exit(const exit_record& exit) {
  switch (exit.kind) {
  case exit_record::how::never_ran:
    return "never ran";
  case exit_record::how::returned:
    return fmt::format("returned value {}", exit.value);
  case exit_record::how::failed:
    return fmt::format("failed with '{}'", exit.message);
  case exit_record::how::cancelled:
    return "let a cancellation escape";
  }
  return "?";
}

std::string describe_outcome(const std::exception_ptr& error, int value) {
  if (!error)
    return fmt::format("value {}", value);
  return fmt::format("{} '{}'", is_cancellation(error) ? "cancellation" : "exception",
                     describe(error));
}

/// What an awaiter of a task (or a combinator relaying a child) must see, given how
/// the child's coroutine ended; empty when `error`/`value` is exactly that.
std::string mismatch(const exit_record& exit, const std::exception_ptr& error, int value) {
  bool ok = false;
  switch (exit.kind) {
  case exit_record::how::never_ran: // cancelled before its first step
  case exit_record::how::cancelled:
    ok = error && is_cancellation(error);
    break;
  case exit_record::how::returned:
    ok = !error && value == exit.value;
    break;
  case exit_record::how::failed:
    ok = error && !is_cancellation(error) && describe(error) == exit.message;
    break;
  }
  if (ok)
    return {};
  return fmt::format("saw {}, but the coroutine {}", describe_outcome(error, value),
                     describe_exit(exit));
}

task_state state_for(const exit_record& exit) {
  switch (exit.kind) {
  case exit_record::how::returned:
    return task_state::done;
  case exit_record::how::failed:
    return task_state::failed;
  default:
    return task_state::cancelled;
  }
}

void record_exit(world& w, int id, const std::exception_ptr& error, int value) {
  exit_record& exit = w.exit_of(id);
  if (++exit.count > 1)
    w.fail(
        fmt::format("node {} ended {} times (a coroutine resumed after its end)", id, exit.count));
  exit.order = ++w.exit_order;
  if (!error) {
    exit.kind = exit_record::how::returned;
    exit.value = value;
  } else if (is_cancellation(error)) {
    exit.kind = exit_record::how::cancelled;
  } else {
    exit.kind = exit_record::how::failed;
    exit.message = describe(error);
    try {
      std::rethrow_exception(error);
    } catch (const node_failure&) {
    } catch (...) {
      w.fail(fmt::format("node {} let an unexpected exception escape: {}", id, exit.message));
    }
    if (w.opts.inject == fault::misrecord_exit) {
      exit.kind = exit_record::how::returned;
      exit.value = node_value(id);
    }
  }
}

/// Records the messages of an exception a node caught (a failure it saw).
void record_seen(world& w, const std::exception_ptr& error) {
  if (w.opts.inject == fault::lose_exception)
    return;
  std::vector<std::string> messages{describe(error)};
  try {
    std::rethrow_exception(error);
  } catch (const corio::task_group_error& group_error) {
    for (const auto& each : group_error.exceptions())
      messages.push_back(describe(each));
  } catch (...) {
  }
  const std::lock_guard lock(w.mutex);
  w.observed.insert(messages.begin(), messages.end());
}

/// The exceptions a step may legitimately throw (beyond a cancellation).
bool expected_error(const step& s, const std::exception_ptr& error) {
  if (is_cancellation(error))
    return true;
  const bool bounded = s.wait == wait_bound::zero || s.wait == wait_bound::brief;
  try {
    std::rethrow_exception(error);
  } catch (const corio::timeout_error&) {
    return bounded;
  } catch (const corio::queue_shut_down&) {
    return s.kind == step_kind::put || s.kind == step_kind::try_put || s.kind == step_kind::get ||
           s.kind == step_kind::try_get;
  } catch (const corio::channel_closed&) {
    return is_channel_step(s.kind) && s.kind != step_kind::close_channel;
  } catch (const corio::task_group_error&) {
    return s.kind == step_kind::group;
  } catch (const node_failure&) {
    return !s.children.empty() || s.kind == step_kind::await_kept ||
           s.kind == step_kind::shield_kept;
  } catch (...) {
  }
  return false;
}

std::string where(const node_plan& node, const step& s) {
  std::string text = fmt::format("node {} {}", node.id, to_string(s.kind));
  if (!s.children.empty())
    text += fmt::format(" of [{}]", fmt::join(s.children, ","));
  return text;
}

/// What an awaiter saw, and the facts around it.
struct outcome {
  bool pre_cancelled = false; // the task was already cancelled: Asio threw at the co_await
  bool own_cancelled = false; // the awaiting task was cancelled by the time it resumed
  std::exception_ptr error;
  int frames_left = 0; // child frames still alive when it returned
};

template <typename T>
struct observed {
  outcome o;
  T value{};
};

/// Awaits `op` and records what the checks need. In a task that is already cancelled,
/// Asio throws at the co_await of this coroutine itself (see already_cancelled()).
template <typename T>
awaitable<observed<T>> observe(awaitable<T> op, frame_count frames) {
  observed<T> seen;
  try {
    seen.value = co_await std::move(op);
  } catch (...) {
    seen.o.error = std::current_exception();
  }
  seen.o.own_cancelled = is_set(co_await this_coro::cancellation_state);
  seen.o.frames_left = frames ? frames->load() : 0;
  co_return seen;
}

/// In a handler of what `co_await observe(...)` threw: the task was already cancelled.
template <typename T>
observed<T> already_cancelled() {
  observed<T> seen;
  seen.o.pre_cancelled = true;
  seen.o.error = std::current_exception();
  return seen;
}

/// The checks every combinator shares; false when the awaiter was already cancelled
/// (then Asio throws at the co_await and nothing else is promised).
bool check_common(world& w, const std::string& at, const outcome& o) {
  ++w.counts().combinators_checked;
  if (o.frames_left != 0)
    w.fail(fmt::format("{}: {} child coroutine frame(s) outlived it", at, o.frames_left));
  if (!o.pre_cancelled)
    return true;
  if (!o.error || !is_cancellation(o.error))
    w.fail(fmt::format("{}: awaited in a cancelled task, it gave {} instead of throwing", at,
                       describe_outcome(o.error, 0)));
  return false;
}

/// Among `children`, the one whose recorded end came first among those `pick` accepts.
template <typename Pick>
int earliest(world& w, const std::vector<int>& children, Pick pick) {
  int first = -1;
  for (int child : children) {
    const exit_record& exit = w.exit_of(child);
    if (exit.kind != exit_record::how::never_ran && pick(exit) &&
        (first < 0 || exit.order < w.exit_of(first).order))
      first = child;
  }
  return first;
}

bool not_returned(const exit_record& exit) {
  return exit.kind != exit_record::how::returned;
}

/// Some child of `children` that did not return ended with `error`.
bool some_child_ended_with(world& w, const std::vector<int>& children,
                           const std::exception_ptr& error) {
  return std::any_of(children.begin(), children.end(), [&](int child) {
    return not_returned(w.exit_of(child)) && mismatch(w.exit_of(child), error, 0).empty();
  });
}

bool any_elsewhere(const world& w, const std::vector<int>& children);

/// gather and race of child nodes that all ran: the error must be the first failure
/// (with children on other loops: one of the failures).
void check_first_failure(world& w, const std::string& at, const std::vector<int>& children,
                         const std::exception_ptr& error) {
  if (any_elsewhere(w, children)) {
    if (!some_child_ended_with(w, children, error))
      w.fail(
          fmt::format("{}: threw {}, which no child ended with", at, describe_outcome(error, 0)));
    return;
  }
  const int first = earliest(w, children, not_returned);
  if (first < 0) {
    w.fail(
        fmt::format("{}: threw {} although every child returned", at, describe_outcome(error, 0)));
    return;
  }
  if (auto diff = mismatch(w.exit_of(first), error, 0); !diff.empty())
    w.fail(fmt::format("{}: not the first failure (child {}): {}", at, first, diff));
}

/// After it returned values: each child returned exactly its value.
void check_values(world& w, const std::string& at, const std::vector<int>& children,
                  const std::vector<int>& values) {
  for (std::size_t i = 0; i < children.size() && i < values.size(); ++i)
    if (auto diff = mismatch(w.exit_of(children[i]), nullptr, values[i]); !diff.empty())
      w.fail(fmt::format("{}: child {}: {}", at, children[i], diff));
}

void check_cancelled_awaiter(world& w, const std::string& at, const outcome& o) {
  if (!o.error || !is_cancellation(o.error))
    w.fail(fmt::format("{}: its awaiter was cancelled, yet it gave {}", at,
                       describe_outcome(o.error, 0)));
}

/// cancel() returns false exactly when the task had already ended.
void cancel_checked(world& w, const corio::task<int>& t) {
  const bool was_done = t.done();
  if (t.cancel() == was_done)
    w.fail(fmt::format("cancel() on {} task {} returned {}", was_done ? "a finished" : "a pending",
                       t.name(), !was_done ? "false" : "true"));
}

// ---------------------------------------------------------------------------- nodes

awaitable<int> run_node(world& w, int id, frame_token frame);
awaitable<void> run_step(world& w, const node_plan& node, const step& s,
                         std::vector<std::size_t>& kept);

/// Runs `op` bounded as the step says: as it is, or under timeout(0 / brief / 1 h).
/// `op` is an awaitable or an awaitable operation (a queue's get()/put()); unbounded,
/// an operation is awaited as it is, without a coroutine frame of its own.
template <corio::awaitable_like Op, typename T = corio::awaitable_result_t<Op>>
awaitable<T> bounded_wait(world& w, const step& s, Op op) {
  switch (s.wait) {
  case wait_bound::none:
    break;
  case wait_bound::zero:
    note_timer(w, 0ms);
    co_return co_await corio::timeout(0ms, std::move(op));
  case wait_bound::brief:
    note_timer(w, s.duration);
    co_return co_await corio::timeout(s.duration, std::move(op));
  case wait_bound::forever:
    co_return co_await corio::timeout(1h, std::move(op));
  }
  co_return co_await std::move(op);
}

/// A detached task that keeps a copy of its parent's frame token (fault::orphan_child).
awaitable<void> linger(frame_token frame) {
  for (int i = 0; i < 5; ++i)
    co_await corio::yield_now();
  (void)frame;
}

template <typename Start>
corio::task<int> start_tracked(world& w, int node, Start start) {
  auto frames = new_frame_count();
  corio::task<int> t = start(run_node(w, node, frame_token(w.frames_alive, frames)));
  loop_world& here = w.here();
  here.tasks.push_back({t, node, std::move(frames)});
  ++here.counts.tasks;
  return t;
}

/// Spawns node `id` on its loop: a task of this loop, or the proxy of a task there.
corio::task<int> spawn_node(world& w, int id, awaitable<int> body) {
  if (!w.elsewhere(id))
    return corio::spawn(std::move(body), task_name(id));
  ++w.counts().remote_starts;
  return corio::spawn(w.handles[static_cast<std::size_t>(w.node(id).loop)], std::move(body),
                      task_name(id));
}

corio::task<int> spawn_tracked(world& w, int node) {
  return start_tracked(
      w, node, [&w, node](awaitable<int> body) { return spawn_node(w, node, std::move(body)); });
}

/// Runs child `id` inline, in the calling task.
awaitable<void> call_child(world& w, const std::string& at, int id) {
  const int value = co_await run_node(w, id, frame_token(w.frames_alive, nullptr));
  if (auto diff = mismatch(w.exit_of(id), nullptr, value); !diff.empty())
    w.fail(fmt::format("{}: inline child {}: {}", at, id, diff));
}

// Queues ---------------------------------------------------------------------------------

template <typename Op>
decltype(auto) with_queue(loop_world& l, int target, Op op) {
  switch (target % queue_count) {
  case 0:
    return op(l.fifo, 0);
  case 1:
    return op(l.lifo, 1);
  default:
    return op(l.heap, 2);
  }
}

/// Records item `id` as got (from a queue or a channel), with the planted faults.
void record_item(world& w, int id) {
  auto& count = w.got[static_cast<std::size_t>(id)];
  if (w.opts.inject != fault::lose_item || id % 4 != 0)
    ++count;
  if (w.opts.inject == fault::duplicate_item && id % 4 == 0)
    ++count;
}

template <typename Queue>
void record_got(world& w, Queue& q, int id) {
  record_item(w, id);
  ++w.counts().items_got;
  q.task_done();
}

template <typename Queue>
awaitable<void> put_item(world& w, Queue& q, const step& s) {
  co_await bounded_wait(w, s, q.put(item(s.item)));
  w.put_ok[static_cast<std::size_t>(s.item)] = 1; // no suspension since put() returned
  ++w.counts().items_put;
}

template <typename Queue>
awaitable<void> get_item(world& w, Queue& q, const step& s) {
  const item got = co_await bounded_wait(w, s, q.get());
  record_got(w, q, got.id());
}

template <typename Queue>
void try_put_item(world& w, Queue& q, const step& s) {
  if (q.try_put(item(s.item))) {
    w.put_ok[static_cast<std::size_t>(s.item)] = 1;
    ++w.counts().items_put;
  }
}

template <typename Queue>
void try_get_item(world& w, Queue& q) {
  if (auto got = q.try_get())
    record_got(w, q, got->id());
}

template <typename Queue>
void shut_down(loop_world& l, Queue& q, int index, bool immediate) {
  const std::size_t before = q.size();
  q.shutdown(immediate);
  l.dropped[static_cast<std::size_t>(index)] += before - q.size();
}

// Channels ---------------------------------------------------------------------------------

corio::channel<item>& channel_of(world& w, const step& s) {
  return *w.channels[static_cast<std::size_t>(s.target % channel_count)];
}

awaitable<void> send_item(world& w, const step& s) {
  co_await bounded_wait(w, s, channel_of(w, s).send(item(s.item)));
  w.put_ok[static_cast<std::size_t>(s.item)] = 1; // a send that threw did not enqueue
  ++w.counts().sent;
}

void try_send_item(world& w, const step& s) {
  item sent(s.item);
  if (channel_of(w, s).try_send(std::move(sent))) {
    w.put_ok[static_cast<std::size_t>(s.item)] = 1;
    ++w.counts().sent;
  }
}

void record_received(world& w, const item& got) {
  record_item(w, got.id());
  ++w.counts().received;
}

awaitable<void> receive_item(world& w, const step& s) {
  record_received(w, co_await bounded_wait(w, s, channel_of(w, s).receive()));
}

void try_receive_item(world& w, const step& s) {
  if (auto got = channel_of(w, s).try_receive())
    record_received(w, *got);
}

/// A primitive of another loop, used on purpose: corio must refuse it with
/// std::logic_error before touching it (every primitive was bound to its loop at the
/// start, see bind_primitives()). Only calls whose wrong success leaves evidence: an
/// item or a permit taken shows in the accounting.
void misuse_step(world& w, const node_plan& node, const step& s) {
  const int other = (node.loop + 1 + s.target % (w.p.loops - 1)) % w.p.loops;
  loop_world& there = *w.loops[static_cast<std::size_t>(other)];
  const int which = (s.target / 7) % 3;
  static constexpr std::array names{"queue::try_get", "semaphore::try_acquire",
                                    "bounded_semaphore::try_acquire"};
  try {
    if (which == 0) {
      if (auto got = there.fifo.try_get())
        record_item(w, got->id());
    } else {
      (void)(which == 1 ? there.sem : there.bounded).try_acquire();
    }
    w.fail(fmt::format("node {} (loop {}): {} on a primitive of loop {} did not throw "
                       "std::logic_error: a loop-bound primitive used from another loop",
                       node.id, node.loop, names[static_cast<std::size_t>(which)], other));
  } catch (const std::logic_error&) {
    ++w.counts().misuses_refused;
  }
}

// Semaphores and the mutex ---------------------------------------------------------------

semaphore::permit try_guard(semaphore& s) {
  return s.try_acquire_permit();
}
mutex::guard try_guard(mutex& m) {
  return m.try_lock();
}
awaitable<semaphore::permit> acquire_guard(semaphore& s) {
  return s.acquire_permit();
}
awaitable<mutex::guard> acquire_guard(mutex& m) {
  return m.lock();
}

/// Counts the holders of one lockable while alive; more than its limit is a bug.
class occupancy {
public:
  occupancy(world& w, int which) : w_(w), here_(w.here()), which_(static_cast<std::size_t>(which)) {
    const int holders = ++here_.inside[which_];
    ++here_.counts.holds;
    if (holders > w_.p.lockable_limit[which_])
      w_.fail(fmt::format("lockable {} has {} holders, its limit is {}: a permit was invented",
                          which, holders, w_.p.lockable_limit[which_]));
  }
  occupancy(const occupancy&) = delete;
  occupancy& operator=(const occupancy&) = delete;
  ~occupancy() { --here_.inside[which_]; }

private:
  world& w_;
  loop_world& here_;
  std::size_t which_;
};

awaitable<void> keep_holding(world& w, const node_plan& node, const step& s) {
  for (int i = 0; i < s.count; ++i)
    co_await corio::yield_now();
  if (!s.children.empty())
    co_await call_child(w, where(node, s), s.children.front());
}

/// acquire() and release() by hand, the release on every path.
awaitable<void> hold_manually(world& w, const node_plan& node, semaphore& sem, int which,
                              const step& s) {
  co_await sem.acquire();
  std::exception_ptr error;
  {
    occupancy holding(w, which);
    try {
      co_await keep_holding(w, node, s);
    } catch (...) {
      error = std::current_exception();
    }
  }
  sem.release();
  if (error)
    std::rethrow_exception(error);
}

template <typename Lockable>
awaitable<void> hold(world& w, const node_plan& node, Lockable& lock, int which, const step& s) {
  decltype(try_guard(lock)) guard;
  switch (s.acquire) {
  case acquire_mode::manual:
    if constexpr (std::is_same_v<Lockable, semaphore>) {
      co_await hold_manually(w, node, lock, which, s);
      co_return;
    }
    [[fallthrough]];
  case acquire_mode::blocking:
    guard = co_await acquire_guard(lock);
    break;
  case acquire_mode::bounded:
    guard = co_await bounded_wait(w, s, acquire_guard(lock));
    break;
  case acquire_mode::attempt:
    guard = try_guard(lock);
    if (!guard)
      co_return;
    break;
  }
  occupancy holding(w, which);
  if constexpr (std::is_same_v<Lockable, semaphore>)
    if (w.opts.inject == fault::leak_permit && w.here().leaked_permits.empty())
      w.here().leaked_permits.push_back(std::move(guard));
  co_await keep_holding(w, node, s);
}

awaitable<void> hold_step(world& w, const node_plan& node, const step& s) {
  const int which = s.target % lockable_count;
  loop_world& here = w.here();
  switch (which) {
  case 0:
    co_await hold(w, node, here.sem, which, s);
    break;
  case 1:
    co_await hold(w, node, static_cast<semaphore&>(here.bounded), which, s);
    break;
  default:
    co_await hold(w, node, here.mtx, which, s);
    break;
  }
}

// Awaiting tasks -------------------------------------------------------------------------

awaitable<int> join_task(corio::task<int> t, bool shielded) {
  if (shielded)
    co_return co_await corio::shield(t);
  co_return co_await t;
}

/// co_await t (or shield(t)), checking what it gives against how t's coroutine ended.
awaitable<int> join_checked(world& w, std::string at, tracked_task tracked, bool shielded) {
  const corio::task<int>& t = tracked.handle;
  observed<int> seen;
  try {
    seen = co_await observe(join_task(t, shielded), nullptr);
  } catch (...) {
    seen = already_cancelled<int>();
  }
  const outcome& o = seen.o;
  const exit_record& exit = w.exit_of(tracked.node);
  ++w.counts().joins_checked;
  if (o.pre_cancelled) {
    check_cancelled_awaiter(w, at, o);
  } else if (shielded && o.own_cancelled && o.error && is_cancellation(o.error)) {
    // the awaiter stopped waiting; the task runs on
  } else if (!t.done()) {
    w.fail(fmt::format("{}: the await ended while the task is pending", at));
  } else {
    if (*tracked.frames != 0)
      w.fail(fmt::format("{}: the task's coroutine frame outlived the await{}", at,
                         w.elsewhere(tracked.node) ? " (a task on another loop)" : ""));
    if (auto diff = mismatch(exit, o.error, seen.value); !diff.empty())
      w.fail(fmt::format("{}: {}", at, diff));
    if (t.state() != state_for(exit))
      w.fail(fmt::format("{}: the task's state is {}, but its coroutine {}", at,
                         fmt::streamed(t.state()), describe_exit(exit)));
  }
  if (o.error)
    std::rethrow_exception(o.error);
  co_return seen.value;
}

/// Awaits a kept task, from this coroutine or (count 2) from two child tasks at once.
awaitable<void> await_kept(world& w, const node_plan& node, const step& s,
                           const std::vector<std::size_t>& kept) {
  const std::size_t index = kept[static_cast<std::size_t>(s.target) % kept.size()];
  if (index == std::numeric_limits<std::size_t>::max())
    co_return; // dropped
  const tracked_task tracked = w.here().tasks[index];
  const std::string at = fmt::format("{} (task {})", where(node, s), tracked.handle.name());
  const bool shielded = s.kind == step_kind::shield_kept;
  if (s.count < 2)
    co_await join_checked(w, at, tracked, shielded);
  else
    co_await corio::gather(join_checked(w, at, tracked, shielded),
                           join_checked(w, at, tracked, shielded));
}

// Combinators ----------------------------------------------------------------------------

/// Creates child node coroutines whose frames must all be gone when the combinator
/// that runs them returns.
/// A child on another loop (multi-loop plans) runs there as a task this coroutine
/// awaits, so cancelling the combinator cancels it and waits for its end.
struct child_starter {
  world& w;
  frame_count frames = new_frame_count();
  awaitable<int> operator()(int id) const {
    if (w.elsewhere(id))
      return run_elsewhere(w, id, frames);
    return run_node(w, id, frame_token(w.frames_alive, frames));
  }
  static awaitable<int> run_elsewhere(world& w, int id, frame_count frames) {
    co_return co_await spawn_node(w, id, run_node(w, id, frame_token(w.frames_alive, frames)));
  }
};

/// Some of `children` run on other loops: their ends are recorded on other threads, in
/// an order a combinator here cannot see, so "the first to end" is not checkable.
bool any_elsewhere(const world& w, const std::vector<int>& children) {
  return std::any_of(children.begin(), children.end(), [&](int id) { return w.elsewhere(id); });
}

template <typename... T>
awaitable<std::vector<int>> values_of(awaitable<std::tuple<T...>> gathered) {
  co_return std::apply([](auto... v) { return std::vector<int>{v...}; },
                       co_await std::move(gathered));
}

/// The winner's index and value.
template <typename... T>
awaitable<std::pair<std::size_t, int>> winner_of(awaitable<std::variant<T...>> raced) {
  const auto result = co_await std::move(raced);
  co_return std::pair{result.index(), std::visit([](int v) { return v; }, result)};
}

awaitable<int> zero_after(awaitable<void> op) {
  co_await std::move(op);
  co_return 0;
}

/// Runs a step's combinator `op`, then (unless the task was already cancelled, when
/// only the throw is checked) `check(at, seen)`, and rethrows what `op` threw.
template <typename T, typename Check>
awaitable<void> checked_step(world& w, const node_plan& node, const step& s, awaitable<T> op,
                             frame_count frames, Check check) {
  observed<T> seen;
  try {
    seen = co_await observe(std::move(op), std::move(frames));
  } catch (...) {
    seen = already_cancelled<T>();
  }
  const std::string at = where(node, s);
  if (check_common(w, at, seen.o))
    check(at, seen);
  if (seen.o.error)
    std::rethrow_exception(seen.o.error);
}

/// combine(child coroutines...) for the step's 1 to 3 children (gather and race are
/// variadic); `combine` makes every arity return the same type.
template <typename Combine>
auto with_children(const child_starter& start, const std::vector<int>& c, Combine combine) {
  switch (c.size()) {
  case 1:
    return combine(start(c[0]));
  case 2:
    return combine(start(c[0]), start(c[1]));
  default:
    return combine(start(c[0]), start(c[1]), start(c[2]));
  }
}

/// The step's gather or map_concurrent, as one list of values.
awaitable<std::vector<int>> gather_children(const child_starter& start, const step& s) {
  if (s.kind == step_kind::map)
    return corio::map_concurrent(s.children, static_cast<std::size_t>(s.count), start);
  return with_children(start, s.children, [](auto... children) {
    return values_of(corio::gather(std::move(children)...));
  });
}

awaitable<std::pair<std::size_t, int>> race_children(const child_starter& start, const step& s) {
  return with_children(start, s.children, [](auto... children) {
    return winner_of(corio::race(std::move(children)...));
  });
}

awaitable<void> gather_step(world& w, const node_plan& node, const step& s) {
  const child_starter start{w};
  co_await checked_step(w, node, s, gather_children(start, s), start.frames,
                        [&](const std::string& at, const observed<std::vector<int>>& seen) {
                          if (seen.o.own_cancelled)
                            check_cancelled_awaiter(w, at, seen.o);
                          else if (seen.o.error)
                            check_first_failure(w, at, s.children, seen.o.error);
                          else
                            check_values(w, at, s.children, seen.value);
                        });
}

void check_race(world& w, const std::string& at, const step& s,
                const observed<std::pair<std::size_t, int>>& seen) {
  const int first = earliest(w, s.children, [](const exit_record&) { return true; });
  const bool ordered = !any_elsewhere(w, s.children); // else any child may have won
  const auto [winner, value] = seen.value;
  if (seen.o.own_cancelled) {
    check_cancelled_awaiter(w, at, seen.o);
  } else if (seen.o.error) {
    check_first_failure(w, at, s.children, seen.o.error);
    if (ordered && first >= 0 && !not_returned(w.exit_of(first)))
      w.fail(fmt::format("{}: threw although child {} ended first and returned", at, first));
  } else if (!ordered) {
    check_values(w, at, {s.children[winner]}, {value});
  } else if (first != s.children[winner]) {
    w.fail(
        fmt::format("{}: child {} won, but child {} ended first", at, s.children[winner], first));
  } else {
    check_values(w, at, {first}, {value});
  }
}

awaitable<void> race_step(world& w, const node_plan& node, const step& s) {
  const child_starter start{w};
  co_await checked_step(
      w, node, s, race_children(start, s), start.frames,
      [&](const std::string& at, const auto& seen) { check_race(w, at, s, seen); });
}

/// What a scope step records when move_on cut its child (node values are >= 7).
constexpr int moved_on = -1;

/// In the scope's child task: the deadline in force must be the scope's or earlier.
awaitable<int> checking_deadline(world& w, std::string at, std::chrono::microseconds limit,
                                 awaitable<int> op) {
  const auto latest = corio::now() + limit;
  if (const auto deadline = corio::current_deadline(); !deadline || *deadline > latest)
    w.fail(fmt::format("{}: current_deadline() in the scope's operation is {}, after the "
                       "scope's own",
                       at, deadline ? "later" : "none"));
  co_return co_await std::move(op);
}

/// A timeout step's child under the step's scope_form; a cut move_on gives moved_on.
awaitable<int> scoped_wait(world& w, const node_plan& node, const step& s, awaitable<int> op) {
  const scope_form form = form_of(s);
  if (form == scope_form::timeout)
    co_return co_await bounded_wait(w, s, std::move(op));
  std::chrono::microseconds limit = 1h;
  if (s.wait == wait_bound::zero || s.wait == wait_bound::brief) {
    limit = s.wait == wait_bound::zero ? 0us : s.duration;
    note_timer(w, limit);
  }
  op = checking_deadline(w, where(node, s), limit, std::move(op));
  const auto deadline = corio::now() + limit;
  std::optional<int> value;
  switch (form) {
  case scope_form::timeout_at:
    co_return co_await corio::timeout_at(deadline, std::move(op));
  case scope_form::move_on_after:
    value = co_await corio::move_on_after(limit, std::move(op));
    break;
  default:
    value = co_await corio::timeout_at(deadline, corio::cancel_scope{}.move_on(std::move(op)));
    break;
  }
  co_return value.value_or(moved_on);
}

void check_timeout(world& w, const std::string& at, const step& s, const observed<int>& seen) {
  const exit_record& exit = w.exit_of(s.children.front());
  bool cut = !seen.o.error && seen.value == moved_on;
  try {
    if (seen.o.error)
      std::rethrow_exception(seen.o.error);
  } catch (const corio::timeout_error&) {
    cut = true;
  } catch (...) {
  }
  if (!cut) {
    if (auto diff = mismatch(exit, seen.o.error, seen.value); !diff.empty())
      w.fail(fmt::format("{}: {}", at, diff));
    return;
  }
  ++w.counts().timeouts_fired;
  if (seen.o.own_cancelled || s.wait == wait_bound::forever ||
      state_for(exit) != task_state::cancelled)
    w.fail(fmt::format("{}: {}, but the deadline was {}, the awaiter {}cancelled, "
                       "and the child {}",
                       at, seen.o.error ? "timeout_error" : "moved on",
                       s.wait == wait_bound::forever ? "1 h" : "short",
                       seen.o.own_cancelled ? "" : "not ", describe_exit(exit)));
  if (!seen.o.error && form_of(s) == scope_form::nested_move_on)
    w.fail(fmt::format("{}: the inner scope (no deadline, never cancelled) moved on: the outer "
                       "scope's deadline surfaced as the inner's",
                       at));
}

awaitable<void> timeout_step(world& w, const node_plan& node, const step& s) {
  const child_starter start{w};
  co_await checked_step(
      w, node, s, scoped_wait(w, node, s, start(s.children.front())), start.frames,
      [&](const std::string& at, const observed<int>& seen) { check_timeout(w, at, s, seen); });
}

/// The tasks a group or a gather of tasks started, as indices into world::tasks.
struct started_tasks {
  std::vector<std::size_t> indices;
  std::vector<int> nodes;
  std::vector<corio::task<int>> handles;

  void add(world& w, corio::task<int> t) {
    const auto& tasks = w.here().tasks;
    indices.push_back(tasks.size() - 1);
    nodes.push_back(tasks.back().node);
    handles.push_back(std::move(t));
  }
  /// Checks that each task has ended and that its frame is gone.
  void check_ended(world& w, const std::string& at) const {
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const auto& tracked = w.here().tasks[indices[i]];
      if (!tracked.handle.done())
        w.fail(fmt::format("{}: task {} is still pending after it", at, tracked.handle.name()));
      else if (*tracked.frames != 0)
        w.fail(fmt::format("{}: the frame of task {} outlived it", at, tracked.handle.name()));
    }
  }
};

void check_group(world& w, const std::string& at, const outcome& o, const started_tasks& children) {
  children.check_ended(w, at);
  if (o.own_cancelled) {
    check_cancelled_awaiter(w, at, o);
    return;
  }
  auto failed = [](const exit_record& exit) { return exit.kind == exit_record::how::failed; };
  std::set<std::string> failures;
  for (int child : children.nodes)
    if (failed(w.exit_of(child)))
      failures.insert(w.exit_of(child).message);
  if (!o.error) {
    if (!failures.empty())
      w.fail(fmt::format("{}: join() returned although {} child(ren) failed", at, failures.size()));
    return;
  }
  try {
    std::rethrow_exception(o.error);
  } catch (const corio::task_group_error& e) {
    ++w.counts().group_errors;
    std::set<std::string> reported;
    for (const auto& each : e.exceptions())
      reported.insert(describe(each));
    const int first = earliest(w, children.nodes, failed);
    if (reported != failures || e.exceptions().size() != failures.size())
      w.fail(fmt::format("{}: task_group_error reports {} failure(s), the children had {}", at,
                         e.exceptions().size(), failures.size()));
    else if (first < 0 || describe(e.first()) != w.exit_of(first).message)
      w.fail(fmt::format("{}: task_group_error::first() is '{}', not the first failure", at,
                         describe(e.first())));
  } catch (...) {
    w.fail(fmt::format("{}: join() threw {}", at, describe_outcome(o.error, 0)));
  }
}

awaitable<void> group_step(world& w, const node_plan& node, const step& s) {
  started_tasks children;
  corio::task_group group;
  for (int child : s.children) {
    children.add(w, start_tracked(w, child, [&group, child](awaitable<int> body) {
                   return group.spawn(std::move(body), task_name(child));
                 }));
    if (s.yield_between)
      co_await corio::yield_now(); // a cancellation here leaves by the group's destructor
  }
  co_await checked_step(w, node, s, zero_after(group.join()), nullptr,
                        [&](const std::string& at, const observed<int>& seen) {
                          check_group(w, at, seen.o, children);
                        });
}

/// gather(tasks): tasks that had ended before the call come first, in vector order;
/// then the others in the order they end.
void check_gathered_failure(world& w, const std::string& at, const started_tasks& tasks,
                            const std::vector<char>& done_before, const std::exception_ptr& error) {
  std::vector<int> later;
  bool ambiguous = any_elsewhere(w, tasks.nodes); // ends recorded on other threads
  for (std::size_t i = 0; i < tasks.nodes.size(); ++i) {
    const exit_record& exit = w.exit_of(tasks.nodes[i]);
    if (!done_before[i]) {
      later.push_back(tasks.nodes[i]);
      ambiguous = ambiguous || exit.kind == exit_record::how::never_ran;
    } else if (not_returned(exit)) {
      if (auto diff = mismatch(exit, error, 0); !diff.empty())
        w.fail(fmt::format("{}: not the first failure (task {}): {}", at, tasks.nodes[i], diff));
      return;
    }
  }
  if (!ambiguous) {
    check_first_failure(w, at, later, error);
    return;
  }
  // A task cancelled before its first step left no record of when it ended.
  if (some_child_ended_with(w, later, error))
    return;
  w.fail(fmt::format("{}: threw {}, which no task ended with", at, describe_outcome(error, 0)));
}

awaitable<void> gather_tasks_step(world& w, const node_plan& node, const step& s) {
  started_tasks tasks;
  for (int child : s.children) {
    tasks.add(w, spawn_tracked(w, child));
    if (s.yield_between)
      co_await corio::yield_now();
  }
  std::vector<char> done_before;
  for (const auto& t : tasks.handles)
    done_before.push_back(t.done());
  co_await checked_step(w, node, s, corio::gather(tasks.handles), nullptr,
                        [&](const std::string& at, const observed<std::vector<int>>& seen) {
                          tasks.check_ended(w, at);
                          if (seen.o.own_cancelled)
                            check_cancelled_awaiter(w, at, seen.o);
                          else if (seen.o.error)
                            check_gathered_failure(w, at, tasks, done_before, seen.o.error);
                          else if (seen.value.size() != tasks.nodes.size())
                            w.fail(fmt::format("{}: {} results for {} tasks", at, seen.value.size(),
                                               tasks.nodes.size()));
                          else
                            check_values(w, at, tasks.nodes, seen.value);
                        });
}

// Steps and nodes ------------------------------------------------------------------------

using step_runner = awaitable<void> (*)(world&, const node_plan&, const step&);

/// The coroutine of a step that runs child nodes under a combinator.
step_runner combinator_step(step_kind kind) {
  switch (kind) {
  case step_kind::race:
    return race_step;
  case step_kind::group:
    return group_step;
  case step_kind::timeout:
    return timeout_step;
  case step_kind::gather_tasks:
    return gather_tasks_step;
  default: // gather, map
    return gather_step;
  }
}

awaitable<void> run_step(world& w, const node_plan& node, const step& s,
                         std::vector<std::size_t>& kept) {
  switch (s.kind) {
  case step_kind::yield:
    for (int i = 0; i < s.count; ++i)
      co_await corio::yield_now();
    break;
  case step_kind::sleep:
    note_timer(w, s.duration);
    co_await corio::sleep(s.duration);
    break;
  case step_kind::put:
    co_await with_queue(w.here(), s.target, [&](auto& q, int) { return put_item(w, q, s); });
    break;
  case step_kind::try_put:
    with_queue(w.here(), s.target, [&](auto& q, int) { try_put_item(w, q, s); });
    break;
  case step_kind::get:
    co_await with_queue(w.here(), s.target, [&](auto& q, int) { return get_item(w, q, s); });
    break;
  case step_kind::try_get:
    with_queue(w.here(), s.target, [&](auto& q, int) { try_get_item(w, q); });
    break;
  case step_kind::hold:
    co_await hold_step(w, node, s);
    break;
  case step_kind::shutdown_queue:
    with_queue(w.here(), s.target,
               [&](auto& q, int index) { shut_down(w.here(), q, index, s.immediate); });
    break;
  case step_kind::cancel_any: {
    // With one or two tasks it would mostly cancel the caller's own task at once.
    const auto& tasks = w.here().tasks; // those of this loop: a handle is loop-bound
    if (tasks.size() >= 3)
      cancel_checked(w, tasks[static_cast<std::size_t>(s.target) % tasks.size()].handle);
    break;
  }
  case step_kind::spawn:
    spawn_tracked(w, s.children.front());
    kept.push_back(w.here().tasks.size() - 1);
    break;
  case step_kind::send:
    co_await send_item(w, s);
    break;
  case step_kind::try_send:
    try_send_item(w, s);
    break;
  case step_kind::receive:
    co_await receive_item(w, s);
    break;
  case step_kind::try_receive:
    try_receive_item(w, s);
    break;
  case step_kind::close_channel:
    channel_of(w, s).close();
    break;
  case step_kind::misuse:
    misuse_step(w, node, s);
    break;
  case step_kind::await_kept:
  case step_kind::shield_kept:
    if (!kept.empty())
      co_await await_kept(w, node, s, kept);
    break;
  case step_kind::cancel_kept: {
    if (kept.empty())
      break;
    const std::size_t index = kept[static_cast<std::size_t>(s.target) % kept.size()];
    if (index != std::numeric_limits<std::size_t>::max())
      cancel_checked(w, w.here().tasks[index].handle);
    break;
  }
  case step_kind::drop_kept:
    if (!kept.empty())
      kept[static_cast<std::size_t>(s.target) % kept.size()] =
          std::numeric_limits<std::size_t>::max();
    break;
  case step_kind::call:
    co_await call_child(w, where(node, s), s.children.front());
    break;
  default:
    co_await combinator_step(s.kind)(w, node, s);
    break;
  case step_kind::fail:
    break; // run_steps throws before it gets here
  }
}

/// Records and checks an exception a step threw.
void note_error(world& w, const node_plan& node, const step& s, const std::exception_ptr& error) {
  record_seen(w, error);
  if (!expected_error(s, error))
    w.fail(fmt::format("{}: unexpected exception: {}", where(node, s), describe(error)));
  try {
    std::rethrow_exception(error);
  } catch (const corio::queue_shut_down&) {
    ++w.counts().shut_down_seen;
  } catch (const corio::channel_closed&) {
    ++w.counts().closed_seen;
  } catch (...) {
  }
}

/// The cleanup of a cancelled node, run under shielded(): each step may fail, none hangs.
awaitable<void> run_cleanup(world& w, const node_plan& node, frame_token frame) {
  std::vector<std::size_t> kept;
  for (const step& s : node.cleanup) {
    try {
      co_await run_step(w, node, s, kept);
    } catch (...) {
      note_error(w, node, s, std::current_exception());
    }
  }
  (void)frame;
}

// What a node does with an exception a step threw is decided inline, in run_steps():
// in a cancelled task every co_await of a helper coroutine throws before it starts.
awaitable<int> run_steps(world& w, const node_plan& node) {
  std::vector<std::size_t> kept; // indices into world::tasks of the spawn steps' tasks
  for (const step& s : node.steps) {
    ++w.progress;
    if (s.kind == step_kind::fail)
      throw node_failure(node.id, "by plan");
    std::exception_ptr error;
    w.trace("node {}: {}", node.id, to_string(s.kind));
    try {
      co_await run_step(w, node, s, kept);
    } catch (...) {
      error = std::current_exception();
    }
    ++w.progress;
    if (!error)
      continue;
    w.trace("node {}: {} threw {}", node.id, to_string(s.kind), describe(error));
    note_error(w, node, s, error);
    if (!is_cancellation(error) || !is_set(co_await this_coro::cancellation_state)) {
      // Not its own cancellation: a failure it saw, or a task cancelled by someone else.
      if (is_cancellation(error) && node.foreign_cancel_escapes)
        std::rethrow_exception(error);
      if (node.fail_on_error)
        throw node_failure(node.id, "after a step failed");
      continue;
    }
    ++w.counts().own_cancellations;
    switch (node.cancel_policy) {
    case on_cancel::escape:
      break;
    case on_cancel::swallow_return:
      co_return node_value(node.id);
    case on_cancel::check_sticky:
      if (co_await this_coro::throw_if_cancelled()) {
        ++w.counts().sticky_checks;
        bool threw = false;
        try {
          co_await corio::yield_now();
        } catch (const boost::system::system_error& e) {
          threw = e.code() == boost::asio::error::operation_aborted;
        }
        if (!threw)
          w.fail(fmt::format("node {}: a cancelled task caught its cancellation and its next "
                             "co_await did not throw again (not sticky)",
                             node.id));
      }
      break;
    case on_cancel::cleanup_rethrow:
    case on_cancel::cleanup_return:
      ++w.counts().cleanups;
      co_await corio::enter_cleanup();
      co_await corio::shielded(run_cleanup(w, node, frame_token(w.frames_alive, nullptr)));
      // The task goes on (this node may be inline in another): make its cancellation
      // sticky again, or a later wait in it could ignore the cancellation for good.
      co_await this_coro::throw_if_cancelled(true);
      if (node.cancel_policy == on_cancel::cleanup_return)
        co_return node_value(node.id);
      break;
    case on_cancel::convert:
      throw node_failure(node.id, "instead of its cancellation");
    }
    std::rethrow_exception(error);
  }
  if (node.fail_at_end)
    throw node_failure(node.id, "at its end");
  co_return node_value(node.id);
}

awaitable<int> run_node(world& w, int id, frame_token frame) {
  ++w.progress;
  ++w.counts().nodes_run;
  if (w.opts.inject == fault::orphan_child && frame.scoped())
    corio::spawn(linger(frame));
  if (w.opts.inject == fault::leak_frame && w.here().leaked_frames.empty())
    w.here().leaked_frames.push_back(frame);
  std::exception_ptr error;
  int value = 0;
  try {
    value = co_await run_steps(w, w.node(id));
  } catch (...) {
    error = std::current_exception();
  }
  record_exit(w, id, error, value);
  w.trace("node {}: {}", id, describe_exit(w.exit_of(id)));
  ++w.progress;
  if (error)
    std::rethrow_exception(error);
  if (w.opts.inject == fault::wrong_value)
    ++value;
  co_return value;
}

// ---------------------------------------------------------------------------- main, watchdog

constexpr int quiet_turns = 5; // turns without a step before the watchdog acts
// A run is stuck when nothing moved for this long although every task was cancelled
// again and again: a bound for a hang, far above any step, not a speed check.
constexpr auto stuck_after = std::chrono::seconds(10);

bool all_ended(const loop_world& l) {
  return std::all_of(l.tasks.begin(), l.tasks.end(),
                     [](const tracked_task& t) { return t.handle.done(); });
}

/// Runs `f(world&)` on every loop: on this one (loop 0) in place, on the others as a
/// task there that this coroutine awaits. Stops early when `f` returns false.
template <typename F>
awaitable<bool> on_every_loop(world& w, F f) {
  for (const corio::loop& l : w.handles) {
    const bool more =
        l.index() == 0 ? f(w) : co_await corio::spawn(l, [](world& w, F f) -> awaitable<bool> {
          co_return f(w);
        }(w, f));
    if (!more)
      co_return false;
  }
  co_return true;
}

awaitable<bool> settled(world& w) {
  const loop_world& main = *w.loops.front();
  if (!std::all_of(main.top_level.begin(), main.top_level.end(),
                   [&](std::size_t i) { return main.tasks[i].handle.done(); }))
    co_return false;
  if (!w.p.main_waits_for_all)
    co_return true;
  co_return co_await on_every_loop(w, [](world& w) { return all_ended(w.here()); });
}

/// One loop's part of an escalation (see escalate()).
bool escalate_here(world& w, int stage) {
  loop_world& here = w.here();
  if (stage == 1) {
    for (int q = 0; q < queue_count; ++q)
      with_queue(here, q, [&](auto& queue, int index) {
        shut_down(here, queue, index, w.p.immediate_shutdown);
      });
    return true;
  }
  for (std::size_t i = 0; i < here.tasks.size(); ++i) {
    const bool top =
        std::find(here.top_level.begin(), here.top_level.end(), i) != here.top_level.end();
    if ((stage > 2 || top) && !here.tasks[i].handle.done())
      here.tasks[i].handle.cancel();
  }
  return true;
}

/// Nothing moves: first shut the queues down and close the channels, then cancel the
/// top-level tasks, then (again and again) every task still pending, on every loop.
awaitable<void> escalate(world& w, int stage) {
  ++w.counts().escalations;
  w.trace("watchdog: nothing moves; escalation {}", stage);
  if (stage == 1)
    for (const auto& ch : w.channels)
      ch->close();
  co_await on_every_loop(w, [stage](world& w) { return escalate_here(w, stage); });
}

/// Binds every loop's primitives to their loop before any node runs, so that a misuse
/// step finds them bound (a first use binds, loop_binding.hpp). Changes no state.
bool bind_primitives(world& w) {
  loop_world& here = w.here();
  with_queue(here, 0, [](auto& q, int) { return q.try_get().has_value(); });
  with_queue(here, 1, [](auto& q, int) { return q.try_get().has_value(); });
  with_queue(here, 2, [](auto& q, int) { return q.try_get().has_value(); });
  for (semaphore* s : {static_cast<semaphore*>(&here.sem), static_cast<semaphore*>(&here.bounded)})
    if (s->try_acquire())
      s->release();
  return static_cast<bool>(here.mtx.try_lock());
}

awaitable<void> fuzz_main(world& w) {
  using clock = std::chrono::steady_clock;
  w.handles = corio::loops();
  if (w.multi())
    co_await on_every_loop(w, [](world& w) { return bind_primitives(w), true; });
  loop_world& main = w.here();
  for (int id : w.p.top_level) {
    spawn_tracked(w, id);
    main.top_level.push_back(main.tasks.size() - 1);
  }
  int stage = 0;
  int quiet = 0;
  std::uint64_t seen = w.progress;
  auto last_move = clock::now();
  // With several loops, the other loops' threads may be off the CPU for a while (2
  // cores, 3 loops): quiet needs some real time too, and loop 0 sleeps instead of
  // spinning through yields, which would take a core from the loops doing the work.
  const auto quiet_for = w.multi() ? clock::duration(2ms) : clock::duration(0);
  while (!co_await settled(w)) {
    // A short timer may still fire: wait for it (plus slack) before calling it quiet.
    // After a few escalations, wait in real time too: a late timer under load (or in a
    // shielded cleanup, which no cancellation reaches) is not a hang.
    const bool timers = timers_may_fire(w);
    if (timers || stage >= 3 || w.multi())
      co_await corio::sleep(timers || w.multi() ? 100us : 1ms);
    else
      co_await corio::yield_now();
    w.trace("watchdog: progress {} quiet {} stage {}", w.progress.load(), quiet, stage);
    if (w.progress != seen || timers) {
      seen = w.progress;
      quiet = 0;
      last_move = clock::now();
    } else if (++quiet >= quiet_turns && clock::now() - last_move >= quiet_for) {
      quiet = 0;
      if (clock::now() - last_move > stuck_after) {
        w.fail(fmt::format("stuck: tasks still pending, nothing moved for {} s although every "
                           "task was cancelled {} times",
                           stuck_after.count(), stage - 2));
        fmt::print(stderr, "schedule fuzzer: seed {} is stuck (run() may not return)\n", w.p.seed);
        co_return;
      }
      co_await escalate(w, ++stage);
    }
  }
}

// ---------------------------------------------------------------------------- after run()

void check_tasks(world& w) {
  if (w.frames_alive != 0)
    w.fail(fmt::format("{} coroutine frames outlived run()", w.frames_alive.load()));
  stats& counts = w.after_run;
  for (const auto& l : w.loops)
    for (const auto& t : l->tasks) {
      const exit_record& exit = w.exit_of(t.node);
      const task_state state = t.handle.state();
      ++(state == task_state::done     ? counts.done
         : state == task_state::failed ? counts.failed
                                       : counts.cancelled);
      counts.never_started += exit.kind == exit_record::how::never_ran;
      if (state == task_state::pending)
        w.fail(fmt::format("task {} is still pending after run() returned", t.handle.name()));
      else if (state != state_for(exit))
        w.fail(fmt::format("task {} ended in state {}, but its coroutine {}", t.handle.name(),
                           fmt::streamed(state), describe_exit(exit)));
      else if (state == task_state::done && t.handle.result() != exit.value)
        w.fail(fmt::format("task {} holds value {}, but its coroutine returned value {}",
                           t.handle.name(), t.handle.result(), exit.value));
    }
}

/// Takes what is left in loop `l`'s queues (counted in w.left).
void drain_queues(world& w, loop_world& l, std::size_t loop) {
  for (int q = 0; q < queue_count; ++q)
    with_queue(l, q, [&](auto& queue, int index) {
      for (;;) {
        try {
          auto rest = queue.try_get();
          if (!rest)
            break;
          ++w.left[static_cast<std::size_t>(rest->id())];
          queue.task_done();
        } catch (const corio::queue_shut_down&) {
          break;
        }
      }
      if (queue.unfinished() != 0)
        w.fail(fmt::format("queue {}{}: unfinished() is {} after every item was got and marked "
                           "done",
                           index, w.multi() ? fmt::format(" of loop {}", loop) : "",
                           queue.unfinished()));
    });
}

/// Takes what is left in the channels (counted in w.left).
void drain_channels(world& w) {
  for (const auto& ch : w.channels)
    for (;;) {
      try {
        auto rest = ch->try_receive();
        if (!rest)
          break;
        ++w.left[static_cast<std::size_t>(rest->id())];
        ++w.after_run.channel_left;
      } catch (const corio::channel_closed&) {
        break; // closed and empty
      }
    }
}

/// Every item put or sent was got or received once, or is still buffered, or (queues)
/// was dropped by shutdown(immediate); none twice, none from nowhere.
void check_items(world& w) {
  for (std::size_t i = 0; i < w.loops.size(); ++i)
    drain_queues(w, *w.loops[i], i);
  drain_channels(w);
  const std::size_t queues = w.loops.size() * queue_count;
  std::vector<std::size_t> unaccounted(queues + channel_count);
  for (std::size_t id = 0; id < w.put_ok.size(); ++id) {
    const int got = w.got[id], left = w.left[id];
    w.after_run.items_left += static_cast<std::uint64_t>(left);
    if (got + left > 1)
      w.fail(fmt::format("item {} duplicated: got {} time(s) and {} still queued", id, got, left));
    else if (got + left == 1 && !w.put_ok[id])
      w.fail(fmt::format("item {} was got but never put (or sent by a send that threw)", id));
    else if (got + left == 0 && w.put_ok[id])
      ++unaccounted[static_cast<std::size_t>(w.item_bucket[id])];
  }
  for (std::size_t q = 0; q < queues; ++q) {
    const std::size_t dropped = w.loops[q / queue_count]->dropped[q % queue_count];
    w.after_run.items_dropped += dropped;
    if (unaccounted[q] != dropped)
      w.fail(fmt::format("queue {}{}: {} item(s) put are neither got nor queued, and shutdown "
                         "dropped {}: items lost",
                         q % queue_count,
                         w.multi() ? fmt::format(" of loop {}", q / queue_count) : "",
                         unaccounted[q], dropped));
  }
  for (std::size_t c = 0; c < channel_count; ++c)
    if (unaccounted[queues + c] != 0)
      w.fail(fmt::format("channel {}: {} item(s) sent are neither received nor buffered: items "
                         "lost",
                         c, unaccounted[queues + c]));
}

void check_lockables(world& w, loop_world& l, std::size_t loop) {
  const std::string of = w.multi() ? fmt::format(" of loop {}", loop) : "";
  const std::array<std::size_t, 2> available{l.sem.available(), l.bounded.available()};
  for (std::size_t i = 0; i < available.size(); ++i)
    if (available[i] != static_cast<std::size_t>(w.p.lockable_limit[i]))
      w.fail(fmt::format("semaphore {}{}: {} permit(s) free at the end, its limit is {}", i, of,
                         available[i], w.p.lockable_limit[i]));
  if (l.sem.waiting() + l.bounded.waiting() + l.mtx.waiting() != 0 || l.mtx.locked())
    w.fail(fmt::format("a semaphore or the mutex{} still has waiters or a holder after run()", of));
  for (std::size_t i = 0; i < lockable_count; ++i)
    if (l.inside[i] != 0)
      w.fail(fmt::format("lockable {}{}: {} holder(s) left after run()", i, of, l.inside[i]));
}

/// A node that failed: someone caught its exception, or corio logged it.
void check_failures_surfaced(world& w, const captured_log& log) {
  const auto messages = log.messages();
  for (std::size_t id = 0; id < w.exits.size(); ++id) {
    const exit_record& exit = w.exits[id];
    if (exit.kind != exit_record::how::failed || w.observed.count(exit.message) != 0)
      continue;
    const bool logged = std::any_of(messages.begin(), messages.end(), [&](const auto& message) {
      return message.find(exit.message) != std::string::npos;
    });
    if (logged)
      ++w.after_run.lost_failures_logged;
    else
      w.fail(fmt::format("node {} ({}) failed with '{}', and that was silently lost: no awaiter "
                         "saw it and corio logged nothing",
                         id, w.started_by[id], exit.message));
  }
}

} // namespace

// ---------------------------------------------------------------------------- public

seed_result run_seed(std::uint64_t seed, const options& opts) {
  seed_result result;
  result.seed = seed;
  const plan p = make_plan(seed, opts.loops);
  item::alive = 0;
  {
    // corio's warnings: where unretrieved failures must appear. A trace shows them
    // on stderr instead (and skips that check).
    std::optional<captured_log> log;
    if (!opts.trace)
      log.emplace();
    world w(p, opts);
    w.after_run.seeds = 1;
    w.after_run.timed_seeds = p.timed;
    w.after_run.multi_loop_seeds = p.loops > 1;
    try {
      corio::run(fuzz_main(w), {.loops = static_cast<std::size_t>(p.loops),
                                .virtual_time = p.loops == 1 && !opts.real_time});
    } catch (...) {
      w.fail("run() threw: " + describe(std::current_exception()));
    }
    check_tasks(w);
    for (auto& l : w.loops)
      l->leaked_frames.clear();
    check_items(w);
    for (std::size_t i = 0; i < w.loops.size(); ++i)
      check_lockables(w, *w.loops[i], i);
    for (auto& l : w.loops)
      l->tasks.clear(); // the last handles go: unretrieved failures are logged now
    if (log)
      check_failures_surfaced(w, *log);
    result.failures = std::move(w.failures);
    result.counts = w.after_run;
    for (const auto& l : w.loops)
      result.counts += l->counts;
  }
  if (item::alive != 0)
    result.failures.push_back(
        fmt::format("{} queue item(s) still alive at the end", item::alive.load()));
  return result;
}

constexpr std::array fault_names{"none",           "lose_item",    "duplicate_item",
                                 "leak_permit",    "leak_frame",   "wrong_value",
                                 "misrecord_exit", "orphan_child", "lose_exception"};
static_assert(fault_names.size() == static_cast<std::size_t>(fault::lose_exception) + 1);

std::optional<fault> fault_from_name(std::string_view name) {
  for (std::size_t i = 0; i < fault_names.size(); ++i)
    if (name == fault_names[i])
      return static_cast<fault>(i);
  return std::nullopt;
}

const char* to_string(fault f) {
  return name_in(fault_names, f);
}

const std::vector<fault_signature>& fault_signatures() {
  static const std::vector<fault_signature> signatures{
      {fault::lose_item, "items lost"},
      {fault::duplicate_item, "duplicated"},
      {fault::leak_permit, "permit(s) free at the end"},
      {fault::leak_frame, "frames outlived run()"},
      {fault::wrong_value, "value"},
      {fault::misrecord_exit, "ended in state failed"},
      {fault::orphan_child, "outlived"},
      {fault::lose_exception, "silently lost"},
  };
  return signatures;
}

stats& stats::operator+=(const stats& o) {
  static constexpr std::uint64_t stats::*fields[] = {&stats::seeds,
                                                     &stats::timed_seeds,
                                                     &stats::nodes_run,
                                                     &stats::tasks,
                                                     &stats::done,
                                                     &stats::failed,
                                                     &stats::cancelled,
                                                     &stats::never_started,
                                                     &stats::items_put,
                                                     &stats::items_got,
                                                     &stats::items_left,
                                                     &stats::items_dropped,
                                                     &stats::holds,
                                                     &stats::joins_checked,
                                                     &stats::combinators_checked,
                                                     &stats::timeouts_fired,
                                                     &stats::group_errors,
                                                     &stats::shut_down_seen,
                                                     &stats::own_cancellations,
                                                     &stats::sticky_checks,
                                                     &stats::cleanups,
                                                     &stats::lost_failures_logged,
                                                     &stats::escalations,
                                                     &stats::multi_loop_seeds,
                                                     &stats::remote_starts,
                                                     &stats::sent,
                                                     &stats::received,
                                                     &stats::channel_left,
                                                     &stats::closed_seen,
                                                     &stats::misuses_refused};
  for (auto field : fields)
    this->*field += o.*field;
  return *this;
}

std::string stats::str() const {
  std::string text = fmt::format(
      "{} seeds ({} with timers); {} nodes run; {} tasks: {} done, {} failed, {} "
      "cancelled ({} before their first step); items: {} put, {} got, {} left queued, {} "
      "dropped by shutdown; {} holds; checked {} awaits and {} combinators; {} timeouts "
      "fired, {} task_group_errors; {} own cancellations handled ({} sticky checks, {} "
      "cleanups); {} unretrieved failures found in the log; {} watchdog escalations",
      seeds, timed_seeds, nodes_run, tasks, done, failed, cancelled, never_started, items_put,
      items_got, items_left, items_dropped, holds, joins_checked, combinators_checked,
      timeouts_fired, group_errors, own_cancellations, sticky_checks, cleanups,
      lost_failures_logged, escalations);
  if (multi_loop_seeds == 0)
    return text;
  return text + fmt::format("; {} multi-loop seeds: {} starts on another loop; channels: {} sent, "
                            "{} received, {} left buffered, {} channel_closed seen; {} misuses "
                            "refused",
                            multi_loop_seeds, remote_starts, sent, received, channel_left,
                            closed_seen, misuses_refused);
}

} // namespace corio::test::fuzz
