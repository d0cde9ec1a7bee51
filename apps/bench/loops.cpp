// apps/bench/loops.cpp - what more loops buy (issue 17), against one loop.
//
//   parallel: N tasks each hash a 16 KiB buffer twice (~50 us of CPU on this
//     project's reference machine) with one co_await corio::yield_now() between the
//     halves, spawned round robin with spawn(corio::next_loop(), ...) from main on
//     loop 0 and all awaited there. corio: 1 loop; corio-loops-L: L loops, the same
//     code. Reports tasks per second.
//   spawn-remote: one task spawns a child that returns i and awaits it, N times in a
//     row. corio: on its own loop; corio-loops-2: on loop 1 (spawn(loop, ...) from
//     loop 0: a proxy task here, the task there, the result posted back). ns per
//     spawn + await.
// The hash is FNV-1a, a chain of dependent multiplies no compiler can shorten; its
// result is handed to an empty asm statement, so it cannot be dropped either.
#include "spawn_all.hpp"

#include <corio/sleep.hpp>

#include <array>

namespace bench {

namespace {

using number = std::uint64_t;

// ------------------------------------------------------------------ parallel
constexpr std::size_t half_work_bytes = 16 * 1024;

// FNV-1a over a fixed buffer, starting from `seed`.
number hash_buffer(number seed) {
  static const std::array<unsigned char, half_work_bytes> buffer = [] {
    std::array<unsigned char, half_work_bytes> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<unsigned char>(i * 131 + 7);
    return bytes;
  }();
  number h = 14695981039346656037ULL ^ seed;
  for (const unsigned char byte : buffer) {
    h ^= byte;
    h *= 1099511628211ULL;
  }
  return h;
}

// Makes the compiler compute `value` (and everything it depends on).
void keep(number value) {
  asm volatile("" : : "r"(value) : "memory");
}

corio::awaitable<number> crunch(number i) {
  keep(hash_buffer(i));
  co_await corio::yield_now();
  keep(hash_buffer(i + 1));
  co_return 1;
}

// ------------------------------------------------------------------ spawn-remote
corio::awaitable<number> value_of(number i) {
  co_return i;
}

corio::awaitable<number> spawn_await_each(std::size_t n, std::size_t target_index) {
  const corio::loop there = corio::loops().at(target_index);
  number sum = 0;
  for (number i = 0; i < n; ++i) {
    const corio::task<number> child = corio::spawn(there, value_of(i));
    sum += co_await child;
  }
  co_return sum;
}

// "corio" -> 1, "corio-loops-L" -> L.
std::size_t loops_of(const child_args& args) {
  if (args.impl == "corio")
    return 1;
  if (const std::size_t loops = number_after(args.impl, "corio-loops-"); loops > 0)
    return loops;
  throw unknown_impl{args.impl};
}

} // namespace

std::vector<record> run_parallel(const child_args& args) {
  const std::size_t loops = loops_of(args);
  record r = timed(
      args,
      [loops](std::size_t n) {
        return corio::run(corio_spawn_all(n, crunch, /*spread=*/true), {.loops = loops});
      },
      args.n);
  r.set("tasks_per_s", static_cast<double>(args.n) / r.number("wall_s"));
  r.set("loops", static_cast<double>(loops));
  return {r};
}

std::vector<record> run_spawn_remote(const child_args& args) {
  const std::size_t loops = loops_of(args);
  if (loops > 2)
    throw unknown_impl{args.impl};
  record r = timed(
      args,
      [loops](std::size_t n) {
        return corio::run(spawn_await_each(n, loops - 1), {.loops = loops});
      },
      args.n * (args.n - 1) / 2);
  r.set("loops", static_cast<double>(loops));
  return {r};
}

} // namespace bench
