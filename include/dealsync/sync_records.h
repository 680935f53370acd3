// Persistent records of the sync engine that other modules read: links between
// the two copies of a deal, conflicts, journal entries, outbox entries.
// Field values are carried as canonical text: stage name ("proposal"), money
// ("1234.50 EUR"), date ("2026-12-01"); "" means absent.
// JSON (de)serialisation lives in src/engine/records_json.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/model.h"

namespace dealsync {

// Canonical text of a field of `o`, "" when absent.
std::string FieldValueText(const Opportunity& o, Field f);

struct Link {
  std::string id;          // "<partner>/<vendor native id>/<partner native id>"
  std::string partner;     // partner source id
  std::string vendor_id;   // vendor native id
  std::string partner_id;  // partner native id
  std::string key_kind;    // "registration_id", "counterpart_id", "match_key", "operator"
  std::string key_value;
  Timestamp created_at{};
};

// One side's change of a field, as found in the journal.
struct FieldChange {
  std::string value;        // new value text
  Timestamp modified_at{};  // remote modified timestamp
  std::string modified_by;  // owner / user if the CRM reports it, else ""
  uint64_t journal_seq = 0;
};

enum class ConflictStatus : uint8_t { kAutoResolved = 0, kHeldForReview, kResolvedByOperator };
std::string_view ConflictStatusName(ConflictStatus s);  // auto_resolved, held_for_review, resolved_by_operator
std::optional<ConflictStatus> ParseConflictStatus(std::string_view s);

struct Conflict {
  std::string id;  // unique, stable: "<link id>/<field>/<seq>"
  std::string link_id;
  std::string partner;
  Field field = Field::kStage;
  std::string deal_name;
  std::string account;
  std::string vendor_id;
  std::string partner_id;
  std::string base_value;
  FieldChange vendor;   // the vendor side's value and when it changed
  FieldChange partner_change;  // the partner side's value and when it changed (`partner` is the id)
  std::string rule;     // policy rule applied ("furthest_stage_wins", "manual", ...)
  std::string outcome_value;  // value settled on ("" while held)
  std::string explanation;    // one sentence a channel manager can read
  std::vector<std::string> flags;  // "stage_regression", "stage_skip", "close_date_slip", ...
  ConflictStatus status = ConflictStatus::kAutoResolved;
  Timestamp detected_at{};
  std::string resolved_by;  // operator name for resolved_by_operator
  std::string resolution_reason;  // why the operator chose the value ("" when not given)
  std::optional<Timestamp> resolved_at;
  // Reporting: value at stake in the reporting currency (max of both amounts), minor units.
  int64_t value_at_stake_minor = 0;
};

}  // namespace dealsync
