// The reconciler: a pure, total function of (base, vendor value, partner value,
// when each side changed, policy) -> decision, for one field of one link.
// Values are canonical text ("" = absent). No I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dealsync/model.h"
#include "dealsync/policy.h"

namespace dealsync {

struct SideValue {
  std::string value;
  Timestamp modified_at{};  // remote modified timestamp of the version that set `value`
  bool echo = false;        // `value` was written by us (a superseded push), not by a user
};

struct ReconcileInput {
  Field field = Field::kStage;
  std::optional<std::string> base;  // nullopt: the link has never agreed on this field
  SideValue vendor;
  SideValue partner;
};

enum class ReconcileAction : uint8_t {
  kNone,           // nothing to do
  kAgree,          // both sides hold equivalent values: base := value, no push
  kPushToPartner,  // partner must take `value`
  kPushToVendor,   // vendor must take `value`
  kPushToBoth,     // neither side holds `value` (operator typed a value)
  kHold,           // held for review: nothing pushed for this field
};
std::string_view ReconcileActionName(ReconcileAction a);

struct ReconcileDecision {
  ReconcileAction action = ReconcileAction::kNone;
  std::string value;               // the settled value ("" while held or when nothing to do)
  bool both_changed = false;       // a real conflict: both sides moved differently
  std::string rule;                // "one_side_change", "agree", or the policy rule applied
  std::string explanation;         // one sentence for a channel manager
  std::vector<std::string> flags;  // stage_regression, stage_skip, close_date_slip, ...

  // A conflict record is written for real conflicts, holds, and flagged moves.
  bool Reportable() const {
    return both_changed || action == ReconcileAction::kHold || !flags.empty();
  }
};

ReconcileDecision Reconcile(const ReconcileInput& in, const ReconcilePolicy& policy,
                            const CurrencyRates& rates);

}  // namespace dealsync
