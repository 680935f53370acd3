#include "tests/unit/engine/engine_fixture.h"

#include "src/engine/records_json.h"
#include "tests/support/test_support.h"

namespace dealsync::testing {

Config TestConfig() {
  Config c;
  c.vendor.role = Role::kVendor;
  c.vendor.id = "vendor";
  c.vendor.connection.retry.max_attempts = 3;
  SourceConfig p;
  p.role = Role::kPartner;
  p.id = kPartner;
  p.connection.retry.max_attempts = 3;
  c.partners.push_back(p);
  c.daemon.rates.reporting_currency = "USD";
  c.daemon.rates.nano_rates["USD"] = 1'000'000'000;
  c.daemon.rates.nano_rates["EUR"] = 1'080'000'000;
  return c;
}

Opportunity Deal(const std::string& id, const std::string& registration_id,
                 const std::string& stage, const std::string& amount, const std::string& date) {
  Opportunity o;
  o.native_id = id;
  o.registration_id = registration_id;
  o.name = "Deal " + id;
  o.account = "Acme Corp";
  EXPECT_TRUE(SetFieldFromText(o, Field::kStage, stage).ok());
  EXPECT_TRUE(SetFieldFromText(o, Field::kAmount, amount).ok());
  EXPECT_TRUE(SetFieldFromText(o, Field::kCloseDate, date).ok());
  return o;
}

std::string Value(const Opportunity& o, Field f) {
  return FieldValueText(o, f);
}

EngineHarness::EngineHarness(const std::function<void(Config&)>& tweak) : config(TestConfig()) {
  if (tweak) {
    tweak(config);
  }
  Restart();
}

void EngineHarness::Restart() {
  engine.reset();
  engine = std::make_unique<SyncEngine>(store, config, clock);
}

IngestStats EngineHarness::Poll(FakeCrm& crm) {
  IngestStats total;
  const std::string source = &crm == &vendor ? "vendor" : kPartner;
  for (int page = 0; page < 1000; ++page) {
    Result<std::string> cursor = engine->LoadCursor(source);
    EXPECT_TRUE(cursor.ok());
    Result<FetchPage> fetched = RunAwaitable(crm.FetchChanges(*cursor));
    EXPECT_TRUE(fetched.ok());
    Result<IngestStats> s = engine->IngestPage(source, *fetched);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) {
      break;
    }
    total.records += s->records;
    total.changes_journaled += s->changes_journaled;
    total.duplicates += s->duplicates;
    total.echoes += s->echoes;
    total.rejects += s->rejects;
    total.conflicts += s->conflicts;
    total.pushes_queued += s->pushes_queued;
    total.warnings += s->warnings;
    total.warning_records.insert(total.warning_records.end(), s->warning_records.begin(),
                                 s->warning_records.end());
    total.bounds_rejects.insert(total.bounds_rejects.end(), s->bounds_rejects.begin(),
                                s->bounds_rejects.end());
    if (!fetched->has_more) {
      break;
    }
  }
  return total;
}

PushStats EngineHarness::Push(FakeCrm& crm) {
  const std::string target = &crm == &vendor ? "vendor" : kPartner;
  Result<PushStats> s = RunAwaitable(engine->PushOnce(target, crm));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : PushStats{};
}

void EngineHarness::Cycle() {
  Poll(vendor);
  Poll(partner);
  Push(vendor);
  Push(partner);
}

int EngineHarness::Settle(int max) {
  for (int i = 1; i <= max; ++i) {
    IngestStats v = Poll(vendor);
    IngestStats p = Poll(partner);
    PushStats a = Push(vendor);
    PushStats b = Push(partner);
    if (v.changes_journaled + p.changes_journaled + v.echoes + p.echoes + a.sent + b.sent == 0) {
      return i;
    }
    clock.Advance(std::chrono::seconds(1));
  }
  return max + 1;
}

}  // namespace dealsync::testing
