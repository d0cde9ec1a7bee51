// corio/detail/handler_node.hpp - what every corio wait needs from the completion
// handler it holds: memory for its node from the handler's allocator
// (allocate_node / deallocate_node), and a forwarder in the handler's cancellation slot.
//
// Design: a wait (waiter_list.hpp's waiter_op, locked_wait.hpp's locked_wait_op,
// sleep_wait.hpp's sleep_waiter and the waits kept in a coroutine's frame) links a
// node that holds the handler, and reacts to Asio's per-operation cancellation through
// the handler's slot. slot_link is that reaction, written once:
//
//   link_.connect(handler_, this);   // this->cancelled() runs when the slot fires
//   link_.clear();                   // completed normally: the forwarder is freed
//   link_.disarm();                  // inside cancelled(): the forwarder stays, inert
//
// A slot's handler cannot be destroyed from inside its own call, so cancelled()
// disarms the forwarder instead of clearing it; the slot frees it the next time it
// is cleared or reused (a coroutine's slot is cleared when it resumes).
// Thread-safety: none; a slot and its forwarder are touched on the waiting
// coroutine's thread only.
#ifndef CORIO_DETAIL_HANDLER_NODE_HPP
#define CORIO_DETAIL_HANDLER_NODE_HPP

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/recycling_allocator.hpp>

#include <memory>

namespace corio::detail {

/// The allocator for a `Node` holding `Handler`: the handler's associated one, Asio's
/// recycling allocator by default.
template <typename Node, typename Handler>
using node_allocator_t = typename std::allocator_traits<boost::asio::associated_allocator_t<
    Handler, boost::asio::recycling_allocator<void>>>::template rebind_alloc<Node>;

/// Memory for one `Node`, from `handler`'s allocator; the node constructs itself in it.
template <typename Node, typename Handler>
void* allocate_node(const Handler& handler) {
  node_allocator_t<Node, Handler> allocator(
      boost::asio::get_associated_allocator(handler, boost::asio::recycling_allocator<void>()));
  return std::allocator_traits<decltype(allocator)>::allocate(allocator, 1);
}

/// Frees a node's memory after the node destroyed itself; `handler` (moved out of the
/// node) gives the allocator, as it did to allocate_node().
template <typename Node, typename Handler>
void deallocate_node(Node* node, const Handler& handler) noexcept {
  node_allocator_t<Node, Handler> allocator(
      boost::asio::get_associated_allocator(handler, boost::asio::recycling_allocator<void>()));
  std::allocator_traits<decltype(allocator)>::deallocate(allocator, node, 1);
}

/// The link from a handler's cancellation slot to the wait (`Target::cancelled()`).
template <typename Target>
class slot_link {
public:
  /// Installs the forwarder when the handler's slot is connected.
  template <typename Handler>
  void connect(const Handler& handler, Target* target) {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
      slot_ = slot;
      forwarder_ = &slot.template emplace<forwarder>(target);
    }
  }

  /// The wait ended otherwise: frees the forwarder. Not from inside its call.
  void clear() noexcept {
    if (forwarder_ != nullptr)
      slot_.clear();
    forget();
  }

  /// Inside the forwarder's own call: makes it inert.
  void disarm() noexcept {
    if (forwarder_ != nullptr)
      forwarder_->target = nullptr;
    forget();
  }

private:
  struct forwarder {
    // A constructor, not an aggregate: emplace() constructs it with parentheses, which
    // only compilers with C++20's parenthesized aggregate init accept (not clang 14).
    explicit forwarder(Target* t) noexcept : target(t) {}
    Target* target;
    void operator()(boost::asio::cancellation_type_t type) {
      if (target != nullptr && type != boost::asio::cancellation_type::none)
        target->cancelled();
    }
  };

  void forget() noexcept {
    slot_ = {};
    forwarder_ = nullptr;
  }

  boost::asio::cancellation_slot slot_;
  forwarder* forwarder_ = nullptr;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_HANDLER_NODE_HPP
