#include "tests/unit/report/report_fixture.h"

#include <stdexcept>

namespace dealsync::testing {
namespace {

Timestamp At(const char* iso) {
  Result<Timestamp> t = ParseTimestamp(iso);
  if (!t.ok()) {
    throw std::invalid_argument(std::string("fixture timestamp: ") + iso);
  }
  return *t;
}

CalendarDate Day(const char* iso) {
  Result<CalendarDate> d = ParseDate(iso);
  if (!d.ok()) {
    throw std::invalid_argument(std::string("fixture date: ") + iso);
  }
  return *d;
}

Money Amount(const char* decimal, const char* currency) {
  Result<Money> m = ParseMoney(decimal, currency);
  if (!m.ok()) {
    throw std::invalid_argument(std::string("fixture money: ") + decimal);
  }
  return *m;
}

Opportunity Record(const char* source, const char* id, const char* name, const char* account,
                   Stage stage, std::optional<Money> amount, const char* close,
                   const char* modified) {
  Opportunity o;
  o.source = source;
  o.native_id = id;
  o.name = name;
  o.account = account;
  o.stage = stage;
  o.amount = std::move(amount);
  o.close_date = Day(close);
  o.modified_at = At(modified);
  return o;
}

Link MakeLink(const char* partner, const char* vendor_id, const char* partner_id) {
  Link l;
  l.partner = partner;
  l.vendor_id = vendor_id;
  l.partner_id = partner_id;
  l.id = std::string(partner) + "/" + vendor_id + "/" + partner_id;
  l.key_kind = "registration_id";
  l.key_value = std::string("REG-") + vendor_id;
  l.created_at = At("2026-08-01T00:00:00Z");
  return l;
}

Conflict MakeConflict(const char* id, const char* partner, const char* vendor_id,
                      const char* partner_id, const char* deal, const char* account, Field field) {
  Conflict c;
  c.id = id;
  c.partner = partner;
  c.vendor_id = vendor_id;
  c.partner_id = partner_id;
  c.link_id = std::string(partner) + "/" + vendor_id + "/" + partner_id;
  c.deal_name = deal;
  c.account = account;
  c.field = field;
  return c;
}

FieldChange Change(const char* value, const char* when, const char* by) {
  FieldChange f;
  f.value = value;
  f.modified_at = At(when);
  f.modified_by = by;
  return f;
}

std::vector<Conflict> Conflicts() {
  Conflict amount = MakeConflict("northwind/V1/N1/amount/7", "northwind", "V1", "N1",
                                 "Acme rollout", "Acme Corp", Field::kAmount);
  amount.base_value = "48000.00 USD";
  amount.vendor = Change("50000.00 USD", "2026-11-20T09:00:00Z", "alice");
  amount.partner_change = Change("46000.00 EUR", "2026-11-21T10:00:00Z", "bob");
  amount.rule = "manual";
  amount.explanation = "Both sides changed the amount; held for a channel manager.";
  amount.status = ConflictStatus::kHeldForReview;
  amount.detected_at = At("2026-11-21T10:05:00Z");

  Conflict close = MakeConflict("northwind/V2/N2/close_date/5", "northwind", "V2", "N2",
                                "Globex renewal", "Globex, Inc.", Field::kCloseDate);
  close.base_value = "2026-10-15";
  close.vendor = Change("2026-11-01", "2026-10-20T08:30:00Z", "alice");
  close.partner_change = Change("2026-12-20", "2026-11-09T16:45:00Z", "dave");
  close.rule = "manual";
  close.explanation = "Both sides moved the close date; held for a channel manager.";
  close.flags = {"close_date_slip"};
  close.status = ConflictStatus::kHeldForReview;
  close.detected_at = At("2026-11-10T00:00:00Z");

  Conflict skip = MakeConflict("northwind/V2/N2/stage/3", "northwind", "V2", "N2", "Globex renewal",
                               "Globex, Inc.", Field::kStage);
  skip.base_value = "prospect";
  skip.vendor = Change("solution", "2026-09-01T07:00:00Z", "alice");
  skip.partner_change = Change("discovery", "2026-09-15T11:00:00Z", "dave");
  skip.rule = "furthest_stage_wins";
  skip.outcome_value = "solution";
  skip.explanation = "solution is further along than discovery.";
  skip.flags = {"stage_skip"};
  skip.status = ConflictStatus::kAutoResolved;
  skip.detected_at = At("2026-09-15T11:05:00Z");

  Conflict back =
      MakeConflict("contoso/V5/C1/stage/2", "contoso", "V5", "C1", "Stark <b>migration</b> & co",
                   "Stark \"Industries\"", Field::kStage);
  back.base_value = "qualified";
  back.vendor = Change("prospect", "2026-11-01T10:00:00Z", "erin");
  back.partner_change = Change("solution", "2026-11-02T10:00:00Z", "");
  back.rule = "manual";
  back.outcome_value = "prospect";
  back.explanation = "Settled by a channel manager.";
  back.flags = {"stage_regression"};
  back.status = ConflictStatus::kResolvedByOperator;
  back.detected_at = At("2026-11-02T10:01:00Z");
  back.resolved_by = "carol";
  back.resolved_at = At("2026-11-22T15:00:00Z");
  return {skip, back, amount, close};  // deliberately not in report order
}

}  // namespace

Timestamp FixtureNow() {
  return At("2026-11-23T12:00:00Z");
}

ReportInput MakeFixedReportInput() {
  ReportInput in;
  in.rates.reporting_currency = "USD";
  in.rates.nano_rates = {{"EUR", 1'080'000'000}, {"GBP", 1'250'000'000}};
  in.stalled_after = std::chrono::hours(24 * 30);
  in.pipeline_target = Amount("100000.00", "USD");
  in.now = FixtureNow();
  in.partners = {{"northwind", "Northwind Solutions", 2},
                 {"contoso", "Contoso & Partners <EU>", 2}};
  in.links = {MakeLink("northwind", "V1", "N1"), MakeLink("northwind", "V2", "N2"),
              MakeLink("northwind", "V3", "N3"), MakeLink("northwind", "V4", "N4"),
              MakeLink("contoso", "V5", "C1")};
  in.vendor_records = {
      Record("vendor", "V1", "Acme rollout", "Acme Corp", Stage::kProposal,
             Amount("50000.00", "USD"), "2026-12-15", "2026-11-20T09:00:00Z"),
      Record("vendor", "V2", "Globex renewal", "Globex, Inc.", Stage::kSolution,
             Amount("20000.00", "USD"), "2026-11-01", "2026-09-01T07:00:00Z"),
      Record("vendor", "V3", "Initech expansion", "Initech", Stage::kClosedWon,
             Amount("30000.00", "USD"), "2026-10-01", "2026-10-01T12:00:00Z"),
      Record("vendor", "V4", "Umbrella pilot", "Umbrella", Stage::kClosedLost,
             Amount("10000.00", "USD"), "2026-10-10", "2026-10-10T12:00:00Z"),
      Record("vendor", "V5", "Stark <b>migration</b> & co", "Stark \"Industries\"",
             Stage::kProspect, Amount("12345.67", "USD"), "2027-03-01", "2026-11-01T10:00:00Z"),
      Record("vendor", "V6", "Vendor direct deal", "Hooli", Stage::kProposal,
             Amount("7500.00", "USD"), "2027-01-31", "2026-11-15T10:00:00Z"),
  };
  Opportunity deleted = Record("vendor", "V7", "Deleted deal", "Gone", Stage::kProposal,
                               Amount("99999.00", "USD"), "2027-01-31", "2026-11-15T10:00:00Z");
  deleted.deleted = true;
  in.vendor_records.push_back(deleted);
  in.partner_records = {
      Record("northwind", "N1", "Acme rollout", "Acme Corp", Stage::kProposal,
             Amount("46000.00", "EUR"), "2027-01-10", "2026-11-21T10:00:00Z"),
      Record("northwind", "N2", "Globex renewal", "Globex, Inc.", Stage::kDiscovery,
             Amount("20000.00", "USD"), "2026-11-01", "2026-09-15T11:00:00Z"),
      Record("northwind", "N3", "Initech expansion", "Initech", Stage::kClosedWon,
             Amount("30000.00", "USD"), "2026-10-01", "2026-10-01T12:00:00Z"),
      Record("northwind", "N4", "Umbrella pilot", "Umbrella", Stage::kClosedLost,
             Amount("10000.00", "USD"), "2026-10-10", "2026-10-10T12:00:00Z"),
      Record("northwind", "N5", "=HYPERLINK(\"http://evil.example\",\"Click\")", "@Evil Ltd",
             Stage::kQualified, Amount("5000.00", "GBP"), "2027-02-01", "2026-11-10T10:00:00Z"),
      Record("contoso", "C1", "Stark migration", "Stark Industries", Stage::kQualified,
             Amount("1000000", "JPY"), "2027-03-01", "2026-11-02T10:00:00Z"),
      Record("contoso", "C2", "Wayne deal", "Wayne Enterprises", Stage::kDiscovery, std::nullopt,
             "2027-04-01", "2026-11-20T10:00:00Z"),
  };
  in.conflicts = Conflicts();
  return in;
}

}  // namespace dealsync::testing
