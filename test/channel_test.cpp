#include <corio/channel.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>
#include <corio/to_thread.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using corio::test::on_real_time;

using namespace std::chrono_literals;
using corio::test::counted;

namespace {

bool message_has(const std::exception& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

// What one loop (or plain thread) of the cross-loop test saw; touched by its thread only.
struct traffic {
  std::vector<int> sent;     // sends that completed: the item is in the channel
  std::vector<int> not_sent; // sends that threw cancelled/timeout: not enqueued
  std::vector<int> received;
  int resumed_elsewhere = 0; // receives that resumed off this loop's thread
  int receives_abandoned = 0;
};

std::chrono::microseconds random_delay(std::mt19937& rng) {
  return std::chrono::microseconds(rng() % 300);
}

// Runs `operation` one of three ways: plainly, under a random timeout, or as a task
// cancelled after a random delay (which may come before or after it completed).
template <typename T, typename Make>
corio::awaitable<T> under_random_cancellation(std::mt19937& rng, Make make) {
  switch (rng() % 3) {
  case 0:
    co_return co_await make();
  case 1:
    co_return co_await corio::timeout(random_delay(rng), make());
  default: {
    auto task = corio::spawn(make());
    co_await corio::sleep(random_delay(rng));
    task.cancel();
    co_return co_await task;
  }
  }
}

corio::awaitable<void> produce(corio::channel<int>& ch, int first, int count, std::mt19937& rng,
                               traffic& seen, std::atomic<int>& producers_left) {
  for (int value = first; value < first + count; ++value) {
    try {
      co_await under_random_cancellation<void>(rng, [&ch, value] { return ch.send(value); });
      seen.sent.push_back(value);
    } catch (const corio::cancelled_error&) {
      seen.not_sent.push_back(value);
    } catch (const corio::timeout_error&) {
      seen.not_sent.push_back(value);
    }
  }
  if (--producers_left == 0)
    ch.close();
}

corio::awaitable<void> consume(corio::channel<int>& ch, std::mt19937& rng, traffic& seen) {
  const auto loop_thread = std::this_thread::get_id();
  for (;;) {
    try {
      int value = co_await under_random_cancellation<int>(rng, [&ch] { return ch.receive(); });
      if (std::this_thread::get_id() != loop_thread)
        ++seen.resumed_elsewhere;
      seen.received.push_back(value);
      if (rng() % 2 == 0) // slow down now and then, so that senders wait too
        co_await corio::sleep(random_delay(rng));
    } catch (const corio::cancelled_error&) {
      ++seen.receives_abandoned;
    } catch (const corio::timeout_error&) {
      ++seen.receives_abandoned;
    } catch (const corio::channel_closed&) {
      co_return;
    }
  }
}

corio::awaitable<void> one_loop(corio::channel<int>& ch, int loop, unsigned seed, traffic& seen,
                                std::atomic<int>& producers_left) {
  std::mt19937 rng(seed + static_cast<unsigned>(loop));
  std::vector<corio::task<void>> tasks;
  for (int p = 0; p < 2; ++p)
    tasks.push_back(
        corio::spawn(produce(ch, (loop * 2 + p) * 1000, 400, rng, seen, producers_left)));
  for (int c = 0; c < 2; ++c)
    tasks.push_back(corio::spawn(consume(ch, rng, seen)));
  for (auto& task : tasks)
    co_await task;
}

} // namespace

BOOST_AUTO_TEST_SUITE(channel_test)

// --- basic use on one loop ------------------------------------------------------

CORIO_TEST_CASE(send_then_receive_returns_the_items_in_fifo_order, on_real_time) {
  corio::channel<int> ch(3);
  BOOST_TEST(ch.capacity() == 3u);
  co_await ch.send(1);
  co_await ch.send(2);
  co_await ch.send(3);
  BOOST_TEST(ch.size() == 3u);
  BOOST_TEST(co_await ch.receive() == 1);
  BOOST_TEST(co_await ch.receive() == 2);
  BOOST_TEST(co_await ch.receive() == 3);
  BOOST_TEST(ch.size() == 0u);
  BOOST_TEST(!ch.closed());
}

CORIO_TEST_CASE(try_send_and_try_receive_never_wait, on_real_time) {
  corio::channel<int> ch(2);
  BOOST_TEST(!ch.try_receive().has_value());
  BOOST_TEST(ch.try_send(1));
  BOOST_TEST(ch.try_send(2));
  BOOST_TEST(!ch.try_send(3)); // full
  BOOST_TEST((ch.try_receive() == 1));
  BOOST_TEST((ch.try_receive() == 2));
  BOOST_TEST(!ch.try_receive().has_value());
  co_return;
}

CORIO_TEST_CASE(move_only_items_work_and_a_failed_try_send_keeps_the_item, on_real_time) {
  corio::channel<std::unique_ptr<int>> ch(1);
  co_await ch.send(std::make_unique<int>(1));
  auto second = std::make_unique<int>(2);
  BOOST_TEST(!ch.try_send(std::move(second)));
  BOOST_REQUIRE(second != nullptr); // not moved from
  BOOST_TEST(*co_await ch.receive() == 1);
  BOOST_TEST(ch.try_send(std::move(second)));
  auto last = ch.try_receive();
  BOOST_REQUIRE(last.has_value());
  BOOST_TEST(**last == 2);
}

CORIO_TEST_CASE(a_full_channel_makes_senders_wait_and_serves_them_in_order, on_real_time) {
  corio::channel<int> ch(1);
  co_await ch.send(1);
  auto second = corio::spawn(ch.send(2));
  auto third = corio::spawn(ch.send(3));
  co_await corio::yield_now();
  BOOST_TEST(!second.done());
  BOOST_TEST(!third.done());
  BOOST_TEST(!ch.try_send(4));
  BOOST_TEST(co_await ch.receive() == 1); // moves 2 into the freed slot
  BOOST_TEST(!ch.try_send(4));            // so a later try_send cannot overtake 3
  BOOST_TEST(co_await ch.receive() == 2);
  BOOST_TEST(co_await ch.receive() == 3);
  co_await second;
  co_await third;
  BOOST_TEST(ch.size() == 0u);
}

CORIO_TEST_CASE(a_waiting_receiver_gets_the_next_item_before_any_try_receive, on_real_time) {
  corio::channel<int> ch(1);
  auto receiver = corio::spawn(ch.receive());
  co_await corio::yield_now();
  BOOST_TEST(!receiver.done());
  BOOST_TEST(ch.try_send(5));
  BOOST_TEST(!ch.try_receive().has_value()); // 5 went to the waiter
  BOOST_TEST(co_await receiver == 5);
}

CORIO_TEST_CASE(a_woken_receiver_resumes_later_not_inside_the_send, on_real_time) {
  corio::channel<int> ch(1);
  corio::test::event_log log;
  auto receiver = corio::spawn(
      [](corio::channel<int>& ch, corio::test::event_log& log) -> corio::awaitable<void> {
        log("received " + std::to_string(co_await ch.receive()));
      }(ch, log));
  co_await corio::yield_now();
  BOOST_TEST(ch.try_send(5));
  log("sent");
  co_await receiver;
  BOOST_TEST(log.str() == "sent received 5");
}

CORIO_TEST_CASE(a_receiver_woken_by_another_thread_resumes_on_its_own_loop, on_real_time) {
  corio::channel<int> ch(1);
  const auto loop_thread = std::this_thread::get_id();
  auto receiver = corio::spawn([](corio::channel<int>& ch) -> corio::awaitable<std::thread::id> {
    (void)co_await ch.receive();
    co_return std::this_thread::get_id();
  }(ch));
  co_await corio::yield_now(); // the receiver waits now
  std::thread sender([&ch] { ch.send_blocking(1); });
  const auto resumed_on = co_await receiver;
  co_await corio::to_thread([&sender] { sender.join(); });
  BOOST_TEST((resumed_on == loop_thread));
}

// --- close --------------------------------------------------------------------

CORIO_TEST_CASE(after_close_sends_throw_and_receivers_drain_then_get_channel_closed, on_real_time) {
  corio::channel<int> ch(3);
  co_await ch.send(1);
  co_await ch.send(2);
  ch.close();
  BOOST_TEST(ch.closed());
  BOOST_CHECK_THROW(co_await ch.send(3), corio::channel_closed);
  BOOST_CHECK_THROW(ch.try_send(3), corio::channel_closed);
  BOOST_TEST(co_await ch.receive() == 1);
  BOOST_TEST((ch.try_receive() == 2));
  BOOST_CHECK_THROW(co_await ch.receive(), corio::channel_closed);
  BOOST_CHECK_THROW(ch.try_receive(), corio::channel_closed);
  ch.close(); // idempotent
  try {
    co_await ch.send(4);
  } catch (const corio::channel_closed& e) {
    BOOST_TEST(message_has(e, "corio::channel::send: the channel is closed"));
  }
}

CORIO_TEST_CASE(close_wakes_a_waiting_sender_without_enqueuing_its_item, on_real_time) {
  corio::channel<int> ch(1);
  co_await ch.send(1);
  auto sender = corio::spawn(ch.send(2));
  co_await corio::yield_now();
  ch.close();
  BOOST_CHECK_THROW(co_await sender, corio::channel_closed);
  BOOST_TEST(co_await ch.receive() == 1);
  BOOST_CHECK_THROW(co_await ch.receive(), corio::channel_closed); // 2 never went in
}

CORIO_TEST_CASE(close_wakes_waiting_receivers_with_channel_closed, on_real_time) {
  corio::channel<int> ch(1);
  auto a = corio::spawn(ch.receive());
  auto b = corio::spawn(ch.receive());
  co_await corio::yield_now();
  ch.close();
  BOOST_CHECK_THROW(co_await a, corio::channel_closed);
  BOOST_CHECK_THROW(co_await b, corio::channel_closed);
}

// --- cancellation ---------------------------------------------------------------

CORIO_TEST_CASE(a_receive_cancelled_while_waiting_consumes_nothing, on_real_time) {
  corio::channel<int> ch(1);
  auto cancelled = corio::spawn(ch.receive());
  auto next = corio::spawn(ch.receive());
  co_await corio::yield_now();
  cancelled.cancel();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  BOOST_TEST(ch.try_send(1));
  BOOST_TEST(co_await next == 1); // not handed to the cancelled receiver
  BOOST_TEST(ch.size() == 0u);
}

CORIO_TEST_CASE(a_send_cancelled_while_waiting_does_not_enqueue, on_real_time) {
  corio::channel<counted> ch(1);
  co_await ch.send(counted());
  auto cancelled = corio::spawn(ch.send(counted()));
  co_await corio::yield_now();
  BOOST_TEST(counted::alive == 2);
  cancelled.cancel();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  BOOST_TEST(counted::alive == 1); // the item died with the send
  (void)co_await ch.receive();
  BOOST_TEST(!ch.try_receive().has_value());
}

CORIO_TEST_CASE(a_receive_handed_its_item_before_the_cancellation_returns_the_item, on_real_time) {
  corio::channel<int> ch(1);
  auto receiver = corio::spawn(ch.receive());
  co_await corio::yield_now();
  BOOST_TEST(ch.try_send(7)); // the hand-off wins: the receiver's completion is posted
  receiver.cancel();          // too late: it lands at the next suspension
  BOOST_TEST(co_await receiver == 7);
  BOOST_TEST(ch.size() == 0u); // returned, not put back
}

CORIO_TEST_CASE(a_send_taken_before_the_cancellation_completes_normally, on_real_time) {
  corio::channel<int> ch(1);
  co_await ch.send(1);
  auto sender = corio::spawn(ch.send(2));
  co_await corio::yield_now();
  BOOST_TEST((ch.try_receive() == 1)); // moves 2 in and completes the sender
  sender.cancel();
  co_await sender; // no cancelled_error: its item is in the channel
  BOOST_TEST((ch.try_receive() == 2));
}

CORIO_TEST_CASE(a_receive_that_times_out_consumes_nothing, on_real_time) {
  corio::channel<int> ch(1);
  BOOST_CHECK_THROW(co_await corio::timeout(1ms, ch.receive()), corio::timeout_error);
  BOOST_TEST(ch.try_send(1));
  BOOST_TEST(co_await corio::timeout(1s, ch.receive()) == 1);
}

// --- lifetime -------------------------------------------------------------------

CORIO_TEST_CASE(a_channel_destroyed_with_a_waiting_receiver_cancels_it, on_real_time) {
  corio::task<int> receiver;
  {
    corio::channel<int> ch(1);
    receiver = corio::spawn(ch.receive());
    co_await corio::yield_now();
  }
  BOOST_CHECK_THROW(co_await receiver, corio::cancelled_error);
}

CORIO_TEST_CASE(a_destroyed_channel_destroys_its_buffered_items, on_real_time) {
  {
    corio::channel<counted> ch(2);
    co_await ch.send(counted());
    BOOST_TEST(ch.try_send(counted()));
    BOOST_TEST(counted::alive == 2);
  }
  BOOST_TEST(counted::alive == 0);
}

// --- bad input ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_capacity_below_one_is_invalid_argument) {
  for (int capacity : {0, -1}) {
    try {
      corio::channel<int> ch(capacity);
      BOOST_ERROR("capacity " << capacity << " was accepted");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(message_has(e, "corio::channel: the capacity must be at least 1"));
      BOOST_TEST(message_has(e, "got " + std::to_string(capacity)));
    }
  }
  corio::channel<int> huge(std::numeric_limits<std::size_t>::max());
  BOOST_TEST(huge.try_send(1));
}

CORIO_TEST_CASE(blocking_calls_on_a_loop_thread_throw_logic_error, on_real_time) {
  corio::channel<int> ch(2);
  BOOST_TEST(ch.try_send(1));
  // Both would succeed without blocking here; they are refused anyway, because on
  // another occasion they would block the loop.
  try {
    ch.send_blocking(2);
    BOOST_ERROR("send_blocking ran on the loop thread");
  } catch (const std::logic_error& e) {
    BOOST_TEST(message_has(e, "corio::channel::send_blocking: called on a thread that runs"));
  }
  BOOST_CHECK_THROW(ch.receive_blocking(), std::logic_error);
  BOOST_TEST(ch.size() == 1u);
  // A to_thread() worker is a plain thread: blocking calls are fine there.
  co_await corio::to_thread([&ch] { ch.send_blocking(2); });
  BOOST_TEST(co_await corio::to_thread([&ch] { return ch.receive_blocking(); }) == 1);
  BOOST_TEST(co_await ch.receive() == 2);
}

// --- plain threads ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(plain_threads_send_and_receive_blocking) {
  constexpr int count = 2000;
  corio::channel<int> ch(3);
  std::vector<int> got[2];
  std::thread producer([&ch] {
    for (int i = 0; i < count; ++i)
      ch.send_blocking(i);
    ch.close();
  });
  std::vector<std::thread> consumers;
  for (auto& out : got)
    consumers.emplace_back([&ch, &out] {
      try {
        for (;;)
          out.push_back(ch.receive_blocking());
      } catch (const corio::channel_closed&) {
      }
    });
  producer.join();
  for (auto& consumer : consumers)
    consumer.join();
  std::vector<int> all;
  for (auto& out : got) {
    BOOST_TEST(std::is_sorted(out.begin(), out.end())); // one producer: FIFO per consumer
    all.insert(all.end(), out.begin(), out.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int> expected(count);
  for (int i = 0; i < count; ++i)
    expected[static_cast<std::size_t>(i)] = i;
  BOOST_TEST(all == expected, boost::test_tools::per_element());
}

CORIO_TEST_CASE(a_blocking_sender_waits_until_a_loop_receives, on_real_time) {
  corio::channel<int> ch(1);
  std::atomic<bool> second_sent = false;
  std::thread sender([&] {
    ch.send_blocking(1);
    ch.send_blocking(2); // full: blocks until the loop receives 1
    second_sent = true;
  });
  while (ch.size() == 0)
    co_await corio::sleep(1ms);
  co_await corio::sleep(20ms);
  BOOST_TEST(!second_sent.load());
  BOOST_TEST(co_await ch.receive() == 1);
  BOOST_TEST(co_await ch.receive() == 2);
  co_await corio::to_thread([&sender] { sender.join(); });
  BOOST_TEST(second_sent.load());
}

// --- several loops at once ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(loops_that_end_as_soon_as_close_wakes_them_do_not_race_the_closer) {
  // close() posts each waiter's completion to its loop; a loop that resumes and
  // ends at once destroys its io_context while close() may still be inside that
  // post (the regression this guards against, seen under TSan).
  constexpr int loops = 6;
  for (int round = 0; round < 10; ++round) {
    corio::channel<int> ch(1);
    std::atomic<int> waiting = 0;
    std::atomic<int> closed_seen = 0;
    std::vector<std::thread> threads;
    for (int loop = 0; loop < loops; ++loop)
      threads.emplace_back([&] {
        corio::run([](corio::channel<int>& ch, std::atomic<int>& waiting,
                      std::atomic<int>& closed_seen) -> corio::awaitable<void> {
          ++waiting;
          try {
            (void)co_await ch.receive();
          } catch (const corio::channel_closed&) {
            ++closed_seen;
          }
        }(ch, waiting, closed_seen));
      });
    while (waiting < loops)
      std::this_thread::yield();
    std::this_thread::sleep_for(2ms);
    ch.close();
    for (auto& thread : threads)
      thread.join();
    BOOST_TEST(closed_seen == loops);
  }
}

BOOST_AUTO_TEST_CASE(loops_and_plain_threads_under_random_cancellation_lose_and_duplicate_nothing) {
  constexpr int loops = 3;
  const unsigned seed = std::random_device()();
  BOOST_TEST_CONTEXT("seed " << seed) {
    corio::channel<int> ch(4);
    std::vector<traffic> seen(loops + 2); // one per loop, then the two plain threads
    std::atomic<int> producers_left = loops * 2 + 1;
    std::vector<std::thread> threads;
    for (int loop = 0; loop < loops; ++loop)
      threads.emplace_back([&, loop] {
        corio::run(one_loop(ch, loop, seed, seen[static_cast<std::size_t>(loop)], producers_left));
      });
    threads.emplace_back([&ch, &producers_left, &out = seen[loops]] {
      for (int value = 100000; value < 100250; ++value) {
        ch.send_blocking(value);
        out.sent.push_back(value);
      }
      if (--producers_left == 0)
        ch.close();
    });
    threads.emplace_back([&ch, &out = seen[loops + 1]] {
      try {
        for (;;)
          out.received.push_back(ch.receive_blocking());
      } catch (const corio::channel_closed&) {
      }
    });
    for (auto& thread : threads)
      thread.join();

    std::vector<int> sent;
    std::vector<int> received;
    std::size_t not_sent = 0;
    int receives_abandoned = 0;
    for (const auto& t : seen) {
      receives_abandoned += t.receives_abandoned;
      sent.insert(sent.end(), t.sent.begin(), t.sent.end());
      received.insert(received.end(), t.received.begin(), t.received.end());
      not_sent += t.not_sent.size();
      BOOST_TEST(t.resumed_elsewhere == 0);
    }
    BOOST_TEST(sent.size() + not_sent == std::size_t{loops * 2 * 400 + 250});
    std::sort(sent.begin(), sent.end());
    std::sort(received.begin(), received.end());
    // Every completed send was received exactly once; nothing else was received.
    BOOST_TEST(received == sent, boost::test_tools::per_element());
    BOOST_TEST_MESSAGE("sent " << sent.size() << ", cancelled sends " << not_sent
                               << ", cancelled receives " << receives_abandoned);
  }
}

BOOST_AUTO_TEST_SUITE_END()
