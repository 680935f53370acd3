// RunOnIo: runs one awaitable to its end on an io_context that also serves the
// simulators, with a real-time watchdog so a hung exchange fails the test
// instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

#include "dealsync/asio.h"

namespace dealsync::testing {

template <typename T>
T RunOnIo(boost::asio::io_context& io, Awaitable<T> a,
          std::chrono::seconds limit = std::chrono::seconds(30)) {
  std::optional<T> out;
  std::exception_ptr error;
  bool done = false;
  boost::asio::steady_timer watchdog(io, limit);
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (!ec) {
      io.stop();
    }
  });
  boost::asio::co_spawn(
      io, [&]() -> Awaitable<void> { out.emplace(co_await std::move(a)); },
      [&](std::exception_ptr e) {
        error = e;
        done = true;
        watchdog.cancel();
        io.stop();
      });
  io.restart();
  io.run();
  if (error) {
    std::rethrow_exception(error);
  }
  if (!done) {
    ADD_FAILURE() << "exchange with the simulator did not finish within " << limit.count()
                  << " s";
    throw std::runtime_error("hung");
  }
  return std::move(*out);
}

}  // namespace dealsync::testing
