// apps/bench/generators.cpp - workload 10 (issue 21): the per-item cost of pulling N
// numbers from a producer that yields them one at a time. corio: an async_generator's
// `co_await next()` (the body is a task of its own, each value two posted resumptions);
// corio-queue: the same hand-off written by hand, a producer task putting into a
// corio::queue of capacity 1 and the consumer getting; generator: a synchronous
// corio::generator pulled in a range-for, the floor (no loop turn at all). ns per item.
#include "bench.hpp"

#include <corio/async_generator.hpp>
#include <corio/generator.hpp>
#include <corio/queue.hpp>
#include <corio/run.hpp>
#include <corio/task.hpp>

#include <optional>

namespace bench {

namespace {

using number = std::uint64_t;

corio::awaitable<void> count_up(corio::yielder<number> yield, std::size_t n) {
  for (number i = 0; i < n; ++i)
    co_await yield(i);
}

corio::awaitable<number> pull_async_generator(std::size_t n) {
  corio::async_generator<number> values(count_up, n);
  number sum = 0;
  while (const std::optional<number> value = co_await values.next())
    sum += *value;
  co_return sum;
}

// The producer ends the stream with nullopt, as the generator's end does.
corio::awaitable<void> put_up_to(corio::queue<std::optional<number>>& values, std::size_t n) {
  for (number i = 0; i < n; ++i)
    co_await values.put(i);
  co_await values.put(std::nullopt);
}

corio::awaitable<number> pull_queue(std::size_t n) {
  corio::queue<std::optional<number>> values(1);
  const corio::task<void> producer = corio::spawn(put_up_to(values, n));
  number sum = 0;
  while (const std::optional<number> value = co_await values.get())
    sum += *value;
  co_await producer;
  co_return sum;
}

corio::generator<number> count_up_now(std::size_t n) {
  for (number i = 0; i < n; ++i)
    co_yield i;
}

number async_generator_corio(std::size_t n) {
  return corio::run(pull_async_generator(n));
}
number async_generator_queue(std::size_t n) {
  return corio::run(pull_queue(n));
}
number sync_generator(std::size_t n) {
  number sum = 0;
  for (const number value : count_up_now(n))
    sum += value;
  return sum;
}

} // namespace

std::vector<record> run_async_generator(const child_args& args) {
  using run_fn = number (*)(std::size_t);
  const run_fn run = pick<run_fn>(args, {{"corio", async_generator_corio},
                                         {"corio-queue", async_generator_queue},
                                         {"generator", sync_generator}});
  return {timed(args, run, args.n * (args.n - 1) / 2)};
}

} // namespace bench
