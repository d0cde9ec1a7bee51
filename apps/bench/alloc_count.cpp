// apps/bench/alloc_count.cpp - the counting allocator. corio-bench defines malloc,
// calloc, realloc, aligned_alloc, posix_memalign, memalign, valloc and pvalloc
// itself: each adds to two per-thread counters and calls glibc's own allocator
// (__libc_malloc and friends), so every heap allocation is counted, whoever makes it:
// operator new, and Asio's frame allocator, which calls std::aligned_alloc directly.
// The counters are plain thread_local integers (no atomics, no locks), so counting
// costs the measured code the same few instructions in every implementation. Memory
// that is not allocated from the heap (thread stacks, the kernel's socket buffers)
// is not counted: peak RSS covers that.
//
// Under a sanitizer, which owns malloc itself, nothing is interposed and
// allocations_counted() is false.
#include "bench.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>

// g++ says so with __SANITIZE_*__, clang 19 only through __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CORIO_BENCH_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(CORIO_BENCH_SANITIZED)
#define CORIO_BENCH_COUNT_ALLOCATIONS 0
#else
#define CORIO_BENCH_COUNT_ALLOCATIONS 1
#endif

namespace {

thread_local std::uint64_t thread_allocations = 0;
thread_local std::uint64_t thread_bytes = 0;
std::atomic<std::uint64_t> retired_allocations{0};
std::atomic<std::uint64_t> retired_bytes{0};

[[maybe_unused]] void* counted(void* block, std::size_t size) {
  if (block != nullptr) {
    ++thread_allocations;
    thread_bytes += size;
  }
  return block;
}

} // namespace

namespace bench {

bool allocations_counted() noexcept {
  return CORIO_BENCH_COUNT_ALLOCATIONS != 0;
}

alloc_counts allocated_so_far() noexcept {
  return {thread_allocations + retired_allocations.load(std::memory_order_acquire),
          thread_bytes + retired_bytes.load(std::memory_order_acquire)};
}

void retire_thread_allocations() noexcept {
  retired_allocations.fetch_add(thread_allocations, std::memory_order_release);
  retired_bytes.fetch_add(thread_bytes, std::memory_order_release);
  thread_allocations = 0;
  thread_bytes = 0;
}

} // namespace bench

#if CORIO_BENCH_COUNT_ALLOCATIONS
extern "C" {

// glibc's allocator under its own names (exported by libc.so.6 for exactly this).
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* block, std::size_t size);
void __libc_free(void* block);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void* __libc_valloc(std::size_t size);
void* __libc_pvalloc(std::size_t size);

void* malloc(std::size_t size) noexcept {
  return counted(__libc_malloc(size), size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  return counted(__libc_calloc(count, size), count * size);
}
void* realloc(void* block, std::size_t size) noexcept {
  return counted(__libc_realloc(block, size), size);
}
void free(void* block) noexcept {
  __libc_free(block);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  return counted(__libc_memalign(alignment, size), size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  return memalign(alignment, size);
}
int posix_memalign(void** block, std::size_t alignment, std::size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0)
    return EINVAL;
  void* result = memalign(alignment, size);
  if (result == nullptr)
    return ENOMEM;
  *block = result;
  return 0;
}
void* valloc(std::size_t size) noexcept {
  return counted(__libc_valloc(size), size);
}
void* pvalloc(std::size_t size) noexcept {
  return counted(__libc_pvalloc(size), size);
}

} // extern "C"
#endif
