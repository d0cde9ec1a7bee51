// corio/detail/waiter_list.hpp - the one list of suspended operations that every
// corio primitive (task join, queue, event, semaphore, mutex, ...) waits on.
//
// Design: a waiter is a node holding the suspended operation's completion handler:
// in the awaiting coroutine's frame when a corio operation is co_awaited (task join,
// queue get/put), else on the heap (allocated with the handler's associated allocator,
// Asio's recycling allocator by default). Nodes form an intrusive FIFO list, so wake-ups are
// FIFO-fair and O(1). Every wait has signature void(error_code); a primitive that
// hands a value over (a queue item) puts it where the waiter's `payload` points
// before waking it, so values never travel through the handler.
//
// Invariants:
//  - A node is linked in exactly one list from the wait until it is completed;
//    it is unlinked before its handler is delivered.
//  - Completion is always delivered on a later turn of the handler's executor
//    (completion.hpp: the node itself is queued, no allocation), never run inside
//    the call that wakes it: a producer finishes its step before any consumer runs,
//    and no coroutine is resumed re-entrantly.
//  - Cancellation uses the handler's Asio cancellation slot. By default a cancelled
//    waiter is unlinked and completed with operation_aborted, so no later wake-up
//    (an item, a permit) can be delivered to it (DESIGN.md semantics 5). A wait may
//    choose another reaction (task join forwards the cancellation to the task and
//    keeps waiting).
//  - Each list has a label ("queue get", "sleep" ...) that a waiting task records
//    (step.hpp's note_waiting), so all_tasks() can say where a task waits.
//  - The slot holds a small forwarder pointing at the node. Normal completion
//    clears the slot; a cancellation disarms the forwarder instead (a slot's
//    handler cannot be destroyed from inside its own call).
//
// Thread-safety: none. A list and its waiters belong to one loop thread, or are
// guarded by their owner's mutex (locked_wait.hpp).
#ifndef CORIO_DETAIL_WAITER_LIST_HPP
#define CORIO_DETAIL_WAITER_LIST_HPP

#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <corio/detail/completion.hpp>
#include <corio/detail/handler_node.hpp>
#include <corio/detail/step.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

namespace corio::detail {

template <typename Payload>
class waiter_list;

/// One suspended operation. `payload` is what the primitive reads or fills when it
/// wakes the waiter (a destination for an item, a pointer to a value to take).
template <typename Payload>
class waiter {
public:
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;

  Payload payload;

protected:
  explicit waiter(Payload value) : payload(std::move(value)) {}
  ~waiter() = default;

private:
  friend class waiter_list<Payload>;
  // Delivers the handler with `ec` (the node frees itself when it runs). The node is
  // already unlinked.
  virtual void complete(boost::system::error_code ec) = 0;

  waiter* previous_ = nullptr;
  waiter* next_ = nullptr;
};

/// The default reaction to cancellation: abandon the wait (operation_aborted).
struct abandon_on_cancel {
  bool operator()() const noexcept { return true; }
};

template <typename Payload = std::monostate>
class waiter_list {
public:
  using waiter_type = waiter<Payload>;

  /// `what` names the wait for introspection; a string literal.
  explicit waiter_list(const char* what) noexcept : what_(what) {}
  waiter_list(const waiter_list&) = delete;
  waiter_list& operator=(const waiter_list&) = delete;
  /// Waiters still suspended when the primitive dies are completed with
  /// operation_aborted rather than leaked.
  ~waiter_list() { notify_all(boost::asio::error::operation_aborted); }

  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  /// The oldest waiter, to read or fill its payload before notifying it.
  waiter_type* front() const noexcept { return head_; }

  /// Wakes the oldest waiter with `ec`. False when there was none.
  bool notify_one(boost::system::error_code ec = {}) {
    if (head_ == nullptr)
      return false;
    notify(*head_, ec);
    return true;
  }

  /// Wakes every waiter, oldest first. Returns how many.
  std::size_t notify_all(boost::system::error_code ec = {}) {
    std::size_t count = 0;
    while (notify_one(ec))
      ++count;
    return count;
  }

  /// Wakes one particular waiter of this list.
  void notify(waiter_type& target, boost::system::error_code ec = {}) {
    unlink(target);
    target.complete(ec);
  }

  /// Links a node of another kind of wait (locked_wait.hpp's), newest last.
  void push_back(waiter_type& node) noexcept {
    node.previous_ = tail_;
    node.next_ = nullptr;
    (tail_ != nullptr ? tail_->next_ : head_) = &node;
    tail_ = &node;
    ++size_;
  }

  /// The label given to the constructor.
  const char* what() const noexcept { return what_; }

  /// Suspends until notified; completes with void(error_code). `on_cancel()` is
  /// called when the wait's cancellation slot fires: return true to abandon the
  /// wait (completes with operation_aborted), false to keep waiting.
  template <typename CompletionToken, typename OnCancel = abandon_on_cancel>
  auto async_wait(Payload payload, CompletionToken&& token, OnCancel on_cancel = {});

private:
  template <typename, typename, typename>
  friend class handler_waiter;

  void unlink(waiter_type& node) noexcept {
    (node.previous_ != nullptr ? node.previous_->next_ : head_) = node.next_;
    (node.next_ != nullptr ? node.next_->previous_ : tail_) = node.previous_;
    node.previous_ = node.next_ = nullptr;
    --size_;
  }

  const char* what_;
  waiter_type* head_ = nullptr;
  waiter_type* tail_ = nullptr;
  std::size_t size_ = 0;
};

/// A wait holding its handler: links itself, forwards its slot's cancellation, and
/// delivers the handler when notified (completion.hpp: on the next turn, allocating
/// nothing on an io_context). Where the node lives is the subclass's choice.
template <typename Handler, typename Payload, typename OnCancel>
class handler_waiter : public waiter<Payload>,
                       private wait_completion<handler_waiter<Handler, Payload, OnCancel>, Handler,
                                               boost::system::error_code> {
public:
  handler_waiter(const handler_waiter&) = delete;
  handler_waiter& operator=(const handler_waiter&) = delete;

protected:
  handler_waiter(waiter_list<Payload>& list, Handler&& handler, Payload&& payload,
                 OnCancel&& on_cancel)
      : waiter<Payload>(std::move(payload)), list_(&list), on_cancel_(std::move(on_cancel)) {
    this->hold(std::move(handler));
  }
  ~handler_waiter() = default;

  /// Links the node and connects the handler's slot.
  void link() {
    note_waiting(list_->what());
    list_->push_back(*this);
    slot_.connect(this->handler(), this);
  }

private:
  friend class slot_link<handler_waiter>;
  friend class wait_completion<handler_waiter, Handler, boost::system::error_code>;

  /// Frees the node; `handler` (moved out of it) gives the allocator.
  virtual void release(const Handler& handler) noexcept = 0;

  void cancelled() {
    if (!on_cancel_())
      return;
    slot_.disarm();
    list_->unlink(*this);
    this->deliver(boost::asio::error::operation_aborted);
  }

  void complete(boost::system::error_code ec) override {
    slot_.clear();
    this->deliver(ec);
  }

  waiter_list<Payload>* list_;
  OnCancel on_cancel_;
  slot_link<handler_waiter> slot_;
};

/// The node for one handler type, on the heap.
template <typename Handler, typename Payload, typename OnCancel>
// final, and it frees itself as a waiter_op (never through a waiter*, whose destructor
// is protected and non-virtual); clang-tidy 14 does not exempt final classes.
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class waiter_op final : public handler_waiter<Handler, Payload, OnCancel> {
public:
  static void start(waiter_list<Payload>& list, Handler handler, Payload payload,
                    OnCancel on_cancel) {
    void* memory = allocate_node<waiter_op>(handler);
    auto* node = ::new (memory)
        waiter_op(list, std::move(handler), std::move(payload), std::move(on_cancel));
    node->link();
  }

private:
  using handler_waiter<Handler, Payload, OnCancel>::handler_waiter;
  ~waiter_op() = default;

  void release(const Handler& handler) noexcept override {
    this->~waiter_op();
    deallocate_node(this, handler);
  }
};

/// The node kept in the waiting coroutine's frame (a primitive's operation awaited
/// without a frame of its own): constructed when the wait starts, destroyed with the
/// frame.
template <typename Handler, typename Payload, typename OnCancel = abandon_on_cancel>
// final, and never destroyed through a base pointer.
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class waiter_in_frame final : public handler_waiter<Handler, Payload, OnCancel> {
public:
  waiter_in_frame(waiter_list<Payload>& list, Handler handler, Payload payload,
                  OnCancel on_cancel = {})
      : handler_waiter<Handler, Payload, OnCancel>(list, std::move(handler), std::move(payload),
                                                   std::move(on_cancel)) {
    this->link();
  }
  ~waiter_in_frame() = default;
  waiter_in_frame(const waiter_in_frame&) = delete;
  waiter_in_frame& operator=(const waiter_in_frame&) = delete;

private:
  void release(const Handler&) noexcept override {}
};

template <typename Payload>
template <typename CompletionToken, typename OnCancel>
auto waiter_list<Payload>::async_wait(Payload payload, CompletionToken&& token,
                                      OnCancel on_cancel) {
  return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
      [this](auto handler, Payload payload, OnCancel on_cancel) {
        waiter_op<std::decay_t<decltype(handler)>, Payload, OnCancel>::start(
            *this, std::move(handler), std::move(payload), std::move(on_cancel));
      },
      token, std::move(payload), std::move(on_cancel));
}

} // namespace corio::detail

#endif // CORIO_DETAIL_WAITER_LIST_HPP
