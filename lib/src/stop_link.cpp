#include <corio/detail/stop_link.hpp>

#include <corio/detail/loop_home.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/log.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>

#include <utility>

namespace corio::detail {

struct stop_link::shared {
  executor loop;                // constant once constructed
  std::function<void()> action; // constant; run on the loop thread only
  bool armed = true;            // loop thread only
};

stop_link::stop_link(std::stop_token token, const executor& ex, std::function<void()> action)
    : shared_(std::make_shared<shared>(shared{loop_executor(ex), std::move(action)})) {
  callback_.emplace(std::move(token), on_stop{shared_});
}

stop_link::~stop_link() {
  callback_.reset(); // waits for a callback running on another thread
  shared_->armed = false;
}

void stop_link::on_stop::operator()() const noexcept {
  try {
    auto step = [target = target] {
      if (target->armed)
        target->action();
    };
    const auto& context = boost::asio::query(target->loop, boost::asio::execution::context);
    if (loop_home::post_from_outside(context, step) == loop_home::post_result::not_corio)
      boost::asio::post(target->loop, std::move(step));
  } catch (const std::exception& e) { // a stop callback must not throw
    logger().error("corio: a stop request could not reach its loop: {}", e.what());
  }
}

} // namespace corio::detail
