#include "src/platform/system_clock.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/redirect_error.hpp>

namespace dealsync {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() const {
  return std::chrono::steady_clock::now();
}

Awaitable<void> SystemClock::SleepFor(std::chrono::milliseconds d) {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, d);
  boost::system::error_code ec;  // cancellation at shutdown just ends the wait
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

std::unique_ptr<SeededRandom> SeededRandom::FromEntropy() {
  std::random_device device;
  return std::make_unique<SeededRandom>((uint64_t{device()} << 32) | device());
}

}  // namespace dealsync
