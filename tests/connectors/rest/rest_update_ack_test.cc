// Acknowledgement means acknowledged: a 2xx reply to an update whose body is
// not JSON is not taken as success, and a locked record is retried later.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/rest/rest_connector.h"
#include "rest_test_configs.h"
#include "src/platform/fake_clock.h"
#include "support/test_support.h"

namespace dealsync::connectors::rest {
namespace {

using dealsync::testing::ContosoConfig;
using dealsync::testing::NorthwindConfig;
using dealsync::testing::RunAwaitable;
using dealsync::testing::ScriptedTransport;
using ::testing::HasSubstr;

RecordUpdate Won(std::string id) {
  RecordUpdate u;
  u.native_id = std::move(id);
  u.stage = Stage::kClosedWon;
  return u;
}

class RestUpdateAckTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestConnector> Make(const SourceConfig& config) {
    config_ = config;
    ConnectorContext context{config_, transport_, clock_};
    auto connector = RestConnector::Create(context);
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    return connector.ok() ? std::move(*connector) : nullptr;
  }
  SourceConfig config_;
  ScriptedTransport transport_;
  FakeClock clock_;
};

TEST_F(RestUpdateAckTest, SingleUpdateAnsweredWithAGarbageBodyIsNotAcknowledged) {
  auto c = Make(NorthwindConfig());
  transport_.Push(200, "<html><body>502 upstream hiccup</body></html>");
  transport_.Push(200, R"({"id":"nw-2","status":"Won")");  // cut off
  transport_.Push(204, "");                                // no body: a plain success
  transport_.Push(200, "  \n");
  auto outcomes = RunAwaitable(c->Update({Won("nw-1"), Won("nw-2"), Won("nw-3"), Won("nw-4")}));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 4u);
  EXPECT_EQ((*outcomes)[0].status.code(), StatusCode::kUnavailable);
  EXPECT_THAT((*outcomes)[0].status.message(), HasSubstr("not acknowledged"));
  EXPECT_EQ((*outcomes)[1].status.code(), StatusCode::kUnavailable);
  EXPECT_OK((*outcomes)[2].status);
  EXPECT_OK((*outcomes)[3].status);
}

TEST_F(RestUpdateAckTest, LockedRecordIsRetriedLaterNotAPersonsJob) {
  auto single = Make(NorthwindConfig());
  transport_.Push(423, R"({"error":{"code":"locked","message":"locked by approval"}})");
  auto one = RunAwaitable(single->Update({Won("nw-1")}));
  ASSERT_OK(one);
  EXPECT_EQ((*one)[0].status.code(), StatusCode::kAborted);

  auto batch = Make(ContosoConfig());
  transport_.Push(200, R"({"results":[{"opportunityId":7,"ok":false,"error":"locked by approval"},
                                      {"opportunityId":8,"ok":false,"error":"amount invalid"}]})");
  auto two = RunAwaitable(batch->Update({Won("7"), Won("8")}));
  ASSERT_OK(two);
  EXPECT_EQ((*two)[0].status.code(), StatusCode::kAborted);
  EXPECT_THAT((*two)[0].status.message(), HasSubstr("locked by approval"));
  EXPECT_EQ((*two)[1].status.code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dealsync::connectors::rest
