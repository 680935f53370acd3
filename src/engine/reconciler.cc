#include "src/engine/reconciler.h"

#include <cstdlib>

#include "src/engine/field_values.h"

namespace dealsync {

std::string_view ReconcileActionName(ReconcileAction a) {
  switch (a) {
    case ReconcileAction::kNone:
      return "none";
    case ReconcileAction::kAgree:
      return "agree";
    case ReconcileAction::kPushToPartner:
      return "push_to_partner";
    case ReconcileAction::kPushToVendor:
      return "push_to_vendor";
    case ReconcileAction::kPushToBoth:
      return "push_to_both";
    case ReconcileAction::kHold:
      return "hold";
  }
  return "unknown";
}

namespace {

enum class Winner : uint8_t { kVendor, kPartner, kNobody };

struct Choice {
  Winner winner = Winner::kNobody;
  std::string rule;
  std::string why;
  std::vector<std::string> flags;
};

std::string Show(std::string_view v) {
  return v.empty() ? "(empty)" : std::string(v);
}

std::string When(Timestamp t) {
  return FormatTimestamp(t);
}

bool IsTerminalText(std::string_view v) {
  std::optional<Stage> s = ParseStage(v);
  return s && IsTerminal(*s);
}

// Flags for a move of field `f` from `from` to `to` (both non-empty to compare).
void AddMoveFlags(Field f, std::string_view from, std::string_view to, const ReconcilePolicy& p,
                  std::vector<std::string>& flags) {
  if (from.empty() || to.empty() || from == to) {
    return;
  }
  if (f == Field::kStage) {
    std::optional<int> a = StageLevel(from);
    std::optional<int> b = StageLevel(to);
    if (a && b) {
      if (*b < *a) {
        flags.emplace_back("stage_regression");
      }
      if (std::abs(*b - *a) > p.stage.skip_flag_threshold) {
        flags.emplace_back("stage_skip");
      }
    }
  } else if (f == Field::kCloseDate && p.close_date.flag_slip) {
    Result<CalendarDate> a = ParseDate(from);
    Result<CalendarDate> b = ParseDate(to);
    if (a.ok() && b.ok() && *b > *a) {
      flags.emplace_back("close_date_slip");
    }
  } else if (f == Field::kAmount) {
    std::optional<Money> a = ParseMoneyText(from);
    std::optional<Money> b = ParseMoneyText(to);
    if (a && b && a->currency != b->currency) {
      flags.emplace_back("currency_differs");
    }
  }
}

PolicyRule RuleFor(Field f, const ReconcilePolicy& p) {
  switch (f) {
    case Field::kStage:
      return p.stage.rule;
    case Field::kAmount:
      return p.amount.rule;
    case Field::kCloseDate:
      return p.close_date.rule;
  }
  return PolicyRule::kManual;
}

Choice LatestChangeWins(const ReconcileInput& in, const ReconcilePolicy& p) {
  const auto gap = in.vendor.modified_at - in.partner.modified_at;
  const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(p.clock_skew);
  if (std::chrono::abs(gap) <= skew) {
    return {Winner::kVendor,
            "latest_change_wins",
            "the two changes are " + std::to_string(std::chrono::abs(gap).count() / 1000) +
                " s apart, within the clock-skew allowance of " +
                std::to_string(p.clock_skew.count()) + " s, so the tie falls back to vendor_wins",
            {"clock_skew_tie"}};
  }
  if (gap > gap.zero()) {
    return {Winner::kVendor, "latest_change_wins", "the vendor's change is the later one", {}};
  }
  return {Winner::kPartner, "latest_change_wins", "the partner's change is the later one", {}};
}

Choice FurthestStageWins(const ReconcileInput& in) {
  std::optional<int> v = StageLevel(in.vendor.value);
  std::optional<int> pl = StageLevel(in.partner.value);
  if (!v || !pl) {
    return {Winner::kNobody, "furthest_stage_wins", "a stage is missing or unknown", {}};
  }
  if (*v == *pl) {  // only the two terminal stages share a level
    return {Winner::kNobody,
            "furthest_stage_wins",
            "one side closed the deal as won and the other as lost",
            {"terminal_disagreement"}};
  }
  if (*v > *pl) {
    return {Winner::kVendor,
            "furthest_stage_wins",
            "the vendor's stage is further in the pipeline",
            {}};
  }
  return {Winner::kPartner,
          "furthest_stage_wins",
          "the partner's stage is further in the pipeline",
          {}};
}

Choice EarliestOrLatest(const ReconcileInput& in, bool earliest) {
  const std::string rule = earliest ? "earliest" : "latest";
  Result<CalendarDate> v = ParseDate(in.vendor.value);
  Result<CalendarDate> pd = ParseDate(in.partner.value);
  if (!v.ok() || !pd.ok()) {
    return {Winner::kNobody, rule, "a close date is missing or malformed", {}};
  }
  const bool vendor_first = *v < *pd;
  const Winner w = (vendor_first == earliest) ? Winner::kVendor : Winner::kPartner;
  return {w,
          rule,
          std::string("the ") + (w == Winner::kVendor ? "vendor's" : "partner's") +
              " date is the " + (earliest ? "earlier" : "later") + " one",
          {}};
}

Choice ChooseByPolicy(const ReconcileInput& in, const ReconcilePolicy& p) {
  const PolicyRule rule = RuleFor(in.field, p);
  if (in.field == Field::kStage && !p.stage.allow_reopen && in.base && IsTerminalText(*in.base)) {
    const bool vt = IsTerminalText(in.vendor.value);
    const bool pt = IsTerminalText(in.partner.value);
    if (vt != pt) {
      return {vt ? Winner::kVendor : Winner::kPartner,
              "terminal_sticky",
              "a closed deal stays closed unless the policy allows reopening",
              {}};
    }
    if (!vt) {
      return {Winner::kNobody,
              "terminal_sticky",
              "both sides reopened a closed deal and the policy does not allow reopening",
              {"reopen_blocked"}};
    }
  }
  switch (rule) {
    case PolicyRule::kVendorWins:
      return {Winner::kVendor, "vendor_wins", "the policy says the vendor wins", {}};
    case PolicyRule::kPartnerWins:
      return {Winner::kPartner, "partner_wins", "the policy says the partner wins", {}};
    case PolicyRule::kManual:
      return {Winner::kNobody, "manual", "the policy asks a channel manager to decide", {}};
    case PolicyRule::kLatestChangeWins:
      return LatestChangeWins(in, p);
    case PolicyRule::kFurthestStageWins:
      if (in.field == Field::kStage) {
        return FurthestStageWins(in);
      }
      break;
    case PolicyRule::kEarliest:
    case PolicyRule::kLatest:
      if (in.field == Field::kCloseDate) {
        return EarliestOrLatest(in, rule == PolicyRule::kEarliest);
      }
      break;
  }
  return {Winner::kNobody,
          std::string(PolicyRuleName(rule)),
          "rule " + std::string(PolicyRuleName(rule)) + " does not apply to " +
              std::string(FieldName(in.field)),
          {}};
}

ReconcileDecision BothChanged(const ReconcileInput& in, const ReconcilePolicy& p) {
  ReconcileDecision d;
  d.both_changed = true;
  Choice c = ChooseByPolicy(in, p);
  d.rule = c.rule;
  d.flags = c.flags;
  std::string head = "Both sides changed " + std::string(FieldName(in.field)) +
                     (in.base ? " since they last agreed on " + Show(*in.base)
                              : " before the deals were first reconciled") +
                     ": vendor set " + Show(in.vendor.value) + " (" + When(in.vendor.modified_at) +
                     "), partner set " + Show(in.partner.value) + " (" +
                     When(in.partner.modified_at) + "); " + c.why;
  if (c.winner == Winner::kNobody) {
    d.action = ReconcileAction::kHold;
    d.explanation = head + "; held for review.";
    return d;
  }
  const bool vendor = c.winner == Winner::kVendor;
  d.value = vendor ? in.vendor.value : in.partner.value;
  const std::string& loser = vendor ? in.partner.value : in.vendor.value;
  if (d.value.empty()) {  // an absent value cannot be pushed (updates set, never clear)
    d.action = ReconcileAction::kHold;
    d.value.clear();
    d.explanation = head + "; the winning side has no value, so it is held for review.";
    return d;
  }
  d.action = vendor ? ReconcileAction::kPushToPartner : ReconcileAction::kPushToVendor;
  AddMoveFlags(in.field, in.base ? *in.base : loser, d.value, p, d.flags);
  d.explanation = head + "; settled on " + d.value + ".";
  return d;
}

ReconcileDecision OneSideChanged(const ReconcileInput& in, const ReconcilePolicy& p,
                                 bool vendor_changed) {
  ReconcileDecision d;
  const SideValue& changed = vendor_changed ? in.vendor : in.partner;
  const std::string who = vendor_changed ? "vendor" : "partner";
  const std::string other = vendor_changed ? "partner" : "vendor";
  const std::string from = in.base ? *in.base : "";
  d.rule = "one_side_change";
  if (changed.value.empty()) {
    d.action = ReconcileAction::kNone;
    d.explanation = "The " + who + " cleared " + std::string(FieldName(in.field)) +
                    "; a cleared value is not propagated.";
    return d;
  }
  if (in.field == Field::kStage && !p.stage.allow_reopen && IsTerminalText(from) &&
      !IsTerminalText(changed.value)) {
    d.action = ReconcileAction::kHold;
    d.rule = "terminal_sticky";
    d.flags = {"reopen_blocked"};
    d.explanation = "The " + who + " reopened a closed deal (" + from + " -> " + changed.value +
                    ") and the policy does not allow reopening; held for review.";
    return d;
  }
  d.action = vendor_changed ? ReconcileAction::kPushToPartner : ReconcileAction::kPushToVendor;
  d.value = changed.value;
  AddMoveFlags(in.field, in.base ? *in.base : (vendor_changed ? in.partner.value : in.vendor.value),
               d.value, p, d.flags);
  d.explanation = "The " + who + " changed " + std::string(FieldName(in.field)) + " from " +
                  Show(from) + " to " + d.value + " (" + When(changed.modified_at) +
                  "); propagated to the " + other + ".";
  return d;
}

}  // namespace

ReconcileDecision Reconcile(const ReconcileInput& in, const ReconcilePolicy& policy,
                            const CurrencyRates& rates) {
  auto same = [&](std::string_view a, std::string_view b) {
    return ValuesEquivalent(in.field, a, b, policy.amount, rates);
  };
  ReconcileDecision d;
  if (same(in.vendor.value, in.partner.value)) {
    if (in.base && same(*in.base, in.vendor.value) && same(*in.base, in.partner.value)) {
      return d;  // nothing new
    }
    d.action = ReconcileAction::kAgree;
    d.rule = "agree";
    d.value = in.vendor.value;
    d.explanation = "Both sides hold " + Show(in.vendor.value) +
                    (in.vendor.value == in.partner.value
                         ? ""
                         : " (partner " + in.partner.value + ", within tolerance)") +
                    "; the agreed value advances, nothing is pushed.";
    return d;
  }
  const bool vendor_changed =
      !in.vendor.echo && (in.base ? !same(*in.base, in.vendor.value) : !in.vendor.value.empty());
  const bool partner_changed =
      !in.partner.echo && (in.base ? !same(*in.base, in.partner.value) : !in.partner.value.empty());
  if (vendor_changed && partner_changed) {
    return BothChanged(in, policy);
  }
  if (vendor_changed || partner_changed) {
    return OneSideChanged(in, policy, vendor_changed);
  }
  if (in.base && (in.vendor.echo || in.partner.echo) && !in.base->empty()) {
    d.action = ReconcileAction::kPushToBoth;  // only sides not holding the base get it
    d.rule = "restore_agreed";
    d.value = *in.base;
    d.explanation = "A superseded write of ours reached the " +
                    std::string(in.vendor.echo ? "vendor" : "partner") + " (" +
                    (in.vendor.echo ? in.vendor.value : in.partner.value) +
                    ") after a newer decision; the agreed value " + *in.base + " is restored.";
    return d;
  }
  d.explanation = "Both values are within tolerance of the agreed value; nothing to do.";
  return d;
}

}  // namespace dealsync
