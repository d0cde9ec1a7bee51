// Builds the schedule fuzzer's random task tree from a seed (see schedule_fuzz_plan.hpp)
// and prints it for replays.
#include "support/schedule_fuzz_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <random>
#include <utility>

namespace corio::test::fuzz {

namespace {

constexpr int max_depth = 4;

struct weighted_kind {
  step_kind kind;
  int weight;
  bool structural; // runs child nodes
  bool multi_loop; // drawn in multi-loop plans only
};

// How often each step is drawn. The structural ones only while depth and budget allow;
// the ones on kept handles only after a spawn in the same node.
constexpr std::initializer_list<weighted_kind> step_weights = {
    {step_kind::yield, 14, false, false},       {step_kind::sleep, 3, false, false},
    {step_kind::put, 12, false, false},         {step_kind::try_put, 4, false, false},
    {step_kind::get, 12, false, false},         {step_kind::try_get, 4, false, false},
    {step_kind::hold, 9, false, false},         {step_kind::shutdown_queue, 1, false, false},
    {step_kind::cancel_any, 4, false, false},   {step_kind::fail, 1, false, false},
    {step_kind::await_kept, 6, false, false},   {step_kind::shield_kept, 3, false, false},
    {step_kind::cancel_kept, 3, false, false},  {step_kind::drop_kept, 2, false, false},
    {step_kind::spawn, 7, true, false},         {step_kind::call, 5, true, false},
    {step_kind::gather, 4, true, false},        {step_kind::race, 4, true, false},
    {step_kind::group, 4, true, false},         {step_kind::timeout, 5, true, false},
    {step_kind::gather_tasks, 3, true, false},  {step_kind::map, 2, true, false},
    {step_kind::send, 8, false, true},          {step_kind::try_send, 3, false, true},
    {step_kind::receive, 8, false, true},       {step_kind::try_receive, 3, false, true},
    {step_kind::close_channel, 1, false, true}, {step_kind::misuse, 1, false, true},
};

// Children of these steps may run on another loop than their parent (the others run
// in the parent's task: call, a hold's child, task_group children).
bool may_place_elsewhere(step_kind kind) {
  return kind == step_kind::spawn || kind == step_kind::gather_tasks || kind == step_kind::gather ||
         kind == step_kind::race || kind == step_kind::map || kind == step_kind::timeout;
}

bool uses_kept_handle(step_kind kind) {
  return kind == step_kind::await_kept || kind == step_kind::shield_kept ||
         kind == step_kind::cancel_kept || kind == step_kind::drop_kept;
}

class generator {
public:
  generator(std::uint64_t seed, int loops) : random_(seed) {
    plan_.seed = seed;
    plan_.loops = loops;
  }

  plan make() {
    for (auto& size : plan_.queue_maxsize)
      size = pick_of({0, 1, 2, 4});
    plan_.lockable_limit = {pick(1, 3), pick(1, 2), 1};
    plan_.timed = coin(50);
    plan_.immediate_shutdown = coin(30);
    plan_.main_waits_for_all = coin(60);
    if (multi())
      for (auto& capacity : plan_.channel_capacity)
        capacity = pick_of({1, 2, 4});
    budget_ = pick(4, 80);
    const int tops = pick(1, 5);
    for (int i = 0; i < tops && budget_ > 0; ++i)
      plan_.top_level.push_back(new_node(0, multi() ? pick(0, plan_.loops - 1) : 0));
    plan_.items = next_item_;
    return std::move(plan_);
  }

private:
  bool multi() const { return plan_.loops > 1; }
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  bool coin(int percent) { return pick(0, 99) < percent; }
  int pick_of(std::initializer_list<int> values) {
    return *(values.begin() + pick(0, static_cast<int>(values.size()) - 1));
  }
  std::chrono::microseconds brief() { return std::chrono::microseconds(pick(0, 3000)); }

  // Reserves the node's slot before its children, so ids grow down the tree.
  int new_node(int depth, int loop) {
    --budget_;
    const int id = static_cast<int>(plan_.nodes.size());
    plan_.nodes.emplace_back();
    node_plan node;
    node.id = id;
    node.depth = depth;
    node.loop = loop;
    const int policy = pick(0, 99);
    node.cancel_policy = policy < 50   ? on_cancel::escape
                         : policy < 60 ? on_cancel::swallow_return
                         : policy < 75 ? on_cancel::check_sticky
                         : policy < 85 ? on_cancel::cleanup_rethrow
                         : policy < 90 ? on_cancel::cleanup_return
                                       : on_cancel::convert;
    node.fail_on_error = coin(25);
    node.foreign_cancel_escapes = coin(50);
    node.fail_at_end = coin(5);
    int spawned = 0;
    const int steps = depth <= 1 ? pick(2, 8) : pick(0, 6); // bushy near the root
    for (int i = 0; i < steps; ++i) {
      node.steps.push_back(new_step(depth, loop, spawned));
      spawned += node.steps.back().kind == step_kind::spawn;
    }
    if (node.cancel_policy == on_cancel::cleanup_rethrow ||
        node.cancel_policy == on_cancel::cleanup_return) {
      const int cleanups = pick(0, 3);
      for (int i = 0; i < cleanups; ++i)
        node.cleanup.push_back(cleanup_step());
    }
    plan_.nodes[static_cast<std::size_t>(id)] = std::move(node);
    return id;
  }

  step_kind draw_kind(int depth, int spawned) {
    const bool may_nest = depth < max_depth && budget_ > 0;
    int total = 0;
    auto allowed = [&](const weighted_kind& w) {
      return (may_nest || !w.structural) && (spawned > 0 || !uses_kept_handle(w.kind)) &&
             (multi() || !w.multi_loop);
    };
    for (const auto& w : step_weights)
      total += allowed(w) ? w.weight : 0;
    int roll = pick(0, total - 1);
    for (const auto& w : step_weights) {
      if (!allowed(w))
        continue;
      if (roll < w.weight)
        return w.kind;
      roll -= w.weight;
    }
    return step_kind::yield;
  }

  wait_bound draw_wait(int none, int zero, int brief_percent) {
    const int roll = pick(0, 99);
    if (roll < none)
      return wait_bound::none;
    if (roll < none + zero)
      return wait_bound::zero;
    if (roll < none + zero + brief_percent)
      return plan_.timed ? wait_bound::brief : wait_bound::zero;
    return wait_bound::forever;
  }

  // In a multi-loop plan a third of the children that may move go to another loop.
  void add_children(step& s, int lo, int hi, int depth, int loop) {
    const int n = std::min(pick(lo, hi), budget_);
    for (int i = 0; i < n; ++i) {
      int child_loop = loop;
      if (multi() && may_place_elsewhere(s.kind) && coin(35))
        child_loop = (loop + pick(1, plan_.loops - 1)) % plan_.loops;
      s.children.push_back(new_node(depth + 1, child_loop));
    }
  }

  step new_step(int depth, int loop, int spawned) {
    step s;
    s.kind = draw_kind(depth, spawned);
    s.target = pick(0, 1 << 20);
    s.duration = brief();
    switch (s.kind) {
    case step_kind::yield:
      s.count = pick(1, 3);
      break;
    case step_kind::sleep:
      if (!plan_.timed)
        s.kind = step_kind::yield, s.count = 1;
      break;
    case step_kind::put:
    case step_kind::try_put:
      s.item = next_item_++;
      s.wait = draw_wait(55, 10, 15);
      break;
    case step_kind::get:
    case step_kind::receive:
      s.wait = draw_wait(55, 10, 15);
      break;
    case step_kind::send:
      s.item = next_item_++;
      s.wait = draw_wait(55, 10, 15);
      break;
    case step_kind::try_send:
      s.item = next_item_++;
      break;
    case step_kind::hold:
      fill_hold(s);
      if (depth < max_depth && budget_ > 0 && coin(15))
        add_children(s, 1, 1, depth, loop);
      break;
    case step_kind::shutdown_queue:
      s.immediate = coin(40);
      break;
    case step_kind::close_channel: // closing ends a channel's traffic: keep it rare
      if (!coin(30))
        s.kind = step_kind::try_receive;
      break;
    case step_kind::spawn:
    case step_kind::call:
      add_children(s, 1, 1, depth, loop);
      break;
    case step_kind::timeout:
      add_children(s, 1, 1, depth, loop);
      s.wait = draw_wait(0, 25, 35);
      break;
    case step_kind::gather:
    case step_kind::race:
      add_children(s, 1, 3, depth, loop);
      break;
    case step_kind::map:
      add_children(s, 1, 4, depth, loop);
      s.count = pick(1, 3);
      break;
    case step_kind::await_kept:
    case step_kind::shield_kept:
      s.count = coin(30) ? 2 : 1;
      break;
    case step_kind::group:
      add_children(s, 1, 4, depth, loop);
      s.yield_between = coin(40);
      break;
    case step_kind::gather_tasks:
      add_children(s, 0, 4, depth, loop);
      s.yield_between = coin(40);
      break;
    default:
      break;
    }
    return s;
  }

  void fill_hold(step& s) {
    s.count = pick(0, 3);
    const int mode = pick(0, 99);
    s.acquire = mode < 50   ? acquire_mode::blocking
                : mode < 75 ? acquire_mode::bounded
                : mode < 90 ? acquire_mode::attempt
                            : acquire_mode::manual;
    if (s.acquire == acquire_mode::bounded)
      s.wait = draw_wait(0, 30, 40);
  }

  // Cleanup must end by itself: nothing in it waits without a bound.
  step cleanup_step() {
    step s;
    s.target = pick(0, 1 << 20);
    s.duration = brief();
    switch (pick(0, 3)) {
    case 0:
      s.kind = step_kind::yield;
      s.count = pick(1, 2);
      break;
    case 1:
      s.kind = step_kind::try_put;
      s.item = next_item_++;
      break;
    case 2:
      s.kind = step_kind::try_get;
      break;
    default:
      s.kind = step_kind::hold;
      s.count = pick(0, 2);
      s.acquire = coin(50) ? acquire_mode::attempt : acquire_mode::bounded;
      s.wait = plan_.timed && coin(50) ? wait_bound::brief : wait_bound::zero;
      break;
    }
    return s;
  }

  std::mt19937_64 random_;
  plan plan_;
  int budget_ = 0;
  int next_item_ = 0;
};

// Names in enumerator order; the static_asserts keep them in step with the enums.
constexpr std::array on_cancel_names{"escape",          "swallow+return", "check-sticky",
                                     "cleanup+rethrow", "cleanup+return", "convert-to-failure"};
static_assert(on_cancel_names.size() == static_cast<std::size_t>(on_cancel::convert) + 1);
constexpr std::array wait_names{"", " timeout=0", " timeout=brief", " timeout=1h"};
static_assert(wait_names.size() == static_cast<std::size_t>(wait_bound::forever) + 1);
constexpr std::array acquire_names{"acquire", "acquire-under-timeout", "try-acquire",
                                   "acquire+release"};
static_assert(acquire_names.size() == static_cast<std::size_t>(acquire_mode::manual) + 1);
constexpr std::array step_names{
    "yield",       "sleep",       "put",        "try_put",      "get",    "try_get",
    "hold",        "shutdown",    "cancel-any", "fail",         "spawn",  "await-kept",
    "shield-kept", "cancel-kept", "drop-kept",  "call",         "gather", "map_concurrent",
    "race",        "task_group",  "timeout",    "gather-tasks", "send",   "try_send",
    "receive",     "try_receive", "close",      "misuse"};
static_assert(step_names.size() == static_cast<std::size_t>(step_kind::misuse) + 1);

constexpr std::array scope_form_names{"", " as timeout_at", " as move_on_after",
                                      " as timeout_at(move_on)"};
static_assert(scope_form_names.size() == static_cast<std::size_t>(scope_form_count));

std::string step_text(const step& s) {
  std::string text = to_string(s.kind);
  switch (s.kind) {
  case step_kind::yield:
  case step_kind::hold:
    text += fmt::format(" x{}", s.count);
    break;
  case step_kind::map:
    text += fmt::format(" limit={}", s.count);
    break;
  case step_kind::await_kept:
  case step_kind::shield_kept:
    text += s.count == 2 ? " by two awaiters" : "";
    break;
  case step_kind::sleep:
    text += fmt::format(" {}us", s.duration.count());
    break;
  case step_kind::timeout:
    text += name_in(scope_form_names, form_of(s));
    break;
  default:
    break;
  }
  if (s.kind == step_kind::hold)
    text += fmt::format(" lockable={} {}", s.target % lockable_count,
                        name_in(acquire_names, s.acquire));
  if (is_channel_step(s.kind))
    text += fmt::format(" channel={}", s.target % channel_count);
  else if (s.item >= 0 || s.kind == step_kind::get || s.kind == step_kind::try_get ||
           s.kind == step_kind::shutdown_queue)
    text += fmt::format(" queue={}", s.target % queue_count);
  if (s.kind == step_kind::misuse)
    text += fmt::format(" target={}", s.target);
  if (s.item >= 0)
    text += fmt::format(" item={}", s.item);
  if (s.kind == step_kind::shutdown_queue && s.immediate)
    text += " immediate";
  text += name_in(wait_names, s.wait);
  if (s.wait == wait_bound::brief)
    text += fmt::format("({}us)", s.duration.count());
  if (s.yield_between)
    text += " yield-between-spawns";
  if (!s.children.empty()) {
    text += " children=";
    for (std::size_t i = 0; i < s.children.size(); ++i)
      text += fmt::format("{}{}", i == 0 ? "" : ",", s.children[i]);
  }
  return text;
}

} // namespace

const char* to_string(step_kind kind) {
  return name_in(step_names, kind);
}

scope_form form_of(const step& s) {
  return static_cast<scope_form>(s.target % scope_form_count);
}

bool is_channel_step(step_kind kind) {
  return kind == step_kind::send || kind == step_kind::try_send || kind == step_kind::receive ||
         kind == step_kind::try_receive || kind == step_kind::close_channel;
}

plan make_plan(std::uint64_t seed, int loops) {
  return generator(seed, loops).make();
}

std::string to_string(const plan& p) {
  std::string text =
      fmt::format("seed {}: {} nodes, top level [{}], queue maxsizes [{}], limits [{}], items {}, "
                  "timed={} immediate_shutdown={} main_waits_for_all={}",
                  p.seed, p.nodes.size(), fmt::join(p.top_level, ","),
                  fmt::join(p.queue_maxsize, ","), fmt::join(p.lockable_limit, ","), p.items,
                  p.timed, p.immediate_shutdown, p.main_waits_for_all);
  if (p.loops > 1)
    text += fmt::format(", loops {}, channel capacities [{}]", p.loops,
                        fmt::join(p.channel_capacity, ","));
  text += "\n";
  for (const auto& node : p.nodes) {
    const std::string indent(static_cast<std::size_t>(node.depth) * 2, ' ');
    text += fmt::format("{}node {}{}: on-cancel={}{}{}{}\n", indent, node.id,
                        p.loops > 1 ? fmt::format(" (loop {})", node.loop) : "",
                        name_in(on_cancel_names, node.cancel_policy),
                        node.fail_on_error ? " fail-on-error" : "",
                        node.foreign_cancel_escapes ? " foreign-cancel-escapes" : "",
                        node.fail_at_end ? " fail-at-end" : "");
    for (const auto& s : node.steps)
      text += fmt::format("{}  - {}\n", indent, step_text(s));
    for (const auto& s : node.cleanup)
      text += fmt::format("{}  - cleanup: {}\n", indent, step_text(s));
  }
  return text;
}

} // namespace corio::test::fuzz
