// The loop's cache of freed task cores and entry frames (detail/block_cache.hpp):
// the cache itself, and that tasks really take their blocks from it.
#include <corio/detail/block_cache.hpp>

#include "support/corio_test.hpp"

#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/run.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <string>
#include <vector>

using corio::detail::block_cache;

namespace {

corio::awaitable<int> value_of(int value) {
  co_return value;
}

struct alignas(64) wide {
  int value;
};

corio::awaitable<wide> wide_of(int value) {
  co_return wide{value};
}

} // namespace

BOOST_AUTO_TEST_SUITE(block_cache_test)

BOOST_AUTO_TEST_CASE(a_freed_block_serves_the_next_request_of_its_size_class) {
  block_cache cache;
  void* first = cache.allocate(100);
  cache.deallocate(first, 100);
  BOOST_TEST(cache.cached_bytes() == block_cache::rounded(100));
  void* same_class = cache.allocate(110); // 100 and 110 both round up to 112
  BOOST_TEST(same_class == first);
  BOOST_TEST(cache.reused() == 1u);
  BOOST_TEST(cache.cached_bytes() == 0u);
  void* other_class = cache.allocate(200);
  BOOST_TEST(other_class != first);
  BOOST_TEST(cache.allocated() == 2u);
  cache.deallocate(same_class, 110);
  cache.deallocate(other_class, 200);
  BOOST_TEST(cache.allocate(200) == other_class); // each class has its own list
  cache.deallocate(other_class, 200);
} // the destructor frees what is cached: LeakSanitizer checks it

BOOST_AUTO_TEST_CASE(blocks_over_the_largest_class_and_empty_ones_are_never_kept) {
  block_cache cache;
  void* big = cache.allocate(block_cache::largest + 1);
  cache.deallocate(big, block_cache::largest + 1);
  BOOST_TEST(cache.cached_bytes() == 0u);
  void* empty = cache.allocate(0);
  cache.deallocate(empty, 0);
  BOOST_TEST(cache.cached_bytes() == 0u);
  BOOST_TEST(block_cache::rounded(block_cache::largest + 1) == block_cache::largest + 1);
}

BOOST_AUTO_TEST_CASE(the_cache_keeps_at_most_its_capacity_and_frees_the_rest) {
  block_cache cache;
  std::vector<void*> blocks;
  const std::size_t fit = block_cache::capacity / block_cache::largest;
  for (std::size_t i = 0; i < fit + 10; ++i)
    blocks.push_back(cache.allocate(block_cache::largest));
  for (void* block : blocks)
    cache.deallocate(block, block_cache::largest);
  BOOST_TEST(cache.cached_bytes() == block_cache::capacity);
  // The 10 that did not fit went to the heap; the cache hands out the ones it kept.
  for (std::size_t i = 0; i < fit; ++i)
    blocks[i] = cache.allocate(block_cache::largest);
  BOOST_TEST(cache.reused() == fit);
  BOOST_TEST(cache.cached_bytes() == 0u);
  for (std::size_t i = 0; i < fit; ++i)
    cache.deallocate(blocks[i], block_cache::largest);
}

CORIO_TEST_CASE(a_finished_task_leaves_its_core_and_entry_frame_to_the_next_one) {
  block_cache* cache = corio::detail::this_loop_thread.blocks;
  BOOST_TEST_REQUIRE(cache != nullptr);
  BOOST_TEST(co_await corio::spawn(value_of(1)) == 1);
  // The wake-up that resumed this step holds the core until the step ends; then both
  // blocks are in the cache.
  co_await corio::yield_now();
  const std::size_t reused = cache->reused();
  const std::size_t allocated = cache->allocated();
  BOOST_TEST(co_await corio::spawn(value_of(2)) == 2);
  BOOST_TEST(cache->reused() == reused + 2); // the core and task_entry's frame
  BOOST_TEST(cache->allocated() == allocated);
}

BOOST_AUTO_TEST_CASE(a_task_that_outlives_its_loop_frees_its_core_to_the_heap) {
  corio::task<int> kept;
  corio::run([](corio::task<int>& kept) -> corio::awaitable<void> {
    kept = corio::spawn(value_of(3));
    co_await kept;
  }(kept));
  BOOST_TEST(corio::detail::this_loop_thread.blocks == nullptr);
  BOOST_TEST(kept.result() == 3);
  kept = {}; // no loop runs here: the core goes back to the heap (ASan checks the size)
}

// The core holds the result: a core aligned beyond the default comes from the aligned
// heap and goes back there, never into the cache (ASan checks that allocation and
// release match). The int task beside it shows that a released core is seen.
CORIO_TEST_CASE(an_over_aligned_result_lives_in_a_core_from_the_aligned_heap) {
  block_cache* cache = corio::detail::this_loop_thread.blocks;
  BOOST_TEST_REQUIRE(cache != nullptr);
  auto plain = corio::spawn(value_of(6));
  auto aligned = corio::spawn(wide_of(7));
  BOOST_TEST(co_await plain == 6);
  BOOST_TEST((co_await aligned).value == 7);
  BOOST_TEST(aligned.result().value == 7);
  co_await corio::yield_now(); // the wake-ups release their hold on the cores

  std::size_t before = cache->cached_bytes();
  plain = {};
  BOOST_TEST(cache->cached_bytes() ==
             before + block_cache::rounded(sizeof(corio::detail::task_core<int>)));
  before = cache->cached_bytes();
  aligned = {};
  BOOST_TEST(cache->cached_bytes() == before);
}

// The core keeps a given name behind a pointer (unnamed tasks do not pay for it).
CORIO_TEST_CASE(a_given_name_is_kept_whole_however_long) {
  const std::string long_name(300, 'n');
  const std::string with_nul("a\0b", 3);
  auto short_one = corio::spawn(value_of(1), "w");
  auto long_one = corio::spawn(value_of(2), long_name);
  auto odd_one = corio::spawn(value_of(3), with_nul);
  BOOST_TEST(short_one.name() == "w");
  BOOST_TEST(long_one.name() == long_name);
  BOOST_TEST(odd_one.name() == with_nul);
  co_await short_one;
  co_await long_one;
  co_await odd_one;
}

BOOST_AUTO_TEST_SUITE_END()
