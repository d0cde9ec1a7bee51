#include "support/corio_test.hpp"

#include <corio/log.hpp>
#include <corio/sleep.hpp>

#include <spdlog/sinks/ringbuffer_sink.h>

#include <algorithm>

namespace corio::test {

awaitable<int> value_after(std::chrono::milliseconds delay, int value) {
  co_await corio::sleep(delay);
  co_return value;
}

awaitable<int> yield_once(event_log& log) {
  log("started");
  co_await corio::yield_now();
  log("resumed");
  co_return 1;
}

awaitable<void> sleep_logging_cancellation(event_log& log, std::string who) {
  try {
    co_await corio::sleep(std::chrono::hours(1));
  } catch (const boost::system::system_error&) {
    log(who.empty() ? "cancelled" : who + " cancelled");
    throw;
  }
}

awaitable<int> sleep_swallowing_cancellation() {
  try {
    co_await corio::sleep(std::chrono::hours(1));
  } catch (const boost::system::system_error&) {
    co_return -1;
  }
  co_return 1;
}

std::string event_log::str() const {
  std::string joined;
  for (const auto& event : events_) {
    if (!joined.empty())
      joined += ' ';
    joined += event;
  }
  return joined;
}

struct captured_log::state {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1024);
  spdlog::level::level_enum previous_level{};
  std::vector<std::pair<spdlog::sink_ptr, spdlog::level::level_enum>> quieted;
};

captured_log::captured_log(int level) : state_(std::make_unique<state>()) {
  auto& corio_logger = corio::logger();
  state_->previous_level = corio_logger.level();
  state_->sink->set_pattern("%v");
  // What the test captures, it checks: the other sinks (stderr) stay quiet.
  for (const auto& sink : corio_logger.sinks()) {
    state_->quieted.emplace_back(sink, sink->level());
    sink->set_level(spdlog::level::off);
  }
  corio_logger.sinks().push_back(state_->sink);
  corio_logger.set_level(static_cast<spdlog::level::level_enum>(level));
}

captured_log::~captured_log() {
  auto& corio_logger = corio::logger();
  auto& sinks = corio_logger.sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), state_->sink), sinks.end());
  for (const auto& [sink, level] : state_->quieted)
    sink->set_level(level);
  corio_logger.set_level(state_->previous_level);
}

std::vector<std::string> captured_log::messages() const {
  return state_->sink->last_formatted();
}

std::size_t captured_log::count(const std::string& text) const {
  const auto all = messages();
  return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const auto& message) {
    return message.find(text) != std::string::npos;
  }));
}

threads_cannot_start::threads_cannot_start() {
  pthread_getattr_default_np(&saved_);
  pthread_attr_t huge;
  pthread_attr_init(&huge);
  pthread_attr_setstacksize(&huge, std::size_t{1} << 46); // 64 TiB
  pthread_setattr_default_np(&huge);
  pthread_attr_destroy(&huge);
}

threads_cannot_start::~threads_cannot_start() {
  pthread_setattr_default_np(&saved_);
  pthread_attr_destroy(&saved_);
}

} // namespace corio::test
