// CSV rendering (RFC 4180: CRLF, quoted fields, doubled quotes). Dates and
// timestamps are ISO 8601; money is a plain decimal with its currency in the
// next column, so spreadsheets read numbers as numbers. Untrusted text is
// guarded against formula injection (escape.h).
#include "dealsync/report.h"
#include "src/report/escape.h"
#include "src/report/report_money.h"

namespace dealsync {
namespace {

using report_internal::CsvPlain;
using report_internal::CsvRecord;
using report_internal::CsvText;
using report_internal::ParseMoneyText;

std::string TimestampCell(Timestamp t) {
  return t == Timestamp{} ? "" : FormatTimestamp(t);
}

// Appends the value and currency cells of a field value. Amounts split into a
// decimal and a currency; other fields keep the currency cell empty.
void AppendValue(Field field, const std::string& value, std::vector<std::string>& row) {
  if (field == Field::kAmount) {
    if (std::optional<Money> money = ParseMoneyText(value)) {
      row.push_back(CsvPlain(FormatDecimal(*money)));
      row.push_back(CsvPlain(money->currency));
      return;
    }
  }
  row.push_back(CsvText(value));
  row.push_back("");
}

std::string JoinFlags(const std::vector<std::string>& flags) {
  std::string out;
  for (const std::string& flag : flags) {
    out += (out.empty() ? "" : ";") + flag;
  }
  return out;
}

std::vector<std::string> ConflictRow(const ConflictLine& line, const std::string& currency) {
  const Conflict& c = line.conflict;
  std::vector<std::string> row{
      CsvPlain(ConflictStatusName(c.status)),
      CsvText(c.id),
      CsvText(c.partner),
      CsvText(line.partner_name),
      CsvText(c.deal_name),
      CsvText(c.account),
      CsvText(c.vendor_id),
      CsvText(c.partner_id),
      CsvPlain(FieldName(c.field)),
  };
  AppendValue(c.field, c.base_value, row);
  AppendValue(c.field, c.vendor.value, row);
  row.push_back(TimestampCell(c.vendor.modified_at));
  row.push_back(CsvText(c.vendor.modified_by));
  AppendValue(c.field, c.partner_change.value, row);
  row.push_back(TimestampCell(c.partner_change.modified_at));
  row.push_back(CsvText(c.partner_change.modified_by));
  row.push_back(CsvText(c.rule));
  AppendValue(c.field, c.outcome_value, row);
  row.push_back(CsvText(JoinFlags(c.flags)));
  row.push_back(CsvText(c.explanation));
  row.push_back(TimestampCell(c.detected_at));
  row.push_back(std::to_string(line.age_days));
  row.push_back(CsvText(c.resolved_by));
  row.push_back(c.resolved_at ? TimestampCell(*c.resolved_at) : "");
  row.push_back(line.stake_minor ? FormatMinor(*line.stake_minor, currency) : "");
  row.push_back(line.stake_minor ? currency : "");
  return row;
}

std::string Optional(std::optional<int64_t> v, std::string (*format)(int64_t)) {
  return v ? format(*v) : "";
}

std::vector<std::string> SideRow(const std::string& id, const std::string& name,
                                 const std::string& view, const SideMetrics& m,
                                 const std::string& currency) {
  auto money = [&](int64_t minor) { return FormatMinor(minor, currency); };
  std::vector<std::string> row{
      CsvText(id),
      CsvText(name),
      view,
      std::to_string(m.deals),
      std::to_string(m.open_deals),
      money(m.pipeline_minor),
      money(m.weighted_minor),
      std::to_string(m.won_deals),
      std::to_string(m.lost_deals),
      money(m.won_minor),
      Optional(m.win_rate_bp, FormatBasisPoints),
      m.average_won_minor ? money(*m.average_won_minor) : "",
      Optional(m.coverage_bp, FormatBasisPoints),
      std::to_string(m.unpriced),
      currency,
  };
  for (int i = 0; i < kStageCount; ++i) {
    row.push_back(std::to_string(m.in_stage[i]));
  }
  return row;
}

}  // namespace

std::string RenderConflictsCsv(const Report& report) {
  std::string out = CsvRecord({
      "status",
      "conflict_id",
      "partner",
      "partner_name",
      "deal_name",
      "account",
      "vendor_deal_id",
      "partner_deal_id",
      "field",
      "base_value",
      "base_currency",
      "vendor_value",
      "vendor_currency",
      "vendor_changed_at",
      "vendor_changed_by",
      "partner_value",
      "partner_currency",
      "partner_changed_at",
      "partner_changed_by",
      "rule",
      "result_value",
      "result_currency",
      "flags",
      "explanation",
      "detected_at",
      "age_days",
      "resolved_by",
      "resolved_at",
      "value_at_stake",
      "value_at_stake_currency",
  });
  for (const ConflictLine& line : report.conflicts) {
    out += CsvRecord(ConflictRow(line, report.reporting_currency));
  }
  return out;
}

std::string RenderPipelineCsv(const Report& report) {
  std::vector<std::string> header{"partner",
                                  "partner_name",
                                  "view",
                                  "deals",
                                  "open_deals",
                                  "pipeline",
                                  "weighted_forecast",
                                  "won_deals",
                                  "lost_deals",
                                  "won_value",
                                  "win_rate_percent",
                                  "average_won_deal",
                                  "coverage_percent",
                                  "unpriced_deals",
                                  "currency"};
  for (Stage s : AllStages()) {
    header.push_back("in_" + std::string(StageName(s)));
  }
  std::string out = CsvRecord(header);
  const std::string& currency = report.reporting_currency;
  for (const PartnerReview& p : report.partners) {
    out += CsvRecord(SideRow(p.id, p.name, "vendor", p.vendor, currency));
    out += CsvRecord(SideRow(p.id, p.name, "partner", p.partner, currency));
  }
  if (report.scope == "all") {
    out += CsvRecord(SideRow("all", "All partners", "vendor", report.all_vendor, currency));
    out += CsvRecord(SideRow("all", "All partners", "partner", report.all_partner, currency));
  }
  return out;
}

}  // namespace dealsync
