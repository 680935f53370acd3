#include "tests/simulators/seed_data.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <string>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

using Json = nlohmann::json;

// Native picklists in canonical order: prospect, qualified, discovery,
// solution, proposal, closed_won, closed_lost.
constexpr std::array<const char*, 7> kSalesforce{
    "Prospecting",          "Qualification", "Needs Analysis", "Value Proposition",
    "Proposal/Price Quote", "Closed Won",    "Closed Lost"};
constexpr std::array<const char*, 7> kHubSpot{"appointmentscheduled",
                                              "qualifiedtobuy",
                                              "presentationscheduled",
                                              "decisionmakerboughtin",
                                              "contractsent",
                                              "closedwon",
                                              "closedlost"};
constexpr std::array<const char*, 7> kNorthwind{"New lead",   "Qualified", "Discovery", "Demo",
                                                "Quote sent", "Won",       "Lost"};
constexpr std::array<const char*, 7> kContoso{
    "Lead", "Qualified", "Discovery", "Solution Design", "Proposal", "Closed Won", "Closed Lost"};
constexpr std::array<const char*, 12> kAccounts{
    "Acme Corp",        "Globex",          "Initech",   "Umbrella Health",
    "Stark Industries", "Wayne Logistics", "Hooli",     "Vehement Capital",
    "Soylent Foods",    "Tyrell Systems",  "Cyberdyne", "Wonka Retail"};
constexpr std::array<const char*, 5> kProducts{"Platform renewal", "Analytics add-on",
                                               "Security suite", "Migration services",
                                               "Enterprise expansion"};
constexpr std::array<const char*, 4> kOwners{"Dana Vendor", "Lee Vendor", "Sam Vendor",
                                             "Kim Vendor"};
constexpr int kContosoOffsetMinutes = -300;

std::string Cents(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

class Generator {
 public:
  explicit Generator(const SeedOptions& o) : o_(o), rng_(o.seed) {}

  Json Run() {
    for (int i = 0; i < o_.vendor_deals; ++i)
      VendorDeal(i);
    for (int i = 0; i < o_.partner_only_deals; ++i)
      PartnerOnly(i);
    TimeZoneEdges();
    return {{"salesforce", sf_},
            {"hubspot", hs_},
            {"rest", {{"northwind", nw_}, {"contoso", ct_}}},
            {"summary", summary_}};
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Pick(100) < percent; }
  std::string StampBefore() {
    return IsoMillisZ(o_.now - std::chrono::minutes(1 + Pick(30 * 24 * 60)));
  }
  void Count(const char* what) { summary_[what] = summary_.value(what, 0) + 1; }

  void VendorDeal(int i) {
    const std::string sf_id = [&] {
      char buf[32];
      std::snprintf(buf, sizeof buf, "006SMSEED%09d", i + 1);
      return std::string(buf);
    }();
    const std::string reg = "DR-" + std::to_string(1001 + i);
    const std::string account = kAccounts[Pick(kAccounts.size())];
    const std::string name = account + " - " + kProducts[Pick(kProducts.size())];
    int stage = Pick(5);
    if (Chance(15))
      stage = 5 + Pick(2);
    const int64_t cents = (5'000 + Pick(200'000)) * 100 + Pick(100);
    const auto close =
        std::chrono::floor<std::chrono::days>(o_.now) + std::chrono::days(14 + Pick(180));
    const int partner = Pick(3);  // 0 hubspot, 1 northwind, 2 contoso
    const std::string partner_id = partner == 0   ? std::to_string(5001 + i)
                                   : partner == 1 ? "nw-" + std::to_string(1 + i)
                                                  : std::to_string(9001 + i);
    sf_.push_back({{"Id", sf_id},
                   {"Name", name},
                   {"Account", {{"Name", account}}},
                   {"Owner", {{"Name", kOwners[Pick(kOwners.size())]}}},
                   {"StageName", kSalesforce[stage]},
                   {"Amount", static_cast<double>(cents) / 100.0},
                   {"CurrencyIsoCode", "USD"},
                   {"CloseDate", IsoDate(Timestamp(close))},
                   {"Deal_Registration_ID__c", reg},
                   {"Partner_Deal_ID__c", partner_id},
                   {"modified_at", StampBefore()}});
    // Drift: the partner's copy is ahead or behind in places.
    int p_stage = stage;
    if (stage < 4 && Chance(20)) {
      p_stage = stage + 1;
      Count("stage_ahead_at_partner");
    } else if (stage > 0 && stage < 5 && Chance(8)) {
      p_stage = stage - 1;
      Count("stage_behind_at_partner");
    }
    int64_t p_cents = cents;
    if (Chance(10)) {
      p_cents = cents + (Pick(2) ? 1 : -1) * (cents / 20);
      Count("amount_drift");
    }
    auto p_close = close;
    if (Chance(10)) {
      p_close += std::chrono::days(7 + Pick(30));
      Count("close_date_slip");
    }
    const std::string stamp = StampBefore();
    if (partner == 0) {
      hs_.push_back({{"id", partner_id},
                     {"properties",
                      {{"dealname", name},
                       {"dealstage", kHubSpot[p_stage]},
                       {"pipeline", "default"},
                       {"amount", Cents(p_cents)},
                       {"deal_currency_code", "USD"},
                       // Noon UTC is the same calendar day in the portal's
                       // New York zone (midnight UTC would be the day before).
                       {"closedate", IsoSecondsZ(Timestamp(p_close) + std::chrono::hours(12))},
                       {"vendor_registration_id", reg},
                       {"vendor_opportunity_id", sf_id}}},
                     {"modified_at", stamp}});
    } else if (partner == 1) {
      // Northwind books in EUR: a currency difference, not an amount conflict.
      const auto eur = static_cast<int64_t>(static_cast<double>(p_cents) * o_.eur_per_usd);
      nw_.push_back(Generic(partner_id, name, account, kNorthwind[p_stage], Cents(eur), "EUR",
                            IsoSecondsZ(Timestamp(p_close) + std::chrono::hours(12)), reg, sf_id,
                            stamp));
      Count("currency_eur_partner");
    } else {
      ct_.push_back(Generic(partner_id, name, account, kContoso[p_stage], Cents(p_cents), "USD",
                            IsoDate(Timestamp(p_close)), reg, sf_id, stamp));
    }
  }

  Json Generic(const std::string& id, const std::string& name, const std::string& account,
               const std::string& stage, const std::string& amount, const std::string& currency,
               const std::string& close, const std::string& reg, const std::string& vendor_ref,
               const std::string& stamp) {
    return {{"id", id},
            {"name", name},
            {"account", account},
            {"owner", "Partner rep"},
            {"stage", stage},
            {"amount", amount},
            {"currency", currency},
            {"close_at", close},
            {"registration", reg},
            {"vendor_ref", vendor_ref},
            {"modified_at", stamp}};
  }

  void PartnerOnly(int i) {
    const std::string name = std::string(kAccounts[Pick(kAccounts.size())]) + " - partner sourced";
    const std::string close = IsoDate(o_.now + std::chrono::days(30 + Pick(90)));
    // Past the vendor deals' HubSpot ids (5001 + i) once there are 3,000 or more.
    hs_.push_back({{"id", std::to_string(std::max(8001, 5001 + o_.vendor_deals) + i)},
                   {"properties",
                    {{"dealname", name},
                     {"dealstage", kHubSpot[Pick(3)]},
                     {"amount", "25000.00"},
                     {"deal_currency_code", "USD"},
                     {"closedate", close + "T12:00:00Z"}}},
                   {"modified_at", StampBefore()}});
    nw_.push_back(Generic("nw-po-" + std::to_string(i + 1), name, "Partner prospect",
                          kNorthwind[Pick(3)], "18000.00", "EUR", close + "T12:00:00Z", "", "",
                          StampBefore()));
    ct_.push_back(Generic(std::to_string(7001 + i), name, "Partner prospect", kContoso[Pick(3)],
                          "21000.00", "USD", close, "", "", StampBefore()));
    Count("partner_only_deals");
  }

  // A close date of 23:30 local time at contoso (UTC-5) is the next day in UTC:
  // a connector that ignores the partner's time zone moves the date by one day.
  void TimeZoneEdges() {
    for (auto& deal : ct_) {
      if (deal["registration"] != "") {
        const auto day = *ParseIsoDate(deal["close_at"].get<std::string>());
        deal["close_at"] = IsoWithOffset(day + std::chrono::hours(23) + std::chrono::minutes(30) -
                                             std::chrono::minutes(kContosoOffsetMinutes),
                                         kContosoOffsetMinutes);
        Count("time_zone_edge_close_date");
        break;
      }
    }
  }

  const SeedOptions& o_;
  std::mt19937_64 rng_;
  Json sf_ = Json::array(), hs_ = Json::array(), nw_ = Json::array(), ct_ = Json::array();
  Json summary_ = Json::object();
};

}  // namespace

nlohmann::json GenerateChannelSeed(const SeedOptions& options) {
  return Generator(options).Run();
}

}  // namespace dealsync::sim
