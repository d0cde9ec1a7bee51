// The spinner app's own coroutines (apps/spinner/spinner.cpp) on virtual time: slow()'s
// 3 seconds take no wall time, and the frames the spinner draws are exactly one per 0.1 s
// of loop time (on the real clock that count depends on the machine's load).
#include "support/corio_test.hpp"

#include "spinner.hpp"

#include <corio/clock.hpp>
#include <corio/sleep.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

using namespace std::chrono_literals;

namespace {

// Sends stdout to a temporary file while alive; text() reads back what was written.
class captured_stdout {
public:
  captured_stdout() : file_(std::tmpfile()), saved_(dup(fileno(stdout))) {
    std::fflush(stdout);
    dup2(fileno(file_), fileno(stdout));
  }
  ~captured_stdout() {
    restore();
    std::fclose(file_);
  }
  captured_stdout(const captured_stdout&) = delete;
  captured_stdout& operator=(const captured_stdout&) = delete;

  std::string text() {
    restore();
    std::string out;
    std::rewind(file_);
    for (int c = std::fgetc(file_); c != EOF; c = std::fgetc(file_))
      out.push_back(static_cast<char>(c));
    return out;
  }

private:
  void restore() {
    if (saved_ < 0)
      return;
    std::fflush(stdout);
    dup2(saved_, fileno(stdout));
    close(saved_);
    saved_ = -1;
  }

  std::FILE* file_;
  int saved_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(spinner_coroutine_test)

//! [virtual-time]
CORIO_TEST_CASE(slow_answers_42_after_3_s_of_loop_time_while_the_spinner_draws_31_frames) {
  captured_stdout output;
  const auto start = corio::now();
  const int answer = co_await spinner_app::supervisor(3s, "thinking!");
  const auto elapsed = corio::now() - start;
  co_await corio::yield_now(); // the cancelled spinner's last step
  const std::string text = output.text();
  BOOST_TEST(answer == 42);
  BOOST_TEST((elapsed == 3s));
  // A frame is "\r<frame> thinking!", one at 0, 0.1, ..., 3.0 s: 31. At 3 s slow()'s
  // deadline fires first (armed first) and the supervisor cancels the spinner, whose own
  // tick fired at the same instant: the cancellation lands at its next sleep, so it draws
  // the 31st frame, then erases its line.
  const auto frames = std::count(text.begin(), text.end(), '!');
  BOOST_TEST(frames == 31, text);
  BOOST_TEST(text.find("spinner object: <Task pending") == 0U, text);
  // erase(): "\r", as many spaces as the last frame ("\r| thinking!") has characters, "\r".
  std::string erased(std::string_view("\r| thinking!").size() + 2, ' ');
  erased.front() = erased.back() = '\r';
  BOOST_TEST(text.ends_with(erased), text);
}
//! [virtual-time]

BOOST_AUTO_TEST_SUITE_END()
