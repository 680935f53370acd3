// Helpers shared by tests: status assertions, running a coroutine to completion,
// and a scripted HttpTransport for connector unit tests.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/http.h"
#include "dealsync/status.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const auto& _ds_v = (expr);                                 \
    ASSERT_TRUE(_ds_v.ok()) << ::dealsync::testing::Describe(_ds_v); \
  } while (false)
#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const auto& _ds_v = (expr);                                 \
    EXPECT_TRUE(_ds_v.ok()) << ::dealsync::testing::Describe(_ds_v); \
  } while (false)

namespace dealsync::testing {

inline std::string Describe(const Status& s) { return s.ToString(); }
template <typename T>
std::string Describe(const Result<T>& r) {
  return r.status().ToString();
}

// Runs `a` on a private io_context until it completes; rethrows its exception.
// (Asio 1.74's co_spawn needs a default-constructible result, which Result<T> is
// not, so the value is carried out through an optional.)
template <typename T>
T RunAwaitable(Awaitable<T> a) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(
      io, [&]() -> Awaitable<void> { out.emplace(co_await std::move(a)); },
      [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline void RunAwaitable(Awaitable<void> a) {
  boost::asio::io_context io;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

// A transport that answers from a script and records every request.
class ScriptedTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  // Queue a fixed answer for the next request.
  void Push(Result<HttpResponse> answer) {
    script_.push_back([answer](const HttpRequest&) { return answer; });
  }
  void Push(int status, std::string body, HttpHeaders headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    if (!FindHeader(r.headers, "Content-Type")) r.headers.emplace_back("Content-Type", "application/json");
    Push(Result<HttpResponse>(std::move(r)));
  }
  // Queue a handler that inspects the request.
  void PushHandler(Handler h) { script_.push_back(std::move(h)); }

  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override {
    requests_.push_back(request);
    if (script_.empty()) {
      co_return Unavailable("ScriptedTransport: no scripted answer for " + request.method + " " +
                            request.url);
    }
    Handler next = std::move(script_.front());
    script_.pop_front();
    co_return next(request);
  }

  const std::vector<HttpRequest>& requests() const { return requests_; }
  size_t remaining() const { return script_.size(); }

 private:
  std::deque<Handler> script_;
  std::vector<HttpRequest> requests_;
};

}  // namespace dealsync::testing
