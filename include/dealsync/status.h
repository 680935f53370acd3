// Status and Result<T>: the error values that cross every module boundary.
//
// A code says what the caller should do next (after Abseil's canonical codes):
//   kUnavailable        retry the same call later (network error, 5xx, timeout)
//   kResourceExhausted  back off, then retry (429, quota); retry_after may say how long
//   kAborted            redo at a higher level (409/412, concurrent change: re-reconcile)
//   kFailedPrecondition don't retry until someone fixes state
//   kInvalidArgument    the request or input is wrong (400/422, bad config, bad data)
//   kUnauthenticated    credentials missing/expired (401)
//   kPermissionDenied   403
//   kNotFound           404 / no such record
//   kDataLoss           stored data is corrupt
//   kInternal           a broken invariant
// Thread-safety: value types, safe to copy between threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dealsync {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kResourceExhausted,
  kUnauthenticated,
  kPermissionDenied,
  kDeadlineExceeded,
  kDataLoss,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Server-suggested wait before retrying (Retry-After), if any.
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }
  Status& WithRetryAfter(std::chrono::milliseconds d) {
    retry_after_ = d;
    return *this;
  }

  // Returns a copy whose message is "context: message".
  Status Annotate(std::string_view context) const;

  // "UNAVAILABLE: message" (or "OK").
  std::string ToString() const;

  // True for codes where repeating the same call later may succeed.
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kResourceExhausted ||
           code_ == StatusCode::kDeadlineExceeded;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK status when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dealsync

// Propagate a non-OK Status from an expression returning Status.
#define DEALSYNC_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::dealsync::Status _ds_status = (expr);       \
    if (!_ds_status.ok()) return _ds_status;      \
  } while (false)

#define DEALSYNC_CO_RETURN_IF_ERROR(expr)         \
  do {                                            \
    ::dealsync::Status _ds_status = (expr);       \
    if (!_ds_status.ok()) co_return _ds_status;   \
  } while (false)
