// fuzz/coverage.cpp - edge coverage for libFuzzer from g++'s -fsanitize-coverage=trace-pc.
//
// Why g++: clang 14, Debian 12's libFuzzer compiler, cannot compile corio. libstdc++ 12
// declares std::source_location only for a compiler with __builtin_source_location
// (clang 15+), and corio also uses C++20's parenthesised aggregate initialisation
// (clang 16+). So the harness, corio and Beast are compiled by g++ 12 with ASan and
// UBSan, and linked to clang's libFuzzer runtime (libclang-rt-14-dev): its engine,
// mutators, corpus handling, -timeout, -rss_limit_mb and leak checks are all there; it
// only refuses g++'s trace-pc callbacks itself ("no longer supported").
//
// So the link maps g++'s per-basic-block call __sanitizer_cov_trace_pc to the wrapper
// below (-Wl,--wrap), which counts AFL-style edges (previous block, this block, hashed)
// in a table of 8-bit counters registered with libFuzzer as an inline-counter module,
// next to a table of stand-in PCs so that libFuzzer's "cov:" counts the edges seen.
// g++'s -fsanitize-coverage=trace-cmp calls go to libFuzzer's own hooks (its
// comparison-guided mutations); the two floating-point ones it lacks are no-ops here.
//
// This file must be compiled without -fsanitize-coverage (fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>

extern "C" {
void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end);
void __sanitizer_cov_pcs_init(const std::uintptr_t* begin, const std::uintptr_t* end);
void __wrap___sanitizer_cov_trace_pc();
void __sanitizer_cov_trace_cmpf(float, float);
void __sanitizer_cov_trace_cmpd(double, double);
}

namespace {

constexpr std::size_t edge_slots = std::size_t{1} << 17; // a power of two
alignas(4096) std::uint8_t counters[edge_slots];
std::uintptr_t pc_table[2 * edge_slots]; // {pc, flags} per counter
thread_local std::uintptr_t previous_block = 0;

struct registration {
  registration() {
    for (std::size_t i = 0; i < edge_slots; ++i)
      pc_table[2 * i] = i + 1; // stand-in PCs, never symbolised unless asked
    __sanitizer_cov_8bit_counters_init(counters, counters + edge_slots);
    __sanitizer_cov_pcs_init(pc_table, pc_table + 2 * edge_slots);
  }
} registered;

} // namespace

extern "C" void __wrap___sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  const std::uintptr_t block = (pc ^ (pc >> 17)) & (edge_slots - 1);
  ++counters[block ^ previous_block];
  previous_block = block >> 1; // so that A->B and B->A are different edges
}

extern "C" void __sanitizer_cov_trace_cmpf(float, float) {}
extern "C" void __sanitizer_cov_trace_cmpd(double, double) {}
