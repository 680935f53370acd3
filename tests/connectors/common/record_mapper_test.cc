#include "connectors/common/record_mapper.h"

#include <gtest/gtest.h>

#include "connectors/common/json_util.h"
#include "support/test_support.h"

namespace dealsync::connectors {
namespace {

using nlohmann::json;

FieldMapping F(std::string pointer, std::string format = "") {
  return FieldMapping{std::move(pointer), std::move(format), {}};
}

StageMaps HubspotStages() {
  StageMaps maps;
  auto& def = maps["default"].native_by_stage;
  def[Stage::kProspect] = {"appointmentscheduled"};
  def[Stage::kQualified] = {"qualifiedtobuy"};
  def[Stage::kDiscovery] = {"presentationscheduled"};
  def[Stage::kSolution] = {"decisionmakerboughtin"};
  def[Stage::kProposal] = {"contractsent"};
  def[Stage::kClosedWon] = {"closedwon"};
  def[Stage::kClosedLost] = {"closedlost"};
  auto& partner = maps["12345"].native_by_stage;
  partner[Stage::kProspect] = {"p-new"};
  partner[Stage::kQualified] = {"p-qual"};
  partner[Stage::kDiscovery] = {"p-disc"};
  partner[Stage::kSolution] = {"p-sol"};
  partner[Stage::kProposal] = {"p-quote", "p-negotiate"};
  partner[Stage::kClosedWon] = {"p-won"};
  partner[Stage::kClosedLost] = {"p-lost", "p-nodecision"};
  return maps;
}

FieldMap HubspotFields() {
  return {{"id", F("/id")},
          {"name", F("/properties/dealname")},
          {"pipeline", F("/properties/pipeline")},
          {"stage", F("/properties/dealstage")},
          {"amount", F("/properties/amount", "decimal_string")},
          {"currency", F("/properties/deal_currency_code")},
          {"close_date", F("/properties/closedate", "iso_datetime")},
          {"modified_at", F("/properties/hs_lastmodifieddate", "iso_datetime")},
          {"deleted", F("/archived", "bool")},
          {"registration_id", F("/properties/deal_registration_id")}};
}

SourceConfig Config(std::string zone, std::string currency = "EUR") {
  SourceConfig c;
  c.id = "globex";
  c.connector = "hubspot";
  c.time_zone = std::move(zone);
  c.currency = std::move(currency);
  return c;
}

RecordMapper Mapper(const SourceConfig& config, const FieldMap& defaults = HubspotFields(),
                    const StageMaps& stages = HubspotStages()) {
  auto m = RecordMapper::Create(config, defaults, stages);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

json HubspotDeal() {
  return json::parse(R"({"id":"123","properties":{"dealname":"Acme renewal","dealstage":
    "contractsent","pipeline":"default","amount":"1234.5","deal_currency_code":"USD",
    "closedate":"2026-12-01T00:00:00Z","hs_lastmodifieddate":"2026-11-23T10:00:00.123Z",
    "hs_object_id":"123","deal_registration_id":"DR-7"},"archived":false})");
}

TEST(RecordMapperTest, MapsAHubspotDeal) {
  RecordMapper mapper = Mapper(Config("Europe/Berlin"));
  auto opp = mapper.ToCanonical(HubspotDeal());
  ASSERT_OK(opp);
  EXPECT_EQ(opp->source, "globex");
  EXPECT_EQ(opp->native_id, "123");
  EXPECT_EQ(opp->name, "Acme renewal");
  EXPECT_EQ(opp->registration_id, "DR-7");
  EXPECT_EQ(opp->pipeline, "default");
  EXPECT_EQ(opp->stage, Stage::kProposal);
  EXPECT_EQ(opp->native_stage, "contractsent");
  EXPECT_EQ(opp->amount, (Money{123450, "USD"}));
  EXPECT_EQ(opp->close_date, (CalendarDate{2026, 12, 1}));
  EXPECT_EQ(EpochMs(opp->modified_at), EpochMs(*ParseTimestamp("2026-11-23T10:00:00.123Z")));
  EXPECT_FALSE(opp->deleted);
  EXPECT_EQ(json::parse(opp->native_payload), HubspotDeal());
}

TEST(RecordMapperTest, CloseDateDependsOnTheSourceTimeZone) {
  // Midnight UTC is still the previous evening in New York.
  RecordMapper ny = Mapper(Config("America/New_York"));
  auto opp = ny.ToCanonical(HubspotDeal());
  ASSERT_OK(opp);
  EXPECT_EQ(opp->close_date, (CalendarDate{2026, 11, 30}));
}

TEST(RecordMapperTest, CloseDateAcrossDstTransitionsInNewYork) {
  RecordMapper ny = Mapper(Config("America/New_York"));
  struct Case {
    const char* instant;
    CalendarDate want;
  } cases[] = {
      {"2026-03-08T04:59:59Z", {2026, 3, 7}},    // 23:59:59 EST, spring-forward day next
      {"2026-03-08T05:00:00Z", {2026, 3, 8}},    // 00:00 EST
      {"2026-03-09T03:59:59Z", {2026, 3, 8}},    // 23:59:59 EDT
      {"2026-03-09T04:00:00Z", {2026, 3, 9}},    // 00:00 EDT
      {"2026-11-01T03:59:59Z", {2026, 10, 31}},  // 23:59:59 EDT, fall-back day next
      {"2026-11-01T04:00:00Z", {2026, 11, 1}},   // 00:00 EDT
      {"2026-11-02T04:59:59Z", {2026, 11, 1}},   // 23:59:59 EST (a 25-hour day)
      {"2026-11-02T05:00:00Z", {2026, 11, 2}},
      {"2026-11-01T06:30:00+01:00", {2026, 11, 1}},  // offsets are honoured
  };
  for (const auto& c : cases) {
    json deal = HubspotDeal();
    deal["properties"]["closedate"] = c.instant;
    auto opp = ny.ToCanonical(deal);
    ASSERT_OK(opp);
    EXPECT_EQ(opp->close_date, c.want) << c.instant;
  }
}

TEST(RecordMapperTest, CloseDateAsEpochMillisInTheSourceZone) {
  RecordMapper ny = Mapper(Config("America/New_York"));
  json deal = HubspotDeal();
  // 2026-11-01T04:30:00Z = 00:30 EDT on Nov 1.
  deal["properties"]["closedate"] =
      std::to_string(EpochMs(*ParseTimestamp("2026-11-01T04:30:00Z")));
  FieldMap fields = HubspotFields();
  fields["close_date"] = F("/properties/closedate", "epoch_ms");
  RecordMapper epoch = Mapper(Config("America/New_York"), fields);
  auto opp = epoch.ToCanonical(deal);
  ASSERT_OK(opp);
  EXPECT_EQ(opp->close_date, (CalendarDate{2026, 11, 1}));
  // An unformatted integer is read as epoch ms too.
  deal["properties"]["closedate"] = EpochMs(*ParseTimestamp("2026-11-01T03:30:00Z"));
  opp = ny.ToCanonical(deal);
  ASSERT_OK(opp);
  EXPECT_EQ(opp->close_date, (CalendarDate{2026, 10, 31}));
}

TEST(RecordMapperTest, PlainDatesAreTakenAsIs) {
  RecordMapper ny = Mapper(Config("Pacific/Kiritimati"));
  json deal = HubspotDeal();
  deal["properties"]["closedate"] = "2026-12-01";
  auto opp = ny.ToCanonical(deal);
  ASSERT_OK(opp);
  EXPECT_EQ(opp->close_date, (CalendarDate{2026, 12, 1}));
}

TEST(RecordMapperTest, StagesArePerPipeline) {
  RecordMapper mapper = Mapper(Config("UTC"));
  json deal = HubspotDeal();
  deal["properties"]["pipeline"] = "12345";
  deal["properties"]["dealstage"] = "p-negotiate";
  auto opp = mapper.ToCanonical(deal);
  ASSERT_OK(opp);
  EXPECT_EQ(opp->stage, Stage::kProposal);
  // The default pipeline's value is unknown in pipeline 12345.
  deal["properties"]["dealstage"] = "contractsent";
  auto bad = mapper.ToCanonical(deal);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(
                "stage: value \"contractsent\" at /properties/dealstage is not in [stages]"),
            std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("p-quote"), std::string::npos);
}

TEST(RecordMapperTest, AmountFormats) {
  struct Case {
    std::string format;
    json value;
    std::string currency;
    int64_t want_minor;
  } cases[] = {
      {"decimal_string", "1234.5", "EUR", 123450},
      {"decimal_string", "-0.120", "EUR", -12},  // trailing zeros past the digits are exact
      {"decimal_string", "1000", "JPY", 1000},
      {"decimal_string", "1.2340", "KWD", 1234},
      {"number", json::parse("1234.5"), "EUR", 123450},
      {"number", json::parse("99999999.99"), "USD", 9999999999},
      {"number", 7, "JPY", 7},
      {"minor_units", 123450, "EUR", 123450},
      {"minor_units", "500", "KWD", 500},
      {"", "12.30", "EUR", 1230},
      {"", json::parse("12.3"), "EUR", 1230},
  };
  for (const auto& c : cases) {
    FieldMap fields = HubspotFields();
    fields["amount"] = F("/properties/amount", c.format);
    RecordMapper mapper = Mapper(Config("UTC"), fields);
    json deal = HubspotDeal();
    deal["properties"]["amount"] = c.value;
    deal["properties"]["deal_currency_code"] = c.currency;
    auto opp = mapper.ToCanonical(deal);
    ASSERT_OK(opp);
    EXPECT_EQ(opp->amount, (Money{c.want_minor, c.currency})) << c.format << " " << c.value;
  }
}

// A CRM value with more digits than its currency has is a partner's error:
// rejected with the reason, never rounded into a different amount.
TEST(RecordMapperTest, AmountsWithMoreDigitsThanTheCurrencyAreRejectedNotRounded) {
  struct Case {
    std::string format;
    json value;
    std::string currency;
  } cases[] = {
      {"decimal_string", "12.345", "USD"},      {"decimal_string", "-0.125", "EUR"},
      {"decimal_string", "1.2345", "KWD"},      {"decimal_string", "100.5", "JPY"},
      {"number", json::parse("12.345"), "USD"},
  };
  for (const auto& c : cases) {
    FieldMap fields = HubspotFields();
    fields["amount"] = F("/properties/amount", c.format);
    RecordMapper mapper = Mapper(Config("UTC"), fields);
    json deal = HubspotDeal();
    deal["properties"]["amount"] = c.value;
    deal["properties"]["deal_currency_code"] = c.currency;
    auto opp = mapper.ToCanonical(deal);
    ASSERT_FALSE(opp.ok()) << c.value << " " << c.currency;
    EXPECT_NE(opp.status().message().find("rejected, not rounded"), std::string::npos)
        << opp.status().ToString();
  }
}

// One number beyond the range of a double rejects the record holding it, with
// the field and the value, and the rest of the page maps.
TEST(RecordMapperTest, AnOverflowingNumberRejectsOnlyItsRecord) {
  for (const std::string& huge :
       {std::string("1e400"), std::string("-1E+400"), "1" + std::string(400, '0')}) {
    for (const char* format : {"number", ""}) {
      FieldMap fields = HubspotFields();
      fields["amount"] = F("/properties/amount", format);
      RecordMapper mapper = Mapper(Config("UTC"), fields);
      const std::string body = std::string(R"({"results":[
        {"id":"1","properties":{"amount":12.5,"deal_currency_code":"USD","note":"1e400 \"x\""}},
        {"id":"2","properties":{"amount":)") +
                               huge + R"(,"deal_currency_code":"USD"}},
        {"id":"3","properties":{"amount":7,"deal_currency_code":"USD","p":[1e-400,-0.5e3]}}]})";
      auto page = ParseJsonBody(body, "hubspot search");
      ASSERT_OK(page);
      const json& results = (*page)["results"];
      ASSERT_EQ(results.size(), 3u);
      EXPECT_EQ(results[0]["properties"]["note"], "1e400 \"x\"");  // strings untouched
      auto first = mapper.ToCanonical(results[0]);
      ASSERT_OK(first);
      EXPECT_EQ(first->amount, (Money{1250, "USD"}));
      auto second = mapper.ToCanonical(results[1]);
      ASSERT_FALSE(second.ok()) << huge;
      EXPECT_EQ(second.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(second.status().message().find("amount: value \"" + huge.substr(0, 20)),
                std::string::npos)
          << second.status().message();
      auto third = mapper.ToCanonical(results[2]);
      ASSERT_OK(third);
      EXPECT_EQ(third->amount, (Money{700, "USD"}));
    }
  }
  // Not JSON stays not JSON, whatever numbers it holds.
  EXPECT_EQ(ParseJsonBody(R"({"a":1e400,)", "x").status().code(), StatusCode::kUnavailable);
}

TEST(RecordMapperTest, DefaultCurrencyWhenRecordHasNone) {
  FieldMap fields = HubspotFields();
  fields.erase("currency");
  RecordMapper mapper = Mapper(Config("UTC", "GBP"), fields);
  auto opp = mapper.ToCanonical(HubspotDeal());
  ASSERT_OK(opp);
  EXPECT_EQ(opp->amount, (Money{123450, "GBP"}));
  // Mapped but empty also falls back.
  RecordMapper with_field = Mapper(Config("UTC", "GBP"));
  json deal = HubspotDeal();
  deal["properties"]["deal_currency_code"] = "";
  opp = with_field.ToCanonical(deal);
  ASSERT_OK(opp);
  EXPECT_EQ(opp->amount->currency, "GBP");
}

TEST(RecordMapperTest, EmptyValuesAreAbsent) {
  RecordMapper mapper = Mapper(Config("UTC"));
  json deal = HubspotDeal();
  deal["properties"]["amount"] = "";
  deal["properties"]["closedate"] = nullptr;
  deal["properties"].erase("dealstage");
  auto opp = mapper.ToCanonical(deal);
  ASSERT_OK(opp);
  EXPECT_FALSE(opp->amount);
  EXPECT_FALSE(opp->close_date);
  EXPECT_FALSE(opp->stage);
}

TEST(RecordMapperTest, RejectsNameTheFieldAndValue) {
  RecordMapper mapper = Mapper(Config("UTC", ""));
  struct Case {
    std::string pointer;
    json value;
    std::string expect;
  } cases[] = {
      {"/properties/amount", "12,50", "amount: value \"12,50\" at /properties/amount"},
      {"/properties/amount", json::object(), "amount: value {} at /properties/amount"},
      {"/properties/deal_currency_code", "EURO",
       "currency: value \"EURO\" at /properties/deal_currency_code is not an ISO 4217 code"},
      {"/properties/closedate", "next week", "close_date: value \"next week\""},
      {"/properties/hs_lastmodifieddate", "yesterday", "modified_at: value \"yesterday\""},
      {"/archived", "maybe", "deleted: value \"maybe\" at /archived is not a boolean"},
      {"/properties/dealname", json::array(), "name: value [] at /properties/dealname"},
      {"/id", nullptr, "id: missing"},
  };
  for (const auto& c : cases) {
    json deal = HubspotDeal();
    deal[json::json_pointer(c.pointer)] = c.value;
    auto opp = mapper.ToCanonical(deal);
    ASSERT_FALSE(opp.ok()) << c.pointer;
    EXPECT_EQ(opp.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(opp.status().message().find(c.expect), std::string::npos) << opp.status().message();
  }
  EXPECT_FALSE(mapper.ToCanonical(json::array()).ok());
  EXPECT_FALSE(mapper.ToCanonical(json("text")).ok());
  json no_currency = HubspotDeal();
  no_currency["properties"].erase("deal_currency_code");
  auto opp = mapper.ToCanonical(no_currency);
  ASSERT_FALSE(opp.ok());
  EXPECT_NE(opp.status().message().find("no currency"), std::string::npos);
}

TEST(RecordMapperTest, SalesforceShapesAndRelationshipFields) {
  FieldMap fields = {{"id", F("/Id")},
                     {"name", F("/Name")},
                     {"account", F("/Account/Name")},
                     {"owner", F("/Owner/Name")},
                     {"stage", F("/StageName")},
                     {"amount", F("/Amount", "number")},
                     {"currency", F("/CurrencyIsoCode")},
                     {"close_date", F("/CloseDate", "iso_date")},
                     {"modified_at", F("/SystemModstamp", "iso_datetime")},
                     {"deleted", F("/IsDeleted", "bool")}};
  StageMaps stages;
  stages[""].native_by_stage[Stage::kProposal] = {"Proposal/Price Quote", "Negotiation/Review"};
  stages[""].native_by_stage[Stage::kClosedWon] = {"Closed Won"};
  RecordMapper mapper = Mapper(Config("America/Los_Angeles", "USD"), fields, stages);
  json rec = json::parse(R"({"attributes":{"type":"Opportunity"},"Id":"006A","Name":"Big",
    "Account":{"attributes":{},"Name":"Acme"},"Owner":null,"StageName":"Negotiation/Review",
    "Amount":1234.5,"CurrencyIsoCode":"EUR","CloseDate":"2026-12-01",
    "SystemModstamp":"2026-11-23T10:00:00.000+0000","IsDeleted":true})");
  auto opp = mapper.ToCanonical(rec);
  ASSERT_OK(opp);
  EXPECT_EQ(opp->account, "Acme");
  EXPECT_EQ(opp->owner, "");
  EXPECT_EQ(opp->stage, Stage::kProposal);
  EXPECT_EQ(opp->amount, (Money{123450, "EUR"}));
  EXPECT_EQ(opp->close_date, (CalendarDate{2026, 12, 1}));
  EXPECT_EQ(FormatTimestamp(opp->modified_at), "2026-11-23T10:00:00.000Z");
  EXPECT_TRUE(opp->deleted);
  EXPECT_EQ(mapper.ApiName("account"), "Name");
  EXPECT_EQ(mapper.ApiName("amount"), "Amount");
  EXPECT_EQ(mapper.ApiName("nope"), "");

  RecordUpdate update;
  update.native_id = "006A";
  update.stage = Stage::kClosedWon;
  update.amount = Money{99950, "EUR"};
  update.close_date = CalendarDate{2027, 1, 31};
  auto patch = mapper.ToNativePatch(update);
  ASSERT_OK(patch);
  EXPECT_EQ(*patch, json::parse(R"({"StageName":"Closed Won","Amount":999.5,
    "CurrencyIsoCode":"EUR","CloseDate":"2027-01-31"})"));
}

// Every write format reads back as the value written (round trip), including
// close dates on DST transition days and in a zone where midnight is skipped.
TEST(RecordMapperTest, PatchRoundTripsForEveryFormat) {
  const char* zones[] = {
      "UTC",         "America/New_York", "Europe/Berlin", "America/Santiago", "Pacific/Chatham",
      "Asia/Kolkata"};
  const CalendarDate dates[] = {{2026, 3, 8}, {2026, 11, 1}, {2026, 3, 29}, {2026, 10, 25},
                                {2026, 9, 6}, {2026, 4, 5},  {2024, 2, 29}, {2026, 12, 31}};
  const char* amount_formats[] = {"decimal_string", "number", "minor_units", ""};
  const char* date_formats[] = {"iso_date", "iso_datetime", "epoch_ms", "epoch_s", ""};
  const Money amounts[] = {{123450, "EUR"}, {-5, "USD"}, {1000, "JPY"}, {1235, "KWD"}};
  for (const char* zone : zones) {
    for (const char* af : amount_formats) {
      for (const char* df : date_formats) {
        FieldMap fields = HubspotFields();
        fields["amount"] = F("/properties/amount", af);
        fields["close_date"] = F("/properties/closedate", df);
        RecordMapper mapper = Mapper(Config(zone), fields);
        for (const auto& date : dates) {
          for (const auto& money : amounts) {
            RecordUpdate update;
            update.pipeline = "12345";
            update.stage = Stage::kClosedLost;
            update.amount = money;
            update.close_date = date;
            auto patch = mapper.ToNativePatch(update);
            ASSERT_OK(patch);
            json deal = HubspotDeal();
            deal["properties"]["pipeline"] = "12345";
            deal.merge_patch(*patch);
            auto back = mapper.ToCanonical(deal);
            ASSERT_OK(back);
            EXPECT_EQ(back->stage, Stage::kClosedLost);
            EXPECT_EQ(back->native_stage, "p-lost");  // first listed value is written
            EXPECT_EQ(back->amount, money) << af;
            EXPECT_EQ(back->close_date, date)
                << zone << " " << df << " " << FormatDate(date) << " " << patch->dump();
          }
        }
      }
    }
  }
}

TEST(RecordMapperTest, PatchRefusesSilentCurrencyConversion) {
  FieldMap fields = HubspotFields();
  fields.erase("currency");
  RecordMapper mapper = Mapper(Config("UTC", "EUR"), fields);
  RecordUpdate update;
  update.amount = Money{100, "USD"};
  auto patch = mapper.ToNativePatch(update);
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.status().code(), StatusCode::kFailedPrecondition);
  update.amount = Money{100, "EUR"};
  patch = mapper.ToNativePatch(update);
  ASSERT_OK(patch);
  EXPECT_EQ(*patch, json::parse(R"({"properties":{"amount":"1.00"}})"));
}

TEST(RecordMapperTest, PatchOmitsUnsetFieldsAndRejectsUnmapped) {
  RecordMapper mapper = Mapper(Config("UTC"));
  RecordUpdate update;
  update.native_id = "1";
  auto patch = mapper.ToNativePatch(update);
  ASSERT_OK(patch);
  EXPECT_EQ(*patch, json::object());

  FieldMap fields = HubspotFields();
  fields.erase("close_date");
  RecordMapper no_date = Mapper(Config("UTC"), fields);
  update.close_date = CalendarDate{2026, 1, 1};
  EXPECT_EQ(no_date.ToNativePatch(update).status().code(), StatusCode::kFailedPrecondition);

  StageMaps partial;
  partial["default"].native_by_stage[Stage::kQualified] = {"qualifiedtobuy"};
  RecordMapper few = Mapper(Config("UTC"), HubspotFields(), partial);
  RecordUpdate stage_update;
  stage_update.pipeline = "default";
  stage_update.stage = Stage::kClosedWon;
  EXPECT_EQ(few.ToNativePatch(stage_update).status().code(), StatusCode::kFailedPrecondition);
}

TEST(RecordMapperTest, ConfigOverridesDefaultsAndStages) {
  SourceConfig config = Config("UTC");
  config.fields["registration_id"] = F("/properties/partner_reg", "string");
  config.stages[""].native_by_stage[Stage::kQualified] = {"qualified"};
  RecordMapper mapper = Mapper(config);
  EXPECT_EQ(mapper.Find("registration_id")->pointer, "/properties/partner_reg");
  EXPECT_EQ(mapper.stage_maps().size(), 1u);  // file's [stages] replace the defaults
  auto names = mapper.ApiNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "partner_reg"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "hs_lastmodifieddate"), names.end());
}

TEST(RecordMapperTest, CreateReportsEveryBadMappingWithLocation) {
  SourceConfig config = Config("Mars/Olympus_Mons");
  config.fields["amount"] = FieldMapping{"/value", "iso_date", {"partners.d/x.toml", 12, 3}};
  config.fields["stagee"] = FieldMapping{"/status", "", {"partners.d/x.toml", 13, 1}};
  config.fields["close_date"] = FieldMapping{"no-slash", "", {"partners.d/x.toml", 14, 1}};
  auto mapper = RecordMapper::Create(config, HubspotFields(), HubspotStages());
  ASSERT_FALSE(mapper.ok());
  const std::string m = mapper.status().message();
  EXPECT_NE(m.find("partners.d/x.toml:12:3: fields.amount: format \"iso_date\" does not apply"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("partners.d/x.toml:13:1: fields.stagee: unknown canonical field"),
            std::string::npos);
  EXPECT_NE(m.find("partners.d/x.toml:14:1: fields.close_date:"), std::string::npos);
  EXPECT_NE(m.find("time_zone:"), std::string::npos);

  FieldMap no_id = HubspotFields();
  no_id.erase("id");
  EXPECT_FALSE(RecordMapper::Create(Config("UTC"), no_id, HubspotStages()).ok());
  EXPECT_FALSE(RecordMapper::Create(Config("UTC"), HubspotFields(), StageMaps{}).ok());
}

// Pipedrive API v2 deals: won/lost live in `status`, open stages in a numeric
// `stage_id` (https://developers.pipedrive.com/docs/api/v1/Deals#updateDeal, v2).
StageMaps PipedriveStages() {
  StageMaps maps;
  auto& s = maps[""].native_by_stage;
  s[Stage::kProspect] = {"1"};
  s[Stage::kQualified] = {"2"};
  s[Stage::kDiscovery] = {"3"};
  s[Stage::kSolution] = {"4"};
  s[Stage::kProposal] = {"5"};
  return maps;
}

SourceConfig PipedriveConfig() {
  SourceConfig c = Config("UTC", "");
  c.fields = {{"id", F("/id", "number")},
              {"stage", F("/stage_id", "number")},
              {"status", F("/status")},
              {"amount", F("/value", "number")},
              {"currency", F("/currency")},
              {"close_date", F("/expected_close_date", "iso_date")},
              {"modified_at", F("/update_time", "iso_datetime")},
              {"deleted", F("/is_deleted", "bool")}};
  c.statuses = {{"open", std::nullopt}, {"won", Stage::kClosedWon}, {"lost", Stage::kClosedLost}};
  return c;
}

TEST(RecordMapperTest, StageFromAStatusAndANumericStageId) {
  auto m = RecordMapper::Create(PipedriveConfig(), FieldMap{}, PipedriveStages());
  ASSERT_OK(m);
  auto open = m->ToCanonical(json::parse(
      R"({"id":7,"stage_id":4,"status":"open","value":10,"currency":"EUR",
          "update_time":"2026-11-23T10:00:00Z"})"));
  ASSERT_OK(open);
  EXPECT_EQ(open->stage, Stage::kSolution);
  EXPECT_EQ(open->native_id, "7");
  auto won = m->ToCanonical(
      json::parse(R"({"id":7,"stage_id":5,"status":"won","update_time":"2026-11-23T10:00:00Z"})"));
  ASSERT_OK(won);
  EXPECT_EQ(won->stage, Stage::kClosedWon);
  auto odd = m->ToCanonical(json::parse(
      R"({"id":7,"stage_id":5,"status":"deleted","update_time":"2026-11-23T10:00:00Z"})"));
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(),
            "status: value \"deleted\" at /status is not in [statuses] (known: lost, open, won)");
  // A deleted deal's status names no stage; the stage field still does.
  auto gone = m->ToCanonical(json::parse(
      R"({"id":7,"stage_id":5,"status":"deleted","is_deleted":true,
          "update_time":"2026-11-23T10:00:00Z"})"));
  ASSERT_OK(gone);
  EXPECT_TRUE(gone->deleted);
  EXPECT_EQ(gone->stage, Stage::kProposal);

  RecordUpdate to_solution{"7", "", Stage::kSolution, std::nullopt, std::nullopt, ""};
  auto patch = m->ToNativePatch(to_solution);
  ASSERT_OK(patch);
  EXPECT_EQ(*patch, json::parse(R"({"stage_id":4,"status":"open"})")) << patch->dump();
  EXPECT_TRUE((*patch)["stage_id"].is_number_integer());
  RecordUpdate to_lost{"7", "", Stage::kClosedLost, std::nullopt, std::nullopt, ""};
  auto lost = m->ToNativePatch(to_lost);
  ASSERT_OK(lost);
  EXPECT_EQ(*lost, json::parse(R"({"status":"lost"})"));
}

TEST(RecordMapperTest, NumericStageNeedsIntegerNativeValues) {
  StageMaps stages = PipedriveStages();
  stages[""].native_by_stage[Stage::kProposal] = {"five"};
  auto m = RecordMapper::Create(PipedriveConfig(), FieldMap{}, stages);
  ASSERT_OK(m);
  RecordUpdate to_proposal{"7", "", Stage::kProposal, std::nullopt, std::nullopt, ""};
  auto patch = m->ToNativePatch(to_proposal);
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.status().message(),
            "stage: native value \"five\" for proposal is not an integer, but fields.stage has "
            "format = \"number\"");
}

// SuiteCRM keeps currencies as ids; "-99" is the system currency.
TEST(RecordMapperTest, CurrencyIdsMapToIsoCodesAndUnknownOnesAreRejected) {
  SourceConfig c = Config("UTC", "");
  c.fields = {{"id", F("/id")},
              {"amount", F("/attributes/amount", "decimal_string")},
              {"currency", F("/attributes/currency_id")},
              {"modified_at", F("/attributes/date_modified", "iso_datetime")}};
  c.currencies = {{"-99", "EUR"}, {"a1f0c2d4", "USD"}};
  auto m = RecordMapper::Create(c, FieldMap{}, StageMaps{});
  ASSERT_OK(m);
  auto deal = [](const char* currency) {
    json d = json::parse(R"({"id":"u1","attributes":{"amount":"1200.00",
        "date_modified":"2026-11-23T10:00:00+00:00"}})");
    if (currency != nullptr) {
      d["attributes"]["currency_id"] = currency;
    }
    return d;
  };
  auto eur = m->ToCanonical(deal("-99"));
  ASSERT_OK(eur);
  EXPECT_EQ(eur->amount->currency, "EUR");
  EXPECT_EQ(eur->amount->minor, 120000);
  auto usd = m->ToCanonical(deal("a1f0c2d4"));
  ASSERT_OK(usd);
  EXPECT_EQ(usd->amount->currency, "USD");
  auto unknown = m->ToCanonical(deal("b7"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "currency: value \"b7\" at /attributes/currency_id is not an ISO 4217 code and not "
            "in [currencies]");
  auto missing = m->ToCanonical(deal(nullptr));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "currency: the record has no value at /attributes/currency_id and the source states "
            "no currency (set currency = \"EUR\" in the file only if every deal without one is in "
            "EUR)");
  // Written back as the id that stands for the code.
  RecordUpdate update{"u1", "", std::nullopt, Money{5000, "USD"}, std::nullopt, ""};
  auto patch = m->ToNativePatch(update);
  ASSERT_OK(patch);
  EXPECT_EQ((*patch)["attributes"]["currency_id"], "a1f0c2d4");
  EXPECT_EQ((*patch)["attributes"]["amount"], "50.00");
}

TEST(RecordMapperTest, CurrencyThatIsNoIsoCodeIsRejectedWithAHint) {
  SourceConfig c = Config("UTC", "EUR");
  c.fields = {{"id", F("/id")},
              {"amount", F("/amount", "number")},
              {"currency", F("/currency_id")},
              {"modified_at", F("/modified", "epoch_ms")}};
  auto m = RecordMapper::Create(c, FieldMap{}, StageMaps{});
  ASSERT_OK(m);
  auto r = m->ToCanonical(json::parse(R"({"id":"1","amount":5,"currency_id":"-99","modified":1})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "currency: value \"-99\" at /currency_id is not an ISO 4217 code (if it is a currency "
            "id, say what it stands for under [currencies], e.g. \"-99\" = \"EUR\")");
}

}  // namespace
}  // namespace dealsync::connectors
