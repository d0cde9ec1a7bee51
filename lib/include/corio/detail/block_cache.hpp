// corio/detail/block_cache.hpp - the loop's cache of freed task cores and entry frames,
// so that spawning and finishing tasks does not go through malloc in the steady state.
//
//   block_cache cache;                       // one per corio loop (loop_state)
//   this_loop_thread.blocks = &cache;        // loop_state::enter(), on the loop's thread
//   void* block = allocate_task_block(248);  // from the cache, or ::operator new
//   deallocate_task_block(block, 248);       // back to the cache, or ::operator delete
//   this_loop_thread.blocks = nullptr;       // loop_state::leave()
//
// Design (issue 18): size classes of 16 bytes up to 1 KiB, one free list each, linked
// through the freed blocks themselves. Every block, cached or not, is
// ::operator new(size rounded up to its class), so a block may be freed where it was
// not allocated: a core freed on another loop's thread joins that loop's cache, and
// one freed on a thread that runs no corio loop (after run() returned, or on a
// user's io_context) goes back to the heap. Asio's own recycling allocator, which
// serves the coroutine frames, keeps 2 blocks per thread; this cache keeps up to
// `capacity` bytes (256 KiB) per loop, and a freed block beyond that goes to the heap,
// so an idle loop holds at most that much. The cache frees what it holds when its
// loop ends (the runtime destroys it), so LeakSanitizer sees nothing left.
//
// Task cores (task_core.hpp) and task_entry's frames (asio_glue.hpp's entry_frame) use
// it. The user's own coroutine frames are allocated by Asio's promise type, which
// offers no hook: they stay in Asio's recycling cache (docs/design.md, "Light tasks").
//
// Thread-safety: a cache is used by the one thread that runs its loop: the pointer to
// it is thread-local (step.hpp), and the free functions touch only the calling
// thread's cache.
// Cancellation: not applicable.
#ifndef CORIO_DETAIL_BLOCK_CACHE_HPP
#define CORIO_DETAIL_BLOCK_CACHE_HPP

#include <array>
#include <cstddef>

namespace corio::detail {

class block_cache {
public:
  static constexpr std::size_t granule = 16;
  static constexpr std::size_t largest = 1024;                     // bigger blocks are never cached
  static constexpr std::size_t capacity = std::size_t{256} * 1024; // bytes cached per loop, at most

  block_cache() = default;
  ~block_cache(); // frees every cached block
  block_cache(const block_cache&) = delete;
  block_cache& operator=(const block_cache&) = delete;

  /// A block of at least `size` bytes (aligned for any type up to
  /// __STDCPP_DEFAULT_NEW_ALIGNMENT__): a cached one, or a new one from the heap.
  void* allocate(std::size_t size);
  /// Keeps `block` (from allocate_task_block or this function's peers, of `size`
  /// bytes) for reuse, or frees it when the cache is full or the size is not cached.
  void deallocate(void* block, std::size_t size) noexcept;

  /// Bytes held for reuse now.
  std::size_t cached_bytes() const noexcept { return cached_bytes_; }
  /// Allocations served from the cache, and from the heap, since it was made.
  std::size_t reused() const noexcept { return reused_; }
  std::size_t allocated() const noexcept { return allocated_; }

  /// The size a request of `size` bytes is rounded up to (its class), or `size`
  /// itself above `largest`.
  static constexpr std::size_t rounded(std::size_t size) noexcept {
    return size > largest ? size : (size + granule - 1) / granule * granule;
  }

private:
  struct free_block {
    free_block* next;
  };
  static constexpr std::size_t classes = largest / granule;
  // Sizes 1 to `largest` have a class; 0 and bigger sizes go to the heap.
  static constexpr bool cached(std::size_t size) noexcept { return size != 0 && size <= largest; }
  static constexpr std::size_t class_of(std::size_t size) noexcept {
    return (size + granule - 1) / granule - 1;
  }

  std::array<free_block*, classes> lists_{};
  std::size_t cached_bytes_ = 0;
  std::size_t reused_ = 0;
  std::size_t allocated_ = 0;
};

/// A block for a task core or an entry frame: from the cache of the loop this thread
/// runs, or the heap.
void* allocate_task_block(std::size_t size);
/// Frees a block from allocate_task_block into this thread's loop cache, or the heap.
void deallocate_task_block(void* block, std::size_t size) noexcept;

} // namespace corio::detail

#endif // CORIO_DETAIL_BLOCK_CACHE_HPP
