#include "tests/unit/review/review_fixture.h"

#include <stdexcept>
#include <tuple>

#include "dealsync/model.h"
#include "dealsync/sync_records.h"
#include "src/engine/records_json.h"

namespace dealsync::testing {
namespace {

Opportunity Deal(const std::string& source, const std::string& id, const std::string& reg,
                 const std::string& name, const std::string& account, const std::string& stage,
                 const std::string& amount, const std::string& date, Timestamp modified) {
  Opportunity o;
  o.source = source;
  o.native_id = id;
  o.registration_id = reg;
  o.name = name;
  o.account = account;
  o.owner = source == "vendor" ? "Vera Vendor" : "Pat Partner";
  (void)SetFieldFromText(o, Field::kStage, stage);
  (void)SetFieldFromText(o, Field::kAmount, amount);
  (void)SetFieldFromText(o, Field::kCloseDate, date);
  o.modified_at = modified;
  return o;
}

void Ingest(SyncEngine& engine, const std::string& source, std::vector<Opportunity> records,
            const std::string& cursor) {
  FetchPage page;
  page.records = std::move(records);
  page.next_cursor = cursor;
  Result<IngestStats> s = engine.IngestPage(source, page);
  if (!s.ok()) {
    throw std::runtime_error("fixture ingest failed: " + s.status().ToString());
  }
}

const char* const kAccounts[] = {"Acme Corp",       "Globex",     "Initech",
                                 "Umbrella Health", "Stark Labs", "Wayne Logistics",
                                 "Tyrell Systems",  "Hooli"};

}  // namespace

std::vector<UserSecret> TestUsers() {
  auto user = [](std::string name, UserRole role, std::vector<std::string> partners) {
    UserSecret u;
    u.principal = {name, role, std::move(partners)};
    u.password_hash = HashPassword(name + "-password-1", "salt-of-" + name, 1000);
    return u;
  };
  std::vector<UserSecret> users = {
      user("ada", UserRole::kAdmin, {}), user("rita", UserRole::kResolver, {}),
      user("vic", UserRole::kViewer, {}), user("nora", UserRole::kResolver, {"northwind"})};
  UserSecret cli;
  cli.principal = {"cli", UserRole::kResolver, {}};
  cli.token = kCliToken;
  users.push_back(cli);
  return users;
}

ReviewWorld::ReviewWorld(int deals_per_partner, bool tls, bool loopback_only) {
  config.vendor.role = Role::kVendor;
  config.vendor.id = "vendor";
  config.vendor.name = "Vendor CRM";
  config.vendor.connector = "salesforce";
  for (const char* id : {"northwind", "contoso"}) {
    SourceConfig p;
    p.role = Role::kPartner;
    p.id = id;
    p.name = std::string(id) == "northwind" ? "Northwind Traders" : "Contoso Partners";
    p.connector = std::string(id) == "northwind" ? "hubspot" : "rest";
    p.policy.close_date.rule = PolicyRule::kManual;
    config.partners.push_back(p);
  }
  config.daemon.rates.reporting_currency = "USD";
  config.daemon.rates.nano_rates["USD"] = 1'000'000'000;
  config.daemon.rates.nano_rates["EUR"] = 1'080'000'000;
  clock.Set(TimestampFromEpochMs(1'795'000'000'000));  // 2026-11-18
  engine = std::make_unique<SyncEngine>(store, config, clock);

  // Day 0: both sides agree on every deal.
  std::vector<Opportunity> vendor;
  std::map<std::string, std::vector<Opportunity>> partners;
  const Timestamp t0 = clock.Now();
  int n = 0;
  for (const SourceConfig& p : config.partners) {
    for (int i = 1; i <= deals_per_partner; ++i, ++n) {
      const std::string reg = "REG-" + p.id.substr(0, 2) + "-" + std::to_string(i);
      const std::string amount = std::to_string(10000 + 7919 * ((n * 37) % 50)) + ".00 USD";
      const std::string name = std::string(kAccounts[n % 8]) + " - " +
                               (i % 2 ? "Expansion" : "Renewal") + " " + std::to_string(i);
      vendor.push_back(Deal("vendor", "006V" + std::to_string(n), reg, name, kAccounts[n % 8],
                            "proposal", amount, "2026-12-15", t0));
      partners[p.id].push_back(Deal(p.id, p.id.substr(0, 2) + "-" + std::to_string(i), reg, name,
                                    kAccounts[n % 8], "proposal", amount, "2026-12-15", t0));
    }
  }
  Ingest(*engine, "vendor", vendor, "c1");
  for (auto& [id, records] : partners) {
    Ingest(*engine, id, records, "c1");
  }
  // Days later: both sides move the close date differently -> held (manual).
  clock.Advance(std::chrono::hours(24 * 3));
  const Timestamp t1 = clock.Now();
  for (Opportunity& o : vendor) {
    o.close_date = CalendarDate{2026, 12, 20};
    o.modified_at = t1;
  }
  Ingest(*engine, "vendor", vendor, "c2");
  clock.Advance(std::chrono::hours(1));
  for (auto& [id, records] : partners) {
    for (Opportunity& o : records) {
      o.close_date = CalendarDate{2027, 1, 10};
      o.modified_at = clock.Now();
    }
    Ingest(*engine, id, records, "c2");
  }
  // A partner-only deal and a vendor-only deal (one-sided).
  Ingest(*engine, "contoso",
         {Deal("contoso", "co-solo", "REG-SOLO", "Hooli - New logo", "Hooli", "qualified",
               "42000.00 USD", "2027-02-01", clock.Now())},
         "c3");
  Ingest(*engine, "vendor",
         {Deal("vendor", "006SOLO", "", "Initech - Upsell", "Initech", "qualified", "9000.00 USD",
               "2027-03-01", clock.Now())},
         "c3");
  // A vendor amount change is pushed to the partner; contoso rejects it for good:
  // a dead letter.
  clock.Advance(std::chrono::hours(2));
  Opportunity changed = vendor.back();
  changed.amount = Money{changed.amount->minor + 150000, "USD"};
  changed.modified_at = clock.Now();
  Ingest(*engine, "vendor", {changed}, "c4");
  Result<std::vector<OutboxEntry>> due =
      engine->DuePushes("contoso", 10, clock.Now() + std::chrono::hours(1));
  if (due.ok() && !due->empty()) {
    std::vector<UpdateOutcome> outcomes;
    for (const OutboxEntry& e : *due) {
      outcomes.push_back({e.update.native_id,
                          InvalidArgument("contoso PATCH /deals/" + e.update.native_id +
                                          ": 422 {\"error\":\"amount exceeds the deal "
                                          "registration cap\"}"),
                          std::nullopt});
    }
    (void)engine->RecordPushResults("contoso", *due, outcomes, Status::Ok());
  }
  // A registration id two contoso deals carry: the vendor deal is ambiguous.
  Ingest(*engine, "contoso",
         {Deal("contoso", "co-amb-1", "REG-AMB", "Globex - Platform", "Globex", "qualified",
               "30000.00 USD", "2027-02-15", clock.Now()),
          Deal("contoso", "co-amb-2", "REG-AMB", "Globex - Platform (copy)", "Globex", "qualified",
               "30000.00 USD", "2027-02-15", clock.Now())},
         "c5");
  Ingest(*engine, "northwind",
         {Deal("northwind", "nw-amb-1", "REG-AMB2", "Hooli - Analytics", "Hooli", "proposal",
               "18000.00 USD", "2027-03-15", clock.Now()),
          Deal("northwind", "nw-amb-2", "REG-AMB2", "Hooli - Analytics EU", "Hooli", "proposal",
               "18000.00 USD", "2027-03-15", clock.Now())},
         "c5");
  Ingest(*engine, "vendor",
         {Deal("vendor", "006AMB", "REG-AMB", "Globex - Platform", "Globex", "qualified",
               "30000.00 USD", "2027-02-15", clock.Now()),
          Deal("vendor", "006AMB2", "REG-AMB2", "Hooli - Analytics", "Hooli", "proposal",
               "18000.00 USD", "2027-03-15", clock.Now())},
         "c5");
  // Records the connectors could not map; readable once the partner file is fixed.
  auto refuse = [&](const std::string& source, const std::string& id, const std::string& why) {
    FetchPage page;
    page.rejects.push_back({id, why, "{\"id\":\"" + id + "\"}"});
    page.next_cursor = "c6";
    if (Result<IngestStats> s = engine->IngestPage(source, page); !s.ok()) {
      throw std::runtime_error("fixture reject failed: " + s.status().ToString());
    }
  };
  const std::string unmapped =
      "stage \"Verbal commit\" is not in the partner file's [mapping.stage] table";
  refuse("contoso", "co-bad-1", unmapped);
  refuse("contoso", "co-bad-2", unmapped);
  refuse("northwind", "nw-bad-1", "closedate \"31/12/2026\" is not a date (YYYY-MM-DD)");
  std::map<std::string, Opportunity> fixed;
  for (const auto& [source, id, reg] : {std::tuple{"contoso", "co-bad-1", "REG-BAD-1"},
                                        std::tuple{"contoso", "co-bad-2", "REG-BAD-2"},
                                        std::tuple{"northwind", "nw-bad-1", "REG-BAD-3"}}) {
    fixed[std::string(source) + "/" + id] =
        Deal(source, id, reg, "Stark Labs - Pilot", "Stark Labs", "negotiation", "15000.00 USD",
             "2026-12-31", clock.Now());
  }
  clock.Advance(std::chrono::hours(24 * 2));

  std::vector<SourceHealth> health;
  for (const SourceConfig* s : {&config.vendor, &config.partners[0], &config.partners[1]}) {
    SourceHealth h;
    h.id = s->id;
    h.poll_interval = std::chrono::minutes(5);
    h.last_successful_poll = clock.Now() - std::chrono::minutes(2);
    h.last_successful_push = clock.Now() - std::chrono::minutes(4);
    h.api_calls = 120;
    h.failed_calls = s->id == "contoso" ? 6 : 0;
    h.last_error = s->id == "contoso" ? "contoso PATCH: 422 amount exceeds the cap" : "";
    health.push_back(h);
  }
  backend = std::make_unique<EngineBackend>(*engine, health);
  backend->fixed = std::move(fixed);
  inner = std::make_unique<AdminApi>(*backend, clock, AdminApiOptions{"inner-token-xyz", 3});
  auth = std::make_unique<Authenticator>(TestUsers(), clock, std::chrono::hours(8),
                                         SystemRandomBytes());
  review = std::make_unique<ReviewApi>(
      ReviewDeps{*backend, *engine, [this]() -> const Config& { return config; }, clock});
  front = std::make_unique<Workspace>(*review, *inner, "inner-token-xyz", *auth,
                                      WorkspaceOptions{tls, loopback_only});
}

}  // namespace dealsync::testing
