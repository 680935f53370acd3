// BuildReport: scope selection, conflict ordering and the per-partner reviews.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "dealsync/report.h"
#include "src/report/pipeline_review.h"
#include "src/report/report_money.h"

namespace dealsync {
namespace {

using report_internal::ParseMoneyText;
using report_internal::ReportingConverter;

// Records by (source, native id), built once per report so that each conflict
// finds its two records in O(1). Every vendor record is the vendor's whatever
// id the vendor source has in the config, so vendor records are keyed by id only.
class RecordLookup {
 public:
  explicit RecordLookup(const ReportInput& input) {
    vendor_.reserve(input.vendor_records.size());
    for (const Opportunity& r : input.vendor_records) {
      vendor_.emplace(r.native_id, &r);
    }
    partner_.reserve(input.partner_records.size());
    for (const Opportunity& r : input.partner_records) {
      partner_.emplace(Key(r.source, r.native_id), &r);
    }
  }
  const Opportunity* Vendor(const std::string& id) const {
    auto it = vendor_.find(id);
    return it == vendor_.end() ? nullptr : it->second;
  }
  const Opportunity* Partner(std::string_view source, std::string_view id) const {
    auto it = partner_.find(Key(source, id));
    return it == partner_.end() ? nullptr : it->second;
  }

 private:
  static std::string Key(std::string_view source, std::string_view id) {
    std::string k(source);
    k.push_back('\0');
    k.append(id);
    return k;
  }
  std::unordered_map<std::string, const Opportunity*> vendor_;
  std::unordered_map<std::string, const Opportunity*> partner_;
};

// The value at stake: the larger of the deal's amounts on either side (and, for
// an amount conflict, of the two disputed values), in the reporting currency.
std::optional<int64_t> ValueAtStake(const RecordLookup& records, const Conflict& c,
                                    ReportingConverter& money) {
  std::vector<std::optional<Money>> amounts;
  if (const Opportunity* v = records.Vendor(c.vendor_id)) {
    amounts.push_back(v->amount);
  }
  if (const Opportunity* p = records.Partner(c.partner, c.partner_id)) {
    amounts.push_back(p->amount);
  }
  if (c.field == Field::kAmount) {
    amounts.push_back(ParseMoneyText(c.vendor.value));
    amounts.push_back(ParseMoneyText(c.partner_change.value));
  }
  std::optional<int64_t> stake;
  for (const std::optional<Money>& amount : amounts) {
    if (std::optional<int64_t> minor = money.ToMinor(amount)) {
      stake = std::max(stake.value_or(*minor), *minor);
    }
  }
  if (!stake && c.value_at_stake_minor > 0) {
    stake = c.value_at_stake_minor;  // the engine's own estimate
  }
  return stake;
}

// Held conflicts first, then by value at stake (unknown last), newest first, id.
bool ConflictOrder(const ConflictLine& a, const ConflictLine& b) {
  const bool a_held = a.conflict.status == ConflictStatus::kHeldForReview;
  const bool b_held = b.conflict.status == ConflictStatus::kHeldForReview;
  if (a_held != b_held) {
    return a_held;
  }
  const int64_t a_stake = a.stake_minor.value_or(-1);
  const int64_t b_stake = b.stake_minor.value_or(-1);
  if (a_stake != b_stake) {
    return a_stake > b_stake;
  }
  if (a.conflict.detected_at != b.conflict.detected_at) {
    return a.conflict.detected_at > b.conflict.detected_at;
  }
  return a.conflict.id < b.conflict.id;
}

Status ValidateInput(const ReportInput& input, const ReportOptions& options) {
  if (!CurrencyMinorDigits(input.rates.reporting_currency)) {
    return InvalidArgument("reporting currency \"" + input.rates.reporting_currency +
                           "\" is not an ISO 4217 code");
  }
  if (options.partner.empty()) {
    return Status::Ok();
  }
  for (const ReportPartnerInfo& p : input.partners) {
    if (p.id == options.partner) {
      return Status::Ok();
    }
  }
  std::string known;
  for (const ReportPartnerInfo& p : input.partners) {
    known += (known.empty() ? "" : ", ") + p.id;
  }
  return InvalidArgument("unknown partner \"" + options.partner + "\" (known: " + known + ")");
}

}  // namespace

std::string StageEntryKey(std::string_view source, std::string_view native_id) {
  std::string key(source);
  key += '\x1f';
  key += native_id;
  return key;
}

Result<Report> BuildReport(const ReportInput& input, const ReportOptions& options) {
  DEALSYNC_RETURN_IF_ERROR(ValidateInput(input, options));
  ReportingConverter money(input.rates);
  Report report;
  report.scope = options.partner.empty() ? "all" : options.partner;
  report.scope_name = "All partners";
  report.generated_at = input.now;
  report.config_dir = input.config_dir;
  report.reporting_currency = input.rates.reporting_currency;
  report.stalled_after_days = std::chrono::floor<std::chrono::days>(input.stalled_after).count();
  if (input.pipeline_target) {
    report.pipeline_target_minor = money.ToMinor(input.pipeline_target);
  }

  std::map<std::string, std::string> partner_names;
  for (const ReportPartnerInfo& p : input.partners) {
    partner_names[p.id] = p.name;
  }
  const RecordLookup records(input);
  for (const Conflict& c : input.conflicts) {
    if (!options.partner.empty() && c.partner != options.partner) {
      continue;
    }
    ConflictLine line;
    line.conflict = c;
    line.partner_name = partner_names.count(c.partner) ? partner_names[c.partner] : c.partner;
    line.stake_minor = ValueAtStake(records, c, money);
    line.age_days = std::max<int64_t>(
        0, std::chrono::floor<std::chrono::days>(input.now - c.detected_at).count());
    report.conflicts.push_back(std::move(line));
  }
  std::stable_sort(report.conflicts.begin(), report.conflicts.end(), ConflictOrder);

  for (const ReportPartnerInfo& p : input.partners) {
    if (!options.partner.empty() && p.id != options.partner) {
      continue;
    }
    if (!options.partner.empty()) {
      report.scope_name = p.name;
    }
    std::vector<const Conflict*> conflicts;
    for (const Conflict& c : input.conflicts) {
      if (c.partner == p.id) {
        conflicts.push_back(&c);
      }
    }
    report.partners.push_back(report_internal::BuildPartnerReview(
        input, p, conflicts, report.pipeline_target_minor, money));
    report_internal::AccumulateSideMetrics(report.partners.back().vendor, report.all_vendor);
    report_internal::AccumulateSideMetrics(report.partners.back().partner, report.all_partner);
  }

  if (options.partner.empty()) {
    std::map<std::string, bool> linked;
    for (const Link& link : input.links) {
      linked[link.vendor_id] = true;
    }
    for (const Opportunity& r : input.vendor_records) {
      if (!r.deleted && !linked.count(r.native_id)) {
        report.only_vendor.push_back(report_internal::MakeDealLine(r, "vendor", "", money));
        report.only_vendor.back().detail = "no partner deal linked";
      }
    }
    std::stable_sort(report.only_vendor.begin(), report.only_vendor.end(),
                     [](const DealLine& a, const DealLine& b) {
                       return a.amount_minor.value_or(-1) > b.amount_minor.value_or(-1);
                     });
  }

  for (const std::string& currency : money.used()) {
    auto rate = input.rates.nano_rates.find(currency);
    report.rates_used.push_back(
        {currency, rate == input.rates.nano_rates.end() ? 0 : rate->second});
  }
  report.missing_rates.assign(money.missing().begin(), money.missing().end());
  return report;
}

}  // namespace dealsync
