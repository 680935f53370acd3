// Shared by the libFuzzer harnesses: running a coroutine to completion on a
// private io_context, a transport that answers every request with the fuzz
// input, and the shipped example configuration loaded once.
// Thread-safety: none; libFuzzer calls a harness from one thread.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/http.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace dealsync::fuzz {

// Runs `a` until it completes. An exception escaping a connector is a bug:
// every error must come back as a Status.
template <typename T>
T Run(Awaitable<T> a) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(
      io, [&]() -> Awaitable<void> { out.emplace(co_await std::move(a)); },
      [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) {
    std::rethrow_exception(error);
  }
  return std::move(*out);
}

// Answers every request with `status` and `body`, at most `limit` times (a
// connector that keeps asking gets kUnavailable), and counts the requests.
class FixedTransport final : public HttpTransport {
 public:
  FixedTransport(int status, std::string body, HttpHeaders headers = {}, int limit = 8)
      : limit_(limit) {
    response_.status = status;
    response_.body = std::move(body);
    response_.headers = std::move(headers);
    response_.headers.emplace_back("Content-Type", "application/json");
  }
  Awaitable<Result<HttpResponse>> Send(HttpRequest) override {
    if (++requests_ > limit_) {
      co_return Unavailable("fuzz transport: request limit");
    }
    co_return response_;
  }
  int requests() const { return requests_; }

 private:
  HttpResponse response_;
  int limit_;
  int requests_ = 0;
};

// The shipped example configuration (config/ in the source tree): a
// Salesforce vendor, a HubSpot partner and two generic REST partners.
const Config& ExampleConfig();

// All sources of ExampleConfig(), the vendor first.
std::vector<const SourceConfig*> ExampleSources();

}  // namespace dealsync::fuzz
