// JSON rendering of the report model. Keys keep insertion order so the output
// is stable (golden-file tests); money is a decimal string plus its currency.
#include <nlohmann/json.hpp>

#include "dealsync/report.h"
#include "src/report/report_money.h"

namespace dealsync {
namespace {

using Json = nlohmann::ordered_json;

Json MoneyJson(std::optional<int64_t> minor, const std::string& currency) {
  if (!minor) {
    return nullptr;
  }
  return Json{{"amount", FormatMinor(*minor, currency)}, {"currency", currency}};
}

Json PercentJson(std::optional<int64_t> bp) {
  return bp ? Json(FormatBasisPoints(*bp)) : Json(nullptr);
}

Json TimestampJson(Timestamp t) {
  return t == Timestamp{} ? Json(nullptr) : Json(FormatTimestamp(t));
}

Json ChangeJson(const FieldChange& change) {
  return Json{{"value", change.value},
              {"changed_at", TimestampJson(change.modified_at)},
              {"changed_by", change.modified_by}};
}

Json ConflictJson(const ConflictLine& line, const std::string& currency) {
  const Conflict& c = line.conflict;
  return Json{
      {"id", c.id},
      {"status", std::string(ConflictStatusName(c.status))},
      {"partner", c.partner},
      {"partner_name", line.partner_name},
      {"deal_name", c.deal_name},
      {"account", c.account},
      {"vendor_id", c.vendor_id},
      {"partner_id", c.partner_id},
      {"field", std::string(FieldName(c.field))},
      {"base_value", c.base_value},
      {"vendor_change", ChangeJson(c.vendor)},
      {"partner_change", ChangeJson(c.partner_change)},
      {"rule", c.rule},
      {"result", c.outcome_value},
      {"explanation", c.explanation},
      {"flags", c.flags},
      {"detected_at", TimestampJson(c.detected_at)},
      {"age_days", line.age_days},
      {"resolved_by", c.resolved_by},
      {"resolved_at", c.resolved_at ? TimestampJson(*c.resolved_at) : Json(nullptr)},
      {"value_at_stake", MoneyJson(line.stake_minor, currency)},
  };
}

Json StageCountsJson(const std::array<int, kStageCount>& counts) {
  Json out = Json::object();
  for (Stage s : AllStages()) {
    out[std::string(StageName(s))] = counts[static_cast<int>(s)];
  }
  return out;
}

Json SideJson(const SideMetrics& m, const std::string& currency) {
  return Json{
      {"deals", m.deals},
      {"open_deals", m.open_deals},
      {"pipeline", MoneyJson(m.pipeline_minor, currency)},
      {"weighted_forecast", MoneyJson(m.weighted_minor, currency)},
      {"won_deals", m.won_deals},
      {"lost_deals", m.lost_deals},
      {"won_value", MoneyJson(m.won_minor, currency)},
      {"win_rate_percent", PercentJson(m.win_rate_bp)},
      {"average_won_deal", MoneyJson(m.average_won_minor, currency)},
      {"coverage_percent", PercentJson(m.coverage_bp)},
      {"unpriced_deals", m.unpriced},
      {"deals_in_stage", StageCountsJson(m.in_stage)},
      {"deals_reached_stage", StageCountsJson(m.reached)},
  };
}

Json DealJson(const DealLine& d, const std::string& currency) {
  return Json{
      {"side", d.side},
      {"id", d.native_id},
      {"linked_id", d.other_id},
      {"name", d.name},
      {"account", d.account},
      {"stage", d.stage ? Json(std::string(StageName(*d.stage))) : Json(nullptr)},
      {"amount", d.amount
                     ? Json{{"amount", FormatDecimal(*d.amount)}, {"currency", d.amount->currency}}
                     : Json(nullptr)},
      {"amount_reporting", MoneyJson(d.amount_minor, currency)},
      {"close_date", d.close_date ? Json(FormatDate(*d.close_date)) : Json(nullptr)},
      {"days", d.days},
      {"detail", d.detail},
  };
}

Json DealsJson(const std::vector<DealLine>& deals, const std::string& currency) {
  Json out = Json::array();
  for (const DealLine& d : deals) {
    out.push_back(DealJson(d, currency));
  }
  return out;
}

Json PartnerJson(const PartnerReview& p, const std::string& currency) {
  return Json{
      {"id", p.id},
      {"name", p.name},
      {"linked_deals", p.linked_deals},
      {"conflicts", Json{{"held_for_review", p.held_conflicts},
                         {"auto_resolved", p.auto_resolved_conflicts},
                         {"resolved_by_operator", p.operator_resolved_conflicts}}},
      {"vendor_view", SideJson(p.vendor, currency)},
      {"partner_view", SideJson(p.partner, currency)},
      {"pipeline_difference", MoneyJson(p.pipeline_diff_minor, currency)},
      {"weighted_difference", MoneyJson(p.weighted_diff_minor, currency)},
      {"only_partner", DealsJson(p.only_partner, currency)},
      {"stalled", DealsJson(p.stalled, currency)},
      {"stage_moves", DealsJson(p.stage_moves, currency)},
      {"slipped", DealsJson(p.slipped, currency)},
  };
}

}  // namespace

std::string RenderReportJson(const Report& report) {
  const std::string& currency = report.reporting_currency;
  Json rates = Json::array();
  for (const RateUsed& r : report.rates_used) {
    rates.push_back({{"currency", r.currency}, {"rate", FormatNanoRate(r.nano_rate)}});
  }
  Json out{
      {"report", "dealsync conflicts and joint pipeline review"},
      {"scope", report.scope},
      {"scope_name", report.scope_name},
      {"generated_at", TimestampJson(report.generated_at)},
      {"reporting_currency", currency},
      {"rates", rates},
      {"missing_rates", report.missing_rates},
      {"stalled_after_days", report.stalled_after_days},
      {"pipeline_target", MoneyJson(report.pipeline_target_minor, currency)},
  };
  Json conflicts = Json::array();
  for (const ConflictLine& line : report.conflicts) {
    conflicts.push_back(ConflictJson(line, currency));
  }
  out["conflicts"] = std::move(conflicts);
  Json partners = Json::array();
  for (const PartnerReview& p : report.partners) {
    partners.push_back(PartnerJson(p, currency));
  }
  out["partners"] = std::move(partners);
  if (report.scope == "all") {
    out["all_partners"] = Json{{"vendor_view", SideJson(report.all_vendor, currency)},
                               {"partner_view", SideJson(report.all_partner, currency)},
                               {"only_vendor", DealsJson(report.only_vendor, currency)}};
  }
  return out.dump(2) + "\n";
}

}  // namespace dealsync
