#include <corio/detail/loop_home.hpp>

#include <deque>

namespace corio::detail {

namespace {

// Every home ever created; a deque, so homes never move. Reachable from a static,
// so LeakSanitizer does not count them.
std::deque<loop_home>& all_homes() {
  static std::deque<loop_home> homes;
  return homes;
}

} // namespace

std::mutex& loop_home::mutex() noexcept {
  static std::mutex home_mutex;
  return home_mutex;
}

loop_home* loop_home::find(const boost::asio::execution_context& context) noexcept {
  // Compares addresses only: the storage of an ended loop holds no object.
  const void* wanted = &context;
  for (loop_home& home : all_homes()) {
    if (static_cast<const void*>(home.storage_) == wanted)
      return &home;
  }
  return nullptr;
}

loop_home& loop_home::acquire() {
  loop_home* home = nullptr;
  {
    std::lock_guard lock(mutex());
    for (loop_home& candidate : all_homes()) {
      if (!candidate.in_use_) {
        home = &candidate;
        break;
      }
    }
    if (home == nullptr)
      home = &all_homes().emplace_back();
    home->in_use_ = true;
    ++home->generation_;
  }
  // Outside the mutex: constructing an io_context takes Asio's own locks. A home in
  // use that does not accept work is never posted to.
  try {
    new (home->storage_) boost::asio::io_context(1);
  } catch (...) {
    std::lock_guard lock(mutex());
    home->in_use_ = false;
    throw;
  }
  std::lock_guard lock(mutex());
  home->accepting_ = true;
  return *home;
}

void loop_home::close() noexcept {
  std::lock_guard lock(mutex());
  accepting_ = false;
}

bool loop_home::open(std::uint64_t generation) const noexcept {
  std::lock_guard lock(mutex());
  return accepting_ && generation_ == generation;
}

bool loop_home::holds(std::uint64_t generation) const noexcept {
  std::lock_guard lock(mutex());
  return in_use_ && generation_ == generation;
}

void loop_home::release(loop_home& home) noexcept {
  home.close();
  // A closed home is never posted to, so its io_context can be destroyed without
  // the mutex (its handlers' destructors may call submit() and take it).
  home.context().~io_context();
  std::lock_guard lock(mutex());
  home.in_use_ = false;
}

} // namespace corio::detail
