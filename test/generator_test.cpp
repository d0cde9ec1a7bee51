#include <corio/generator.hpp>

#include "support/corio_test.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Lets BOOST_TEST print the optionals that next() and send() return.
namespace boost::test_tools::tt_detail {
template <class T>
struct print_log_value<std::optional<T>> {
  void operator()(std::ostream& out, const std::optional<T>& value) {
    if (value)
      out << *value;
    else
      out << "nullopt";
  }
};
} // namespace boost::test_tools::tt_detail

namespace {

using corio::test::counted;
using corio::test::event_log;

// Appends its name to the log when destroyed: marks where a frame's cleanup ran.
struct exit_marker {
  event_log& log;
  std::string name;
  ~exit_marker() { log(name); }
};

corio::generator<int> count_to(int n) {
  for (int i = 1; i <= n; ++i)
    co_yield i;
}

corio::generator<int> logged_count_to(int n, event_log& log) {
  for (int i = 1; i <= n; ++i) {
    log("yield " + std::to_string(i));
    co_yield i;
  }
}

corio::generator<int> nothing() {
  co_return;
}

corio::generator<int> fails_after(int n) {
  co_yield corio::elements_of(count_to(n));
  throw std::runtime_error("boom");
}

corio::generator<int, void, int> sum_of_count_to(int n) {
  int sum = 0;
  for (int i = 1; i <= n; ++i) {
    sum += i;
    co_yield i;
  }
  co_return sum;
}

template <class Generator>
std::vector<int> collect(Generator&& generator) {
  std::vector<int> values;
  for (int value : generator)
    values.push_back(value);
  return values;
}

} // namespace

static_assert(std::ranges::input_range<corio::generator<int>>);
static_assert(std::ranges::view<corio::generator<int>>);
static_assert(!std::copy_constructible<corio::generator<int>>);
static_assert(!std::ranges::range<corio::generator<int, int>>, "send()-generators are not ranges");

BOOST_AUTO_TEST_SUITE(generator_test)

BOOST_AUTO_TEST_CASE(creating_a_generator_runs_nothing_until_begin) {
  event_log log;
  auto generator = logged_count_to(3, log);
  BOOST_TEST(log.events().empty());
  BOOST_TEST(generator.state() == corio::generator_state::created);
  auto it = generator.begin();
  BOOST_TEST(log.events() == std::vector<std::string>{"yield 1"});
  BOOST_TEST(*it == 1);
}

BOOST_AUTO_TEST_CASE(range_for_yields_values_lazily_in_order) {
  event_log log;
  for (int value : logged_count_to(3, log))
    log("got " + std::to_string(value));
  const std::vector<std::string> expected{"yield 1", "got 1",   "yield 2",
                                          "got 2",   "yield 3", "got 3"};
  BOOST_TEST(log.events() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(breaking_out_of_range_for_stops_production) {
  event_log log;
  std::vector<int> values;
  for (int value : logged_count_to(1000, log)) {
    values.push_back(value);
    if (values.size() == 3)
      break;
  }
  BOOST_TEST(values == (std::vector<int>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(log.events().size() == 3u);
}

BOOST_AUTO_TEST_CASE(works_with_std_ranges_adaptors) {
  // Note: views::take over an input range resumes the generator once more after the last
  // value it passes on (std's counted_iterator increments before comparing; see P2406).
  std::vector<int> values;
  for (int value :
       count_to(1000) | std::views::filter([](int i) { return i % 2 == 0; }) | std::views::take(3))
    values.push_back(value);
  BOOST_TEST(values == (std::vector<int>{2, 4, 6}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(begin_called_twice_does_not_advance) {
  auto generator = count_to(3);
  auto first = generator.begin();
  auto second = generator.begin();
  BOOST_TEST(*first == 1);
  BOOST_TEST(*second == 1);
  ++first;
  BOOST_TEST(*generator.begin() == 2);
}

BOOST_AUTO_TEST_CASE(post_increment_advances_to_the_next_value) {
  auto generator = count_to(3);
  auto it = generator.begin();
  it++;
  BOOST_TEST(*it == 2);
  it++;
  BOOST_TEST(*it == 3);
}

BOOST_AUTO_TEST_CASE(iterator_equals_end_only_after_the_last_value) {
  auto generator = count_to(2);
  auto it = generator.begin();
  BOOST_TEST((it != generator.end()));
  ++it;
  BOOST_TEST((it != generator.end()));
  ++it;
  BOOST_TEST((it == generator.end()));
  BOOST_TEST(generator.state() == corio::generator_state::closed);
  BOOST_CHECK_THROW(++it, corio::generator_exhausted);
}

BOOST_AUTO_TEST_CASE(empty_generator_begin_equals_end) {
  auto generator = nothing();
  BOOST_TEST((generator.begin() == generator.end()));
  BOOST_TEST(generator.state() == corio::generator_state::closed);
  BOOST_TEST(collect(nothing()).empty());
}

BOOST_AUTO_TEST_CASE(yielded_lvalue_is_a_copy_the_consumer_may_change) {
  int seen_after = 0;
  auto generator = [](int& seen) -> corio::generator<std::string> {
    std::string word = "kept";
    co_yield word;
    seen = static_cast<int>(word.size());
  }(seen_after);
  auto it = generator.begin();
  *it = "changed by consumer";
  ++it;
  BOOST_TEST(seen_after == 4);
}

BOOST_AUTO_TEST_CASE(move_only_values_can_be_yielded_and_moved_out) {
  auto generator = []() -> corio::generator<std::unique_ptr<int>> {
    co_yield std::make_unique<int>(1);
    auto local = std::make_unique<int>(2);
    co_yield std::move(local);
  }();
  std::vector<int> values;
  for (auto&& pointer : generator) {
    std::unique_ptr<int> owned = std::move(pointer);
    values.push_back(*owned);
  }
  BOOST_TEST(values == (std::vector<int>{1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(exception_from_body_reaches_consumer_at_the_resumption_point) {
  auto generator = fails_after(2);
  auto it = generator.begin();
  BOOST_TEST(*it == 1);
  ++it;
  BOOST_TEST(*it == 2);
  BOOST_CHECK_EXCEPTION(++it, std::runtime_error,
                        [](const auto& error) { return std::string(error.what()) == "boom"; });
  BOOST_TEST((it == generator.end()));
  BOOST_TEST(generator.state() == corio::generator_state::closed);
}

BOOST_AUTO_TEST_CASE(exception_before_the_first_yield_is_thrown_by_begin) {
  auto generator = fails_after(0);
  BOOST_CHECK_THROW(generator.begin(), std::runtime_error);
  BOOST_TEST(generator.state() == corio::generator_state::closed);
}

BOOST_AUTO_TEST_CASE(destroying_an_unfinished_generator_runs_its_cleanup) {
  event_log log;
  {
    auto generator = [](event_log& log) -> corio::generator<int> {
      counted local;
      exit_marker guard{log, "cleanup"};
      for (int i = 0;; ++i)
        co_yield i;
    }(log);
    auto it = generator.begin();
    ++it;
    BOOST_TEST(counted::alive == 1);
    BOOST_TEST(log.events().empty());
  }
  BOOST_TEST(counted::alive == 0);
  BOOST_TEST(log.events() == std::vector<std::string>{"cleanup"});
}

BOOST_AUTO_TEST_CASE(destroying_an_unstarted_generator_destroys_its_arguments) {
  {
    auto generator = [](counted) -> corio::generator<int> { co_yield 1; }(counted{});
    BOOST_TEST(counted::alive == 1); // the frame's copy of the argument
  }
  BOOST_TEST(counted::alive == 0);
}

BOOST_AUTO_TEST_CASE(moved_generator_keeps_its_position_and_the_source_is_closed) {
  auto source = count_to(3);
  auto it = source.begin();
  ++it;
  corio::generator<int> target = std::move(source);
  BOOST_TEST(source.state() == corio::generator_state::closed);
  BOOST_TEST((source.begin() == source.end()));
  BOOST_TEST(target.state() == corio::generator_state::suspended);
  BOOST_TEST(*target.begin() == 2);
  BOOST_TEST(*target.next() == 3);
}

BOOST_AUTO_TEST_CASE(move_assignment_destroys_the_previous_frame) {
  event_log log;
  auto make = [](event_log& log, std::string name) -> corio::generator<int> {
    exit_marker guard{log, name};
    co_yield 1;
  };
  auto generator = make(log, "first");
  generator.begin();
  generator = make(log, "second");
  BOOST_TEST(log.events() == std::vector<std::string>{"first"});
  BOOST_TEST(generator.state() == corio::generator_state::created);
}

BOOST_AUTO_TEST_CASE(next_returns_values_then_nullopt_then_throws_exhausted) {
  auto generator = count_to(2);
  BOOST_TEST(generator.next() == std::optional<int>(1));
  BOOST_TEST(generator.next() == std::optional<int>(2));
  BOOST_TEST(!generator.next().has_value());
  BOOST_CHECK_THROW(generator.next(), corio::generator_exhausted);
}

BOOST_AUTO_TEST_CASE(co_return_value_is_available_from_result_once_finished) {
  auto generator = sum_of_count_to(3);
  BOOST_CHECK_THROW(generator.result(), std::logic_error);
  BOOST_TEST(collect(generator) == (std::vector<int>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(generator.result() == 6);
}

BOOST_AUTO_TEST_CASE(elements_of_delegates_through_multiple_levels) {
  auto middle = []() -> corio::generator<int> {
    co_yield 10;
    co_yield corio::elements_of(count_to(2));
    co_yield 20;
  };
  auto outer = [&]() -> corio::generator<int> {
    co_yield 0;
    co_yield corio::elements_of(middle());
    co_yield corio::elements_of(nothing());
    co_yield corio::elements_of(middle());
  };
  BOOST_TEST(collect(outer()) == (std::vector<int>{0, 10, 1, 2, 20, 10, 1, 2, 20}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(elements_of_evaluates_to_the_delegated_generators_return_value) {
  auto outer = []() -> corio::generator<int> {
    int sum = co_yield corio::elements_of(sum_of_count_to(4));
    co_yield sum;
  };
  BOOST_TEST(collect(outer()) == (std::vector<int>{1, 2, 3, 4, 10}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(exception_from_inner_generator_propagates_through_outer) {
  auto middle = []() -> corio::generator<int> { co_yield corio::elements_of(fails_after(1)); };
  auto outer = [&]() -> corio::generator<int> { co_yield corio::elements_of(middle()); };
  auto generator = outer();
  auto it = generator.begin();
  BOOST_TEST(*it == 1);
  BOOST_CHECK_THROW(++it, std::runtime_error);
  BOOST_TEST(generator.state() == corio::generator_state::closed);
}

BOOST_AUTO_TEST_CASE(outer_generator_can_catch_an_inner_exception_and_continue) {
  auto outer = []() -> corio::generator<int> {
    bool failed = false;
    try {
      co_yield corio::elements_of(fails_after(1));
    } catch (const std::runtime_error&) {
      failed = true; // C++ forbids co_yield inside a handler
    }
    co_yield failed ? -1 : 0;
    co_yield 99;
  };
  BOOST_TEST(collect(outer()) == (std::vector<int>{1, -1, 99}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(destroying_the_outer_generator_cleans_up_inner_frames_first) {
  event_log log;
  auto inner = [](event_log& log) -> corio::generator<int> {
    exit_marker guard{log, "inner"};
    co_yield 1;
    co_yield 2;
  };
  auto outer = [&](event_log& log) -> corio::generator<int> {
    exit_marker guard{log, "outer"};
    co_yield corio::elements_of(inner(log));
  };
  {
    auto generator = outer(log);
    BOOST_TEST(*generator.begin() == 1);
  }
  BOOST_TEST(log.events() == (std::vector<std::string>{"inner", "outer"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(delegating_to_a_local_generator_leaves_it_closed_with_its_result) {
  auto outer = []() -> corio::generator<int> {
    auto inner = sum_of_count_to(2);
    co_yield corio::elements_of(inner);
    co_yield inner.state() == corio::generator_state::closed ? inner.result() : -1;
  };
  BOOST_TEST(collect(outer()) == (std::vector<int>{1, 2, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(abandoned_delegation_closes_a_generator_owned_by_the_consumer) {
  auto inner = count_to(5);
  {
    auto outer = [](corio::generator<int>& inner) -> corio::generator<int> {
      co_yield corio::elements_of(inner);
    }(inner);
    auto it = outer.begin();
    BOOST_TEST(*it == 1);
    BOOST_CHECK_THROW(inner.next(), std::logic_error); // delegated: only outer resumes it
    BOOST_CHECK_THROW(inner.close(), std::logic_error);
  }
  BOOST_TEST(inner.state() == corio::generator_state::closed);
}

BOOST_AUTO_TEST_CASE(elements_of_a_started_generator_throws_logic_error) {
  auto inner = count_to(3);
  inner.begin();
  auto outer = [](corio::generator<int>& inner) -> corio::generator<int> {
    co_yield corio::elements_of(inner);
  }(inner);
  BOOST_CHECK_THROW(outer.begin(), std::logic_error);
  BOOST_TEST(inner.next() == std::optional<int>(2)); // left untouched
}

BOOST_AUTO_TEST_CASE(elements_of_a_plain_range_yields_each_element) {
  auto letters_then_numbers = []() -> corio::generator<std::string> {
    co_yield corio::elements_of(std::string_view("AB") | std::views::transform([](char letter) {
                                  return std::string(1, letter);
                                }));
    const std::vector<const char*> words{"one", "two"};
    co_yield corio::elements_of(words);
  };
  std::vector<std::string> values;
  for (const auto& value : letters_then_numbers())
    values.push_back(value);
  BOOST_TEST(values == (std::vector<std::string>{"A", "B", "one", "two"}),
             boost::test_tools::per_element());
  auto from_iota = []() -> corio::generator<long> {
    co_yield corio::elements_of(std::views::iota(1, 4));
  };
  BOOST_TEST(collect(from_iota()) == (std::vector<int>{1, 2, 3}), boost::test_tools::per_element());
}

corio::generator<int> countdown(int n) {
  if (n == 0)
    co_return;
  co_yield n;
  co_yield corio::elements_of(countdown(n - 1));
}

BOOST_AUTO_TEST_CASE(deep_recursive_delegation_yields_every_value) {
  int expected = 5000, count = 0;
  for (int value : countdown(5000)) {
    if (value != expected--)
      break;
    ++count;
  }
  BOOST_TEST(count == 5000);
}

// Counts the frames that were destroyed and checks that the innermost went first.
struct close_order {
  int closed = 0;
  int last_depth = -1;
  bool innermost_first = true;
};

corio::generator<int> nested(int depth, close_order& order) {
  struct on_close {
    close_order& order;
    int depth;
    ~on_close() {
      order.innermost_first = order.innermost_first && depth == order.last_depth + 1;
      order.last_depth = depth;
      ++order.closed;
    }
  } guard{order, depth};
  if (depth == 0) {
    co_yield 0;
    co_yield 1;
  } else {
    co_yield corio::elements_of(nested(depth - 1, order));
  }
}

// Closing used to recurse once per level (each frame's destructor closed its child)
// and overflowed the stack: between 100,000 and 1,000,000 levels in the release build,
// below 20,000 under ASan (-O0). Descending into the stack relies on symmetric transfer
// compiling to a tail call, which GCC does only from -O2; unoptimized and sanitizer
// builds descend recursively and overflow near 100,000 levels on the way down, so there
// the tests use 50,000 levels (where the old close overflowed under -O0 and ASan alike).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__OPTIMIZE__)
constexpr int deep_delegation = 50'000;
#else
constexpr int deep_delegation = 1'000'000;
#endif

BOOST_AUTO_TEST_CASE(closing_a_million_deep_delegation_early_destroys_every_frame) {
  constexpr int depth = deep_delegation;
  close_order order;
  auto outer = nested(depth, order);
  BOOST_TEST(*outer.begin() == 0);
  outer.close();
  BOOST_TEST(order.closed == depth + 1);
  BOOST_TEST(order.innermost_first);
  BOOST_TEST((outer.state() == corio::generator_state::closed));
}

BOOST_AUTO_TEST_CASE(destroying_a_million_deep_delegation_early_destroys_every_frame) {
  constexpr int depth = deep_delegation;
  close_order order;
  {
    auto outer = nested(depth, order);
    BOOST_TEST(*outer.begin() == 0);
  }
  BOOST_TEST(order.closed == depth + 1);
  BOOST_TEST(order.innermost_first);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Seed 003 section 4: y = yield x; z = yield x + y.
corio::generator<int, int> add_received(int x, event_log& log) {
  log("started " + std::to_string(x));
  int y = co_yield x;
  log("y " + std::to_string(y));
  int z = co_yield x + y;
  log("z " + std::to_string(z));
}

// Seed 004: receives terms, yields the running average.
corio::generator<double, double> running_average(event_log& log) {
  exit_marker guard{log, "average closed"};
  double total = 0;
  int count = 0;
  for (double average = 0;;) {
    total += co_yield average;
    average = total / ++count;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(send_generator_test)

BOOST_AUTO_TEST_CASE(next_primes_to_the_first_yield_and_returns_its_value) {
  event_log log;
  auto generator = add_received(10, log);
  BOOST_TEST(log.events().empty());
  BOOST_TEST(generator.next() == std::optional<int>(10));
  BOOST_TEST(log.events() == std::vector<std::string>{"started 10"});
}

BOOST_AUTO_TEST_CASE(send_resumes_with_the_value_as_the_result_of_co_yield) {
  event_log log;
  auto generator = add_received(10, log);
  generator.next();
  BOOST_TEST(generator.send(100) == std::optional<int>(110));
  BOOST_TEST(log.events().back() == "y 100");
}

BOOST_AUTO_TEST_CASE(send_returns_nullopt_when_the_body_ends_then_throws_exhausted) {
  event_log log;
  auto generator = add_received(10, log);
  generator.next();
  generator.send(100);
  BOOST_TEST(!generator.send(20).has_value());
  BOOST_TEST(log.events().back() == "z 20");
  BOOST_TEST(generator.state() == corio::generator_state::closed);
  BOOST_CHECK_THROW(generator.send(1), corio::generator_exhausted);
}

BOOST_AUTO_TEST_CASE(send_to_unstarted_generator_throws_generator_not_started) {
  event_log log;
  auto generator = add_received(10, log);
  BOOST_CHECK_THROW(generator.send(100), corio::generator_not_started);
  BOOST_TEST(log.events().empty());
  BOOST_TEST(generator.state() == corio::generator_state::created);
  BOOST_TEST(generator.next() == std::optional<int>(10)); // still usable
}

BOOST_AUTO_TEST_CASE(next_after_priming_resumes_with_a_default_value) {
  event_log log;
  auto generator = add_received(10, log);
  generator.next();
  BOOST_TEST(generator.next() == std::optional<int>(10)); // y == int{}, Python's None
  BOOST_TEST(log.events().back() == "y 0");
}

BOOST_AUTO_TEST_CASE(state_walks_created_suspended_running_closed) {
  const corio::generator<int, int>* self = nullptr;
  std::vector<corio::generator_state> seen_inside;
  auto generator = [](const corio::generator<int, int>*& self,
                      std::vector<corio::generator_state>& seen) -> corio::generator<int, int> {
    seen.push_back(self->state());
    int received = co_yield 1;
    seen.push_back(self->state());
    co_yield received;
  }(self, seen_inside);
  self = &generator;
  using enum corio::generator_state;
  BOOST_TEST(generator.state() == created);
  generator.next();
  BOOST_TEST(generator.state() == suspended);
  generator.send(5);
  BOOST_TEST(generator.state() == suspended);
  BOOST_TEST(!generator.send(6).has_value());
  BOOST_TEST(generator.state() == closed);
  BOOST_TEST(seen_inside == (std::vector<corio::generator_state>{running, running}),
             boost::test_tools::per_element());
  BOOST_TEST(corio::to_string(running) == "running");
}

BOOST_AUTO_TEST_CASE(resuming_or_closing_itself_from_inside_throws_logic_error) {
  corio::generator<int, int>* self = nullptr;
  int caught = 0;
  auto generator = [](corio::generator<int, int>*& self,
                      int& caught) -> corio::generator<int, int> {
    try {
      self->send(1);
    } catch (const std::logic_error&) {
      ++caught;
    }
    try {
      self->close();
    } catch (const std::logic_error&) {
      ++caught;
    }
    co_yield 0;
  }(self, caught);
  self = &generator;
  generator.next();
  BOOST_TEST(caught == 2);
  BOOST_TEST(generator.state() == corio::generator_state::suspended);
}

BOOST_AUTO_TEST_CASE(close_runs_cleanup_and_a_later_send_throws_exhausted) {
  event_log log;
  auto average = running_average(log);
  average.next();
  BOOST_TEST(average.send(10.0) == std::optional<double>(10.0));
  BOOST_TEST(average.send(20.0) == std::optional<double>(15.0));
  BOOST_TEST(log.events().empty());
  average.close();
  BOOST_TEST(log.events() == std::vector<std::string>{"average closed"});
  BOOST_TEST(average.state() == corio::generator_state::closed);
  BOOST_CHECK_THROW(average.send(30.0), corio::generator_exhausted);
  BOOST_CHECK_NO_THROW(average.close());
}

BOOST_AUTO_TEST_CASE(close_on_an_unstarted_generator_runs_no_body_code) {
  event_log log;
  auto generator = add_received(10, log);
  generator.close();
  BOOST_TEST(log.events().empty());
  BOOST_TEST(generator.state() == corio::generator_state::closed);
}

BOOST_AUTO_TEST_CASE(co_return_value_survives_close_after_the_body_returned) {
  auto generator = []() -> corio::generator<int, int, std::string> {
    int received = co_yield 0;
    co_return "got " + std::to_string(received);
  }();
  generator.next();
  BOOST_CHECK_THROW(generator.result(), std::logic_error);
  BOOST_TEST(!generator.send(7).has_value());
  generator.close();
  BOOST_TEST(generator.result() == "got 7");
}

BOOST_AUTO_TEST_CASE(result_of_a_closed_early_generator_throws_logic_error) {
  auto generator = []() -> corio::generator<int, int, int> {
    co_yield 0;
    co_return 1;
  }();
  generator.next();
  generator.close();
  BOOST_CHECK_THROW(generator.result(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(send_reaches_the_innermost_delegated_generator) {
  auto inner = []() -> corio::generator<int, int, int> {
    int first = co_yield -1;
    int second = co_yield first * 10;
    co_return first + second;
  };
  auto outer = [&]() -> corio::generator<int, int> {
    int sum = co_yield corio::elements_of(inner());
    co_yield sum;
  };
  auto generator = outer();
  BOOST_TEST(generator.next() == std::optional<int>(-1));
  BOOST_TEST(generator.send(2) == std::optional<int>(20));
  BOOST_TEST(generator.send(3) == std::optional<int>(5)); // inner returned 2 + 3
}

BOOST_AUTO_TEST_CASE(exception_thrown_in_response_to_send_reaches_the_sender) {
  auto generator = []() -> corio::generator<int, int> {
    for (;;) {
      int value = co_yield 0;
      if (value < 0)
        throw std::invalid_argument("negative");
    }
  }();
  generator.next();
  BOOST_CHECK_NO_THROW(generator.send(1));
  BOOST_CHECK_THROW(generator.send(-1), std::invalid_argument);
  BOOST_TEST(generator.state() == corio::generator_state::closed);
}

BOOST_AUTO_TEST_CASE(move_only_values_can_be_sent) {
  auto generator = []() -> corio::generator<int, std::unique_ptr<int>> {
    auto owned = co_yield 0;
    co_yield *owned;
  }();
  generator.next();
  BOOST_TEST(generator.send(std::make_unique<int>(42)) == std::optional<int>(42));
}

BOOST_AUTO_TEST_SUITE_END()
