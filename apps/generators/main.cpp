// corio-generators - where coroutines came from: Python's generators, send() and `yield from`,
// written with corio::generator. Each example reproduces a program from the seed notes
// 003 ("Python basic 37: Coroutine") and 004 ("Day 10 - concurrency and coroutines").
//
// The last example, `async`, goes one step further than the seeds: an async generator (PEP
// 525), which waits between its values, and corio::interval, tokio's ticks, built on it.
//
// Run:   corio-generators                      all examples
//        corio-generators --example average    one of: numbers lines send average states
//                                              yield-from async
//        corio-generators --example lines --file big.txt   (default: a temporary file of --lines N)
//
// Expected output (abridged):
//   == numbers ==            1 2 3 4 5, one per line
//   == lines ==              line 1 of 100000 / line 2 ... / line 3 ... /
//                            read 100000 lines lazily from /tmp/corio-generators-XXXXXX
//   == send ==               coroutine started: 10 / 10 / coroutine y received: 100 / 110 /
//                            coroutine z received: 100 / finished (StopIteration) /
//                            send() before next(): corio::generator: can't send a value ...
//   == average ==            received: 10, current average: 10.0 ... 50, 30.0 / cleanup ran
//   == states ==             after creation: created / inside the body: running /
//                            after next(): suspended / ... / after send(20): closed
//   == yield-from ==         ['A', 'B', 1, 2, 3], twice (loops, then elements_of)
//   == async ==              1 2 3 4 5, one per line, 20 ms apart /
//                            tick 1 at +0 ms / tick 2 at +50 ms / tick 3 at +100 ms
#include <corio/async_generator.hpp>
#include <corio/generator.hpp>
#include <corio/interval.hpp>
#include <corio/run.hpp>
#include <corio/sleep.hpp>

#include "app_main.hpp"
#include "cli_checks.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <variant>
#include <vector>

namespace {

//! [generator]
// Seed 004, "generators": gen_numbers(n) yields 1..n, one value per request.
corio::generator<int> numbers_up_to(int n) {
  for (int i = 1; i <= n; ++i)
    co_yield i;
}
//! [generator]

void numbers_example() {
  for (int number : numbers_up_to(5))
    fmt::print("{}\n", number);
}

// Seed 004, read_large_file(): one line in memory at a time, however big the file is.
corio::generator<std::string> read_lines(std::filesystem::path path) {
  std::ifstream file(path);
  if (!file)
    throw std::runtime_error("cannot open " + path.string());
  for (std::string line; std::getline(file, line);)
    co_yield std::move(line);
}

// A temporary file that removes itself.
struct temporary_file {
  std::filesystem::path path;
  explicit temporary_file(int lines) {
    std::string name =
        (std::filesystem::temp_directory_path() / "corio-generators-XXXXXX").string();
    int descriptor = ::mkstemp(name.data());
    if (descriptor < 0)
      throw std::runtime_error("cannot create a temporary file");
    ::close(descriptor);
    path = name;
    std::ofstream out(path);
    for (int i = 1; i <= lines; ++i)
      out << "line " << i << " of " << lines << '\n';
  }
  ~temporary_file() { std::filesystem::remove(path); }
};

void lines_example(const std::string& file_option, int line_count) {
  std::optional<temporary_file> generated;
  std::filesystem::path path = file_option;
  if (file_option.empty())
    path = generated.emplace(line_count).path;
  std::size_t count = 0;
  for (const std::string& line : read_lines(path)) {
    if (count < 3)
      fmt::print("  {}\n", line);
    ++count;
  }
  fmt::print("read {} lines lazily from {}\n", count, path.string());
}

// Seed 003 sections 3 and 4: `y = yield x` receives what the caller send()s.
corio::generator<int, int> add_received(int x) {
  fmt::print("coroutine started: {}\n", x);
  int y = co_yield x;
  fmt::print("coroutine y received: {}\n", y);
  int z = co_yield x + y;
  fmt::print("coroutine z received: {}\n", z);
}

void send_example() {
  auto coroutine = add_received(10);
  fmt::print("{}\n", *coroutine.next()); // runs to the first co_yield
  fmt::print("{}\n", *coroutine.send(100));
  if (!coroutine.send(100)) // the body ended: Python raises StopIteration here
    fmt::print("finished (StopIteration)\n");

  auto unstarted = add_received(10);
  try {
    unstarted.send(100);
  } catch (const corio::generator_not_started& error) {
    fmt::print("send() before next(): {}\n", error.what());
  }
}

// Seed 004, coroutine_processor(): receives numbers, keeps a running average. Its cleanup runs
// when the caller close()s it (Python's GeneratorExit handler; here a destructor).
corio::generator<double, double> running_average() {
  struct on_close {
    ~on_close() { fmt::print("running average closed, cleanup ran\n"); }
  } cleanup;
  double total = 0;
  int count = 0;
  for (double average = 0;;) {
    double term = co_yield average;
    total += term;
    average = total / ++count;
    fmt::print("received: {}, current average: {:.1f}\n", term, average);
  }
}

void average_example() {
  auto averager = running_average();
  averager.next(); // prime it
  for (double value : {10, 20, 30, 40, 50})
    averager.send(value);
  averager.close();
}

// Seed 003 section 4, inspect.getgeneratorstate(): CREATED, SUSPENDED, RUNNING, CLOSED.
corio::generator<int, int> watched(const corio::generator<int, int>* const& self) {
  fmt::print("  inside the body: {}\n", to_string(self->state()));
  int received = co_yield 1;
  co_yield received;
}

void states_example() {
  const corio::generator<int, int>* self = nullptr;
  auto coroutine = watched(self);
  self = &coroutine;
  fmt::print("after creation: {}\n", to_string(coroutine.state()));
  coroutine.next();
  fmt::print("after next(): {}\n", to_string(coroutine.state()));
  coroutine.send(100);
  fmt::print("after send(100): {}\n", to_string(coroutine.state()));
  coroutine.send(20); // the body ends
  fmt::print("after send(20): {}\n", to_string(coroutine.state()));
}

// Seed 003 section 5: generator1 loops over 'AB' and range(1, 4); generator2 says the same
// with `yield from`, here `co_yield corio::elements_of(...)`.
using letter_or_number = std::variant<char, int>;

corio::generator<letter_or_number> with_loops() {
  for (char letter : std::string_view("AB"))
    co_yield letter;
  for (int number = 1; number < 4; ++number)
    co_yield number;
}

corio::generator<letter_or_number> with_elements_of() {
  co_yield corio::elements_of(std::string_view("AB"));
  co_yield corio::elements_of(std::views::iota(1, 4));
}

// Prints like Python's print(list(generator)): ['A', 'B', 1, 2, 3]
void print_all(corio::generator<letter_or_number> generator) {
  std::vector<std::string> items;
  for (const letter_or_number& item : generator)
    items.push_back(std::holds_alternative<char>(item) ? fmt::format("'{}'", std::get<char>(item))
                                                       : fmt::format("{}", std::get<int>(item)));
  fmt::print("[{}]\n", fmt::join(items, ", "));
}

void yield_from_example() {
  print_all(with_loops());
  print_all(with_elements_of());
}

//! [async-generator]
// The same numbers, but each one takes a wait to make (a timer here; a socket read in real
// code): an async generator may co_await between its values, and its consumer pulls them
// with co_await next(), Python's `async for`. Nothing runs ahead of the consumer.
corio::awaitable<void> numbers_arriving(corio::yielder<int> yield, int n) {
  for (int i = 1; i <= n; ++i) {
    co_await corio::sleep(std::chrono::milliseconds(20));
    co_await yield(i);
  }
}

corio::awaitable<void> print_numbers_as_they_arrive() {
  corio::async_generator<int> numbers(numbers_arriving, 5);
  while (std::optional<int> number = co_await numbers.next()) // async for number in numbers:
    fmt::print("{}\n", *number);
}
//! [async-generator]

// corio::interval is an async generator of ticks (tokio's time::interval); for_each is the
// loop, and returning false is its `break`.
corio::awaitable<void> three_ticks() {
  std::optional<std::chrono::steady_clock::time_point> first;
  int count = 0;
  co_await corio::for_each(corio::interval(std::chrono::milliseconds(50)), [&](auto tick) {
    first = first.value_or(tick);
    const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(tick - *first);
    fmt::print("tick {} at +{} ms\n", ++count, offset.count());
    return count < 3;
  });
}

void async_example() {
  corio::run([]() -> corio::awaitable<void> {
    co_await print_numbers_as_they_arrive();
    co_await three_ticks();
  }());
}

int run_app(int argc, char** argv) {
  std::string example = "all";
  std::string file;
  int lines = 100'000;
  const std::vector<std::pair<std::string, std::function<void()>>> examples{
      {"numbers", numbers_example}, {"lines", [&] { lines_example(file, lines); }},
      {"send", send_example},       {"average", average_example},
      {"states", states_example},   {"yield-from", yield_from_example},
      {"async", async_example},
  };
  std::vector<std::string> names{"all"};
  for (const auto& entry : examples)
    names.push_back(entry.first);

  CLI::App app{"corio-generators: Python's generators, send(), yield from and async generators, "
               "in C++"};
  app.add_option("--example", example, "which example to run (default: all)")
      ->check(CLI::IsMember(names));
  app.add_option("--file", file, "file for the lines example (default: a generated one)")
      ->check(CLI::ExistingFile);
  app.add_option("--lines", lines, "lines in the generated file")
      ->check(cli_checks::whole_number(1, 100'000'000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  for (const auto& [name, run] : examples) {
    if (example != "all" && example != name)
      continue;
    fmt::print("== {} ==\n", name);
    run();
  }
  return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-generators", run_app, argc, argv);
}
