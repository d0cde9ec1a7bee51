// Uses corio as an outside project would: one umbrella header, one coroutine.
#include <corio/corio.hpp>

#include <chrono>
#include <cstdio>

namespace {

corio::awaitable<int> seven() {
  co_await corio::sleep(std::chrono::milliseconds(1));
  co_return 7;
}

} // namespace

int main() {
  const int value = corio::run(seven());
  std::printf("consumer ok %d\n", value);
  return value == 7 ? 0 : 1;
}
