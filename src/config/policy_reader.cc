// [policy] (per source) and [reconciliation] (defaults): per-field rules.
#include <algorithm>

#include "src/config/config_internal.h"
#include "src/config/units.h"

namespace dealsync::config_internal {
namespace {

const std::vector<PolicyRule> kCommonRules = {PolicyRule::kVendorWins, PolicyRule::kPartnerWins,
                                              PolicyRule::kLatestChangeWins, PolicyRule::kManual};

std::vector<PolicyRule> RulesFor(Field field) {
  std::vector<PolicyRule> rules = kCommonRules;
  if (field == Field::kStage) {
    rules.push_back(PolicyRule::kFurthestStageWins);
  } else if (field == Field::kCloseDate) {
    rules.push_back(PolicyRule::kEarliest);
    rules.push_back(PolicyRule::kLatest);
  }
  return rules;
}

std::optional<PolicyRule> ReadRule(TableReader& t, std::string_view key, Field field) {
  const toml::node* node = t.Get(key);
  std::optional<std::string> name = node == nullptr ? std::nullopt : t.String(key);
  if (!name) {
    return std::nullopt;
  }
  const std::vector<PolicyRule> valid = RulesFor(field);
  std::optional<PolicyRule> rule = ParsePolicyRule(*name);
  if (rule && std::find(valid.begin(), valid.end(), *rule) != valid.end()) {
    return rule;
  }
  std::string list;
  for (PolicyRule r : valid) {
    list += (list.empty() ? "" : ", ") + std::string(PolicyRuleName(r));
  }
  t.Error(key, *node,
          (rule ? "rule \"" + *name + "\" does not apply to " + std::string(FieldName(field))
                : "unknown rule \"" + *name + "\"") +
              " (valid for " + std::string(FieldName(field)) + ": " + list + ")");
  return std::nullopt;
}

// `field = "rule"` or `field = { rule = "...", <extras> }`; calls read_extras for the table form.
template <typename ReadExtras>
void ReadFieldPolicy(TableReader& policy, Field field, PolicyRule& rule, ReadExtras read_extras) {
  const std::string_view key = FieldName(field);
  const toml::node* node = policy.Get(key);
  if (node == nullptr) {
    return;
  }
  if (node->is_string()) {
    if (std::optional<PolicyRule> r = ReadRule(policy, key, field)) {
      rule = *r;
    }
    return;
  }
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    policy.WrongType(key, *node, "a rule name or a table { rule = \"...\" }");
    return;
  }
  TableReader t(policy.sink(), *table, policy.PathOf(key));
  if (t.Get("rule") == nullptr) {
    t.ErrorAtTable("rule", "missing key \"rule\"");
  } else if (std::optional<PolicyRule> r = ReadRule(t, "rule", field)) {
    rule = *r;
  }
  read_extras(t);
  t.Finish();
}

void ReadTolerance(TableReader& t, AmountPolicy& amount) {
  const toml::node* node = t.Get("tolerance");
  if (node == nullptr) {
    return;
  }
  // A tolerance given here replaces the inherited one(s) as a whole.
  amount.tolerance_absolute.reset();
  amount.tolerance_ppm = 0;
  std::vector<const toml::node*> items;
  if (const auto* array = node->as_array()) {
    for (const toml::node& item : *array) {
      items.push_back(&item);
    }
  } else {
    items.push_back(node);
  }
  for (const toml::node* item : items) {
    const auto* text = item->as_string();
    if (text == nullptr) {
      t.WrongType("tolerance", *item, "a string such as \"0.5%\" or \"100 USD\"");
      continue;
    }
    const std::string& s = text->get();
    if (!s.empty() && s.back() == '%') {
      Result<int64_t> ppm = ParsePercentPpm(s);
      if (ppm.ok()) {
        amount.tolerance_ppm = *ppm;
      } else {
        t.Error("tolerance", *item, ppm.status().message());
      }
      continue;
    }
    Result<Money> money = ParseMoneyWithCurrency(s);
    if (!money.ok()) {
      t.Error("tolerance", *item,
              money.status().message() + "; a tolerance is \"0.5%\" or \"100 USD\"");
    } else if (money->minor < 0) {
      t.Error("tolerance", *item, "tolerance must not be negative");
    } else {
      amount.tolerance_absolute = *money;
    }
  }
}

// bounds = { negative_amounts, max_amount, close_date_past, close_date_future,
//            max_record_bytes, max_field_bytes }
void ReadBounds(TableReader& policy, ValueBounds& bounds) {
  const toml::table* table = policy.Table("bounds");
  if (table == nullptr) {
    return;
  }
  TableReader t(policy.sink(), *table, policy.PathOf("bounds"));
  if (auto v = t.Bool("negative_amounts")) {
    bounds.allow_negative_amounts = *v;
  }
  if (const toml::node* node = t.Get("max_amount")) {
    if (std::optional<std::string> text = t.String("max_amount")) {
      Result<Money> money = ParseMoneyWithCurrency(*text);
      if (!money.ok()) {
        t.Error("max_amount", *node,
                money.status().message() + "; write an amount with its currency, e.g. " +
                    "\"5000000 USD\"");
      } else if (money->minor <= 0) {
        t.Error("max_amount", *node, "max_amount must be greater than zero");
      } else {
        bounds.max_amount = *money;
      }
    }
  }
  constexpr int64_t kMaxDays = 365 * 200;
  for (const char* key : {"close_date_past", "close_date_future"}) {
    if (auto d = t.Duration(key, /*allow_zero=*/true)) {
      const auto days = std::chrono::duration_cast<std::chrono::hours>(*d).count() / 24;
      if (days > kMaxDays || *d % std::chrono::hours(24) != std::chrono::milliseconds(0)) {
        t.Error(key, *t.Get(key), "expected whole days up to \"73000d\", e.g. \"3650d\"");
        continue;
      }
      (std::string_view(key) == "close_date_past" ? bounds.close_date_past_days
                                                  : bounds.close_date_future_days) =
          static_cast<int>(days);
    }
  }
  if (auto v = t.Int("max_record_bytes", 1024, int64_t{1} << 30)) {
    bounds.max_record_bytes = static_cast<size_t>(*v);
  }
  if (auto v = t.Int("max_field_bytes", 16, int64_t{1} << 24)) {
    bounds.max_field_bytes = static_cast<size_t>(*v);
  }
  t.Finish();
}

}  // namespace

void ReadPolicy(TableReader& t, ReconcilePolicy& policy) {
  ReadFieldPolicy(t, Field::kStage, policy.stage.rule, [&](TableReader& s) {
    if (auto v = s.Bool("allow_reopen")) {
      policy.stage.allow_reopen = *v;
    }
    if (auto v = s.Int("skip_threshold", 1, kStageCount)) {
      policy.stage.skip_flag_threshold = static_cast<int>(*v);
    }
  });
  ReadFieldPolicy(t, Field::kAmount, policy.amount.rule,
                  [&](TableReader& a) { ReadTolerance(a, policy.amount); });
  ReadFieldPolicy(t, Field::kCloseDate, policy.close_date.rule, [&](TableReader& c) {
    if (auto v = c.Bool("flag_slip")) {
      policy.close_date.flag_slip = *v;
    }
  });
  if (auto skew = t.Duration("clock_skew", /*allow_zero=*/true)) {
    policy.clock_skew = std::chrono::duration_cast<std::chrono::seconds>(*skew);
  }
  if (auto v = t.Bool("propagate_deletes")) {
    policy.propagate_deletes = *v;
  }
  ReadBounds(t, policy.bounds);
}

}  // namespace dealsync::config_internal
