// corio/detail/result_of.hpp - a result as a value to store: void becomes
// std::monostate, so one std::optional / std::variant / std::tuple slot holds any
// operation's result (task cores, gather, race, to_thread).
//
// Design: its own header so that code which only stores results (to_thread) does
// not pull in the task machinery (task_core.hpp, child_set.hpp) to get it.
#ifndef CORIO_DETAIL_RESULT_OF_HPP
#define CORIO_DETAIL_RESULT_OF_HPP

#include <type_traits>
#include <variant>

namespace corio::detail {

/// A task's result as a value to store: void becomes std::monostate.
template <typename T>
using result_of = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

} // namespace corio::detail

#endif // CORIO_DETAIL_RESULT_OF_HPP
