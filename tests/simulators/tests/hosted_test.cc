// The simulators over real loopback TLS: OAuth + query against Salesforce, the
// control API, a truncated body, and HubSpot search, with the test CA trusted.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "src/platform/fake_clock.h"
#include "src/transport/beast_http_client.h"
#include "tests/simulators/hubspot_sim.h"
#include "tests/simulators/salesforce_sim.h"
#include "tests/simulators/simulator_host.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_support.h"

namespace dealsync::sim {
namespace {

HttpRequest Request(std::string method, std::string url, std::string body = "",
                    HttpHeaders headers = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.timeout = std::chrono::seconds(10);
  return r;
}

TEST(SimulatorHost, ServesOverLoopbackTls) {
  const auto& certs = testing::GetTestCerts();
  boost::asio::io_context io;
  FakeClock clock;
  ScriptedRandom random({3, 1, 4});
  SimulatorHost host(io.get_executor(), clock, certs.server_cert, certs.server_key);
  auto sf = std::make_unique<SalesforceSim>(clock, random);
  ASSERT_OK(sf->CreateRecord({{"Name", "hosted"}, {"StageName", "Prospecting"}}));
  auto sf_port = host.Add("salesforce", std::move(sf));
  ASSERT_OK(sf_port);
  ASSERT_OK(host.Add("hubspot", std::make_unique<HubSpotSim>(clock, random)));
  EXPECT_EQ(host.Add("hubspot", std::make_unique<HubSpotSim>(clock, random)).status().code(),
            StatusCode::kInvalidArgument);
  ClientOptions options;
  options.ca_file = certs.ca_file;
  BeastHttpClient client(io.get_executor(), options);
  const std::string sf_url = host.BaseUrl("salesforce");
  const std::string hs_url = host.BaseUrl("hubspot");

  bool finished = false;
  // g++ 12 miscompiles string literals inside co_await expressions ("array used
  // as initializer"), so every request is built before the coroutine runs.
  const HttpRequest token_request =
      Request("POST", sf_url + "/services/oauth2/token",
              "grant_type=client_credentials&client_id=sf-client-id&client_secret=sf-client-secret",
              {{"Content-Type", "application/x-www-form-urlencoded"}});
  const std::string query =
      sf_url + "/services/data/v59.0/queryAll?q=" + UrlEncode("SELECT Id, Name FROM Opportunity");
  const HttpRequest add_faults =
      Request("POST", sf_url + "/__sim/faults",
              R"([{"kind":"truncate","method":"GET","path_prefix":"/services/data"},)"
              R"({"kind":"stall","stall_ms":50,"method":"GET"}])",
              {{"Content-Type", "application/json"}});
  const HttpRequest stats_request = Request("GET", sf_url + "/__sim/stats");
  const HttpRequest search_request = Request(
      "POST", hs_url + "/crm/v3/objects/deals/search", R"({"limit":10})",
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer pat-na1-sim-token"}});
  const HttpRequest violations_request = Request("GET", hs_url + "/__sim/violations");
  std::string access_token;
  auto scenario = [&]() -> Awaitable<void> {
    auto token = co_await client.Send(token_request);
    EXPECT_TRUE(token.ok() && token->status == 200);
    const auto body = nlohmann::json::parse(token->body);
    EXPECT_EQ(body["instance_url"], sf_url);
    access_token = body["access_token"].get<std::string>();
    HttpRequest query_request = Request("GET", query);
    query_request.headers.emplace_back("Authorization", "Bearer " + access_token);
    auto page = co_await client.Send(query_request);
    EXPECT_TRUE(page.ok() && page->status == 200);
    EXPECT_NE(page->body.find("hosted"), std::string::npos);
    EXPECT_TRUE(page->header("Sforce-Limit-Info").has_value());

    // Control API: a truncated body, then a stall marker that must not leak.
    auto added = co_await client.Send(add_faults);
    EXPECT_TRUE(added.ok() && added->status == 200);
    auto truncated = co_await client.Send(query_request);
    EXPECT_TRUE(!truncated.ok() || !nlohmann::json::accept(truncated->body));
    auto stalled = co_await client.Send(query_request);
    EXPECT_TRUE(stalled.ok() && stalled->status == 200);
    EXPECT_FALSE(stalled->header("X-Dealsync-Sim-Stall-Ms").has_value());
    EXPECT_EQ(clock.sleeps().size(), 1u);
    auto stats = co_await client.Send(stats_request);
    EXPECT_TRUE(stats.ok() && stats->body.find("queryAll") != std::string::npos);

    auto search = co_await client.Send(search_request);
    EXPECT_TRUE(search.ok() && search->status == 200);
    auto violations = co_await client.Send(violations_request);
    EXPECT_TRUE(violations.ok() && violations->body == "[]");
    finished = true;
    client.CloseIdle();
    host.Stop();
  };
  boost::asio::co_spawn(io, scenario(), [](std::exception_ptr e) {
    if (e)
      std::rethrow_exception(e);
  });
  io.run();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(host.NoViolations()) << host.DescribeViolations();
}

}  // namespace
}  // namespace dealsync::sim
