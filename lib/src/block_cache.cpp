#include <corio/detail/block_cache.hpp>

#include <corio/detail/step.hpp>

#include <new>

namespace corio::detail {

block_cache::~block_cache() {
  for (free_block*& list : lists_) {
    while (free_block* block = list) {
      list = block->next;
      ::operator delete(block);
    }
  }
}

void* block_cache::allocate(std::size_t size) {
  if (cached(size)) {
    free_block*& list = lists_[class_of(size)];
    if (free_block* block = list) {
      list = block->next;
      cached_bytes_ -= rounded(size);
      ++reused_;
      return block;
    }
  }
  ++allocated_;
  return ::operator new(rounded(size));
}

void block_cache::deallocate(void* block, std::size_t size) noexcept {
  const std::size_t whole = rounded(size);
  if (!cached(size) || cached_bytes_ + whole > capacity) {
    ::operator delete(block);
    return;
  }
  free_block*& list = lists_[class_of(size)];
  list = ::new (block) free_block{list};
  cached_bytes_ += whole;
}

void* allocate_task_block(std::size_t size) {
  if (block_cache* cache = this_loop_thread.blocks)
    return cache->allocate(size);
  return ::operator new(block_cache::rounded(size));
}

void deallocate_task_block(void* block, std::size_t size) noexcept {
  if (block_cache* cache = this_loop_thread.blocks)
    cache->deallocate(block, size);
  else
    ::operator delete(block);
}

} // namespace corio::detail
