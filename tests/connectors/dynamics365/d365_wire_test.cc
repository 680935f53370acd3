// Dataverse wire details, sans-io: rows to canonical records, the write plan
// for each kind of target, OData errors to Status codes, $batch bodies.
#include "connectors/dynamics365/d365_wire.h"

#include <gtest/gtest.h>

#include "connectors/dynamics365/d365_batch.h"
#include "tests/support/test_support.h"

namespace dealsync::connectors::dynamics365 {
namespace {

using nlohmann::json;

const std::string kEur = "c0ffee02-0000-4000-8000-000000000002";
const std::string kUsd = "c0ffee01-0000-4000-8000-000000000001";

StageMaps Stages() {
  StageMaps m;
  auto& s = m[""].native_by_stage;
  s[Stage::kQualified] = {"0"};
  s[Stage::kDiscovery] = {"1"};
  s[Stage::kProposal] = {"2", "3"};
  s[Stage::kClosedWon] = {"Won"};
  s[Stage::kClosedLost] = {"Lost"};
  return m;
}

std::optional<std::string> Iso(const std::string& id) {
  if (id == kEur)
    return std::string("EUR");
  if (id == kUsd)
    return std::string("USD");
  return std::nullopt;
}
std::optional<std::string> IdOf(const std::string& iso) {
  if (iso == "EUR")
    return kEur;
  if (iso == "USD")
    return kUsd;
  return std::nullopt;
}

class WireTest : public ::testing::Test {
 protected:
  WireTest() {
    settings_.registration_column = "new_dealregistrationid";
    ctx_.source = "fabrikam";
    ctx_.settings = &settings_;
    ctx_.stages = &stages_;
    ctx_.zone = &zone_;
    ctx_.default_currency = "USD";
    ctx_.currency_iso = Iso;
  }
  json Row(int state, json stage, json value = 1234.5) {
    return {{"@odata.etag", "W/\"77\""},
            {"opportunityid", "6f1c0000-0000-4000-8000-000000000001"},
            {"name", "Big deal"},
            {"statecode", state},
            {"salesstage", stage},
            {"estimatedvalue", value},
            {"_transactioncurrencyid_value", kEur},
            {"estimatedclosedate", "2026-12-01"},
            {"modifiedon", "2026-11-23T10:00:00Z"},
            {"_parentaccountid_value@OData.Community.Display.V1.FormattedValue", "Contoso"},
            {"_ownerid_value@OData.Community.Display.V1.FormattedValue", "Ana"},
            {"new_dealregistrationid", "DR-1"}};
  }
  Settings settings_;
  StageMaps stages_ = Stages();
  TimeZone zone_ = TimeZone::Utc();
  RowContext ctx_;
};

TEST_F(WireTest, ReadsAnOpenRow) {
  auto o = ReadRow(Row(0, 2), ctx_);
  ASSERT_OK(o);
  EXPECT_EQ(o->stage, Stage::kProposal);
  EXPECT_EQ(o->native_stage, "2");
  EXPECT_EQ(o->amount, (Money{123450, "EUR"}));
  EXPECT_EQ(o->close_date, (CalendarDate{2026, 12, 1}));
  EXPECT_EQ(o->account, "Contoso");
  EXPECT_EQ(o->owner, "Ana");
  EXPECT_EQ(o->registration_id, "DR-1");
  EXPECT_EQ(FormatTimestamp(o->modified_at), "2026-11-23T10:00:00.000Z");
}

TEST_F(WireTest, StateDecidesTerminalStages) {
  EXPECT_EQ(ReadRow(Row(1, 0), ctx_)->stage, Stage::kClosedWon);
  EXPECT_EQ(ReadRow(Row(2, 3), ctx_)->stage, Stage::kClosedLost);
  auto bad = ReadRow(Row(0, 7), ctx_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"7\""), std::string::npos) << bad.status().message();
  json unknown_currency = Row(0, 1);
  unknown_currency["_transactioncurrencyid_value"] = "c0ffee99-0000-4000-8000-000000000099";
  EXPECT_FALSE(ReadRow(unknown_currency, ctx_).ok());
}

TEST_F(WireTest, DeletedEntity) {
  json entry = {
      {"@odata.context", "https://org/api/data/v9.2/$metadata#opportunities/$deletedEntity"},
      {"id", "6f1c0000-0000-4000-8000-000000000009"},
      {"reason", "deleted"}};
  EXPECT_TRUE(IsDeletedEntity(entry));
  EXPECT_FALSE(IsDeletedEntity(Row(0, 1)));
  auto o = ReadDeleted(entry, "fabrikam", TimestampFromEpochMs(5000));
  ASSERT_OK(o);
  EXPECT_TRUE(o->deleted);
  EXPECT_EQ(o->native_id, "6f1c0000-0000-4000-8000-000000000009");
}

TEST_F(WireTest, CursorRoundTrips) {
  Cursor c;
  c.delta_link = "https://org/api/data/v9.2/opportunities?$deltatoken=1%212";
  c.watermark = TimestampFromEpochMs(1234);
  auto back = Cursor::Decode(c.Encode());
  ASSERT_OK(back);
  EXPECT_EQ(back->delta_link, c.delta_link);
  EXPECT_EQ(back->watermark, c.watermark);
  EXPECT_EQ(Cursor::Decode("not json").status().code(), StatusCode::kDataLoss);
}

TEST_F(WireTest, QueriesAndPrefer) {
  EXPECT_EQ(ReadPreferHeader(settings_),
            "odata.track-changes,odata.maxpagesize=500,odata.include-annotations=\"OData."
            "Community.Display.V1.FormattedValue\"");
  const std::string q = InitialQuery(settings_, TimestampFromEpochMs(86'400'000));
  EXPECT_NE(q.find("&$filter="), std::string::npos) << q;
  EXPECT_NE(q.find("&$orderby="), std::string::npos) << q;
  EXPECT_NE(q.find(UrlEncode("modifiedon ge 1970-01-02T00:00:00Z")), std::string::npos) << q;
  EXPECT_NE(q.find("new_dealregistrationid"), std::string::npos);
}

struct PlanCase {
  const char* what;
  int statecode;
  std::optional<Stage> stage;
  std::optional<Money> amount;
  bool allow_reopen;
  StatusCode code;
  UpdatePlan::Close close;
  std::vector<std::string> keys;  // expected patch keys
};

TEST_F(WireTest, PlanTable) {
  const std::vector<PlanCase> cases = {
      {"open -> other open stage",
       0,
       Stage::kDiscovery,
       std::nullopt,
       false,
       StatusCode::kOk,
       UpdatePlan::Close::kNone,
       {"salesstage"}},
      {"open -> won: guarded action",
       0,
       Stage::kClosedWon,
       std::nullopt,
       false,
       StatusCode::kOk,
       UpdatePlan::Close::kWin,
       {"salesstage"}},
      {"open -> lost with amount",
       0,
       Stage::kClosedLost,
       Money{100, "EUR"},
       false,
       StatusCode::kOk,
       UpdatePlan::Close::kLose,
       {"estimatedvalue"}},
      {"other currency binds",
       0,
       std::nullopt,
       Money{100, "USD"},
       false,
       StatusCode::kOk,
       UpdatePlan::Close::kNone,
       {"estimatedvalue", "transactioncurrencyid@odata.bind"}},
      {"currency not in org",
       0,
       std::nullopt,
       Money{100, "CHF"},
       false,
       StatusCode::kFailedPrecondition,
       UpdatePlan::Close::kNone,
       {}},
      {"won -> open, policy keeps it closed",
       1,
       Stage::kQualified,
       std::nullopt,
       false,
       StatusCode::kFailedPrecondition,
       UpdatePlan::Close::kNone,
       {}},
      {"won -> open, reopening allowed",
       1,
       Stage::kQualified,
       std::nullopt,
       true,
       StatusCode::kOk,
       UpdatePlan::Close::kNone,
       {"salesstage", "statecode", "statuscode"}},
      {"won -> lost, reopening allowed",
       1,
       Stage::kClosedLost,
       std::nullopt,
       true,
       StatusCode::kOk,
       UpdatePlan::Close::kLose,
       {"statecode", "statuscode"}},
      {"closed deal is read-only",
       2,
       std::nullopt,
       Money{5, "EUR"},
       false,
       StatusCode::kFailedPrecondition,
       UpdatePlan::Close::kNone,
       {}},
      {"unmapped stage",
       0,
       Stage::kProspect,
       std::nullopt,
       false,
       StatusCode::kFailedPrecondition,
       UpdatePlan::Close::kNone,
       {}},
  };
  for (const PlanCase& c : cases) {
    RowState row;
    row.etag = "W/\"1\"";
    row.statecode = c.statecode;
    row.stage_value = 1;
    row.currency_id = kEur;
    RecordUpdate u;
    u.native_id = "x";
    u.stage = c.stage;
    u.amount = c.amount;
    auto plan = PlanUpdate(u, row, settings_, stages_, c.allow_reopen, IdOf);
    EXPECT_EQ(plan.status().code(), c.code) << c.what << ": " << plan.status().ToString();
    if (!plan.ok())
      continue;
    EXPECT_EQ(plan->close, c.close) << c.what;
    std::vector<std::string> keys;
    for (const auto& [k, v] : plan->patch.items())
      keys.push_back(k);
    EXPECT_EQ(keys, c.keys) << c.what << ": " << plan->patch.dump();
  }
}

TEST_F(WireTest, CloseActionBody) {
  json body = CloseActionBody("abc", settings_, true);
  EXPECT_EQ(body["Status"], 3);
  EXPECT_EQ(body["OpportunityClose"]["opportunityid@odata.bind"], "/opportunities(abc)");
  EXPECT_EQ(CloseActionBody("abc", settings_, false)["Status"], 4);
}

HttpResponse Answer(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST_F(WireTest, ODataErrorsToStatus) {
  Status limited = ODataError(
      Answer(429, R"({"error":{"code":"0x80072321","message":"Combined execution time"}})",
             {{"Retry-After", "12"}}),
      "read");
  EXPECT_EQ(limited.code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(limited.retry_after().has_value());
  EXPECT_EQ(*limited.retry_after(), std::chrono::seconds(12));
  EXPECT_NE(limited.message().find("0x80072321"), std::string::npos);
  EXPECT_EQ(ODataError(Answer(412, R"({"error":{"code":"0x80060882","message":"v"}})"), "u").code(),
            StatusCode::kAborted);
  EXPECT_EQ(
      ODataError(Answer(400, R"({"error":{"code":"0x80060888","message":"bad"}})"), "u").code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(ODataError(Answer(503, "oops"), "u").code(), StatusCode::kUnavailable);
  EXPECT_EQ(ODataErrorCode(R"({"error":{"code":"0x80044352","message":"x"}})"), "0x80044352");
}

TEST(BatchTest, BuildsChangeSetsAndReadsTheResponse) {
  std::vector<ChangeSet> sets = {
      {{"PATCH", "https://org/api/data/v9.2/opportunities(a)", {{"If-Match", "W/\"1\""}}, "{}"}},
      {{"PATCH", "https://org/api/data/v9.2/opportunities(b)", {}, "{}"},
       {"POST", "https://org/api/data/v9.2/WinOpportunity", {}, "{\"Status\":3}"}}};
  const std::string body = BuildBatchBody(sets, "batch_x");
  EXPECT_EQ(
      body.rfind("--batch_x\r\nContent-Type: multipart/mixed; boundary=changeset_1_batch_x", 0),
      0u);
  EXPECT_NE(body.find("Content-ID: 3\r\n"), std::string::npos);
  EXPECT_NE(body.find("If-Match: W/\"1\"\r\n"), std::string::npos);
  EXPECT_NE(body.find("--batch_x--\r\n"), std::string::npos);

  const std::string response =
      "--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
      "\r\nHTTP/1.1 412 Precondition Failed\r\nContent-Type: application/json\r\n\r\n"
      "{\"error\":{\"code\":\"0x80060882\",\"message\":\"v\"}}\r\n"
      "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n"
      "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: "
      "binary\r\nContent-ID: 2\r\n\r\nHTTP/1.1 204 No Content\r\nOData-Version: 4.0\r\n\r\n\r\n"
      "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: "
      "binary\r\nContent-ID: 3\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n"
      "--changesetresponse_2--\r\n--batchresponse_1--\r\n";
  auto parsed = ParseBatchResponse("multipart/mixed; boundary=batchresponse_1", response);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->size(), 2u);
  ASSERT_EQ((*parsed)[0].size(), 1u);
  EXPECT_EQ((*parsed)[0][0].response.status, 412);
  EXPECT_EQ(ODataErrorCode((*parsed)[0][0].response.body), "0x80060882");
  ASSERT_EQ((*parsed)[1].size(), 2u);
  EXPECT_EQ((*parsed)[1][1].response.status, 204);
  EXPECT_EQ((*parsed)[1][1].content_id, "3");
  EXPECT_EQ(ParseBatchResponse("application/json", "{}").status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ParseBatchResponse("multipart/mixed; boundary=b", "--b\r\nContent-Type: x").ok());
}

}  // namespace
}  // namespace dealsync::connectors::dynamics365
