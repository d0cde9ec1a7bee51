// test/support/text.hpp - string checks the suites share when they read output.
//
//   BOOST_TEST(corio::test::contains(result.out, "liftoff"), result.out);
#ifndef CORIO_TEST_SUPPORT_TEXT_HPP
#define CORIO_TEST_SUPPORT_TEXT_HPP

#include <string_view>

namespace corio::test {

/// True when `part` occurs in `text` (std::string::contains is C++23).
inline bool contains(std::string_view text, std::string_view part) noexcept {
  return text.find(part) != std::string_view::npos;
}

} // namespace corio::test

#endif
