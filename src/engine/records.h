// Internal persistent records of the engine (see keys.h for where each lives).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dealsync/engine.h"
#include "dealsync/model.h"
#include "dealsync/sync_records.h"

namespace dealsync {

// When a field last changed on one side, from the journal.
struct FieldStamp {
  uint64_t journal_seq = 0;
  Timestamp modified_at{};
  std::string modified_by;
};

// The latest known version of one record of one source.
struct StoredRecord {
  Opportunity opp;
  uint64_t journal_seq = 0;           // journal entry of this version (0: none yet)
  std::array<FieldStamp, 3> changed;  // per Field: when its value last changed
  std::string pushed_trace;           // set when we updated it from a push ack
  // Values a superseded push of ours wrote to the remote (its ack arrived after
  // a newer decision): seeing them come back is our own write, not a user's.
  std::array<std::string, 3> sent;
  // The field's current value is such a write of ours, not a user change.
  std::array<bool, 3> echo{};
};

// kWarning: a record ingested as usual but with something an operator should
// see (e.g. a modified time beyond now + clock skew); `message` says what.
// kAction: what a person did (`by`), e.g. linked two deals by hand.
enum class JournalKind : uint8_t { kChange, kDelete, kReject, kPushed, kWarning, kAction };
std::string_view JournalKindName(JournalKind k);

struct JournalEntry {
  uint64_t seq = 0;
  Timestamp recorded_at{};  // our clock
  std::string source;
  std::string native_id;
  JournalKind kind = JournalKind::kChange;
  Timestamp modified_at{};            // remote
  std::array<std::string, 3> before;  // per Field, canonical text
  std::array<std::string, 3> after;
  std::string native_payload;
  std::string message;   // reject reason / push reason
  std::string trace_id;  // for kPushed
  std::string by;        // for kAction: the person
};

struct BaseValue {
  std::string value;
  Timestamp agreed_at{};
};

using Ambiguity = LinkAmbiguity;

// Outbox entry as stored: the OutboxEntry plus bookkeeping for ack handling.
struct StoredOutbox {
  OutboxEntry entry;
  uint64_t target_seq = 0;  // journal seq of the target's record when queued
  Timestamp queued_at{};
  // The modified time of the edit this push carries over (the other side's
  // record), for the edit-to-write-back delay; unset for an operator's value.
  Timestamp edited_at{};
};

}  // namespace dealsync
