// The incremental-read window every connector polls with, sans-io.
//
// A "pass" lists everything modified at or after `since`, page by page, in
// whatever paging the API uses. The window remembers:
//  - from: the lower bound of the next pass. When a pass ends it becomes
//    (upper - overlap), where `upper` is the time the pass started, raised to
//    the newest admissible modified_at it delivered. So a quiet source costs
//    one small request per poll (the window does not stay anchored on an old
//    record), and a record stamped far in the future cannot push the next
//    pass past changes still to come.
//  - seen: (id -> modified_at, content hash) of records delivered with a
//    modified_at inside the overlap window. A record read again is a repeat
//    only when its modified_at AND its content hash are unchanged (or its
//    modified_at is older than the one delivered): an edit stamped in the same
//    second as the version already delivered is delivered again. Lookup is a
//    hash probe; only keys the next pass can read again are kept, and at most
//    `max_keys` (the oldest go first, which can cause a repeat, never a loss).
//  - a record whose modified_at lies beyond now + clock_skew is delivered with
//    a warning and does not move `upper`.
// The window is persisted inside the connector's opaque cursor (ToJson/FromJson).
// Thread-safety: a value type.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::connectors {

struct OverlapSettings {
  std::chrono::milliseconds overlap{std::chrono::minutes(2)};
  // How far ahead of our clock a remote modified time may be and still count.
  std::chrono::milliseconds clock_skew{std::chrono::minutes(5)};
  size_t max_keys = 20000;
};

// The warning for a record whose modified time lies beyond now + skew: it is
// applied, but must not advance an incremental cursor.
std::string FutureModifiedWarning(Timestamp modified, Timestamp now,
                                  std::chrono::milliseconds skew);

// A 64-bit FNV-1a hash of the canonical values of a record (every mapped field
// except modified_at and the native payload).
uint64_t ContentHash(const Opportunity& record);
// The same hash over raw text (e.g. a native record that could not be mapped).
uint64_t HashText(std::string_view text);

class OverlapWindow {
 public:
  struct Seen {
    int64_t modified_ms = 0;
    uint64_t hash = 0;  // 0 = unknown (read from an older cursor): never a match
  };
  struct Admission {
    bool deliver = true;
    std::optional<std::string> warning;  // set when the modified time is in the future
  };

  // A window whose next pass starts at `since` and has seen nothing.
  static OverlapWindow StartingAt(Timestamp since);

  bool in_pass() const { return pass_started_ms_.has_value(); }
  // Starts a pass at `now` unless one is in progress. Returns the pass's lower
  // bound (the epoch on the first pass).
  Timestamp BeginPass(Timestamp now);
  // The lower bound of the pass in progress, or of the next one.
  Timestamp since() const { return TimestampFromEpochMs(from_ms_); }

  // Decides whether to deliver one record read during the pass at `now`.
  // REQUIRES: in_pass().
  Admission Admit(const std::string& id, Timestamp modified, uint64_t hash, Timestamp now,
                  const OverlapSettings& settings);
  // Ends the pass: the next one starts at (upper - overlap); keys below it go.
  void FinishPass(const OverlapSettings& settings);

  size_t remembered() const { return seen_.size(); }

  nlohmann::json ToJson() const;
  // Accepts what ToJson wrote. kDataLoss on any other shape.
  static Result<OverlapWindow> FromJson(const nlohmann::json& state);

  // For migrating older cursors: a remembered (id, modified) with no hash.
  void RememberWithoutHash(const std::string& id, int64_t modified_ms);

 private:
  void Prune(int64_t keep_from_ms, size_t max_keys);

  int64_t from_ms_ = 0;
  std::optional<int64_t> pass_started_ms_;  // our clock when the pass began
  int64_t pass_upper_ms_ = 0;               // newest admissible modified_at delivered
  std::unordered_map<std::string, Seen> seen_;
};

}  // namespace dealsync::connectors
