// Fixtures for the HubSpot connector tests, including an in-memory emulation of
// POST /crm/v3/objects/deals/search (filters, one sort, limit <= 200, `after`,
// and the 10,000-result cap answered with 400 VALIDATION_ERROR as HubSpot does).
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "connectors/hubspot/hubspot_connector.h"
#include "src/platform/fake_clock.h"
#include "support/test_support.h"

namespace dealsync::connectors::hubspot::testing {

using nlohmann::json;

template <typename T>
Result<T> Await(Awaitable<Result<T>> a) {
  return dealsync::testing::RunAwaitable(std::move(a));
}

inline SourceConfig PartnerConfig() {
  SourceConfig c;
  c.id = "globex";
  c.connector = "hubspot";
  c.file = "partners.d/globex-hubspot.toml";
  c.time_zone = "America/New_York";
  c.currency = "USD";
  c.connection.base_url = "https://api.hubapi.test";
  c.fields["registration_id"] = FieldMapping{"/properties/vendor_registration_id", "", {}};
  return c;
}

inline HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

struct FakeDeal {
  int64_t id = 0;
  int64_t modified_ms = 0;
  std::string pipeline = "default";
  std::string stage = "qualifiedtobuy";
};

inline json DealJson(const FakeDeal& d) {
  std::string iso = FormatTimestamp(TimestampFromEpochMs(d.modified_ms));
  return json{{"id", std::to_string(d.id)},
              {"properties",
               {{"hs_object_id", std::to_string(d.id)},
                {"hs_lastmodifieddate", iso},
                {"dealname", "Deal " + std::to_string(d.id)},
                {"pipeline", d.pipeline},
                {"dealstage", d.stage},
                {"amount", "1234.5"},
                {"deal_currency_code", "EUR"},
                {"closedate", "2026-12-01T05:00:00Z"},
                {"vendor_registration_id", "DR-" + std::to_string(d.id)}}},
              {"createdAt", iso},
              {"updatedAt", iso},
              {"archived", false}};
}

// Emulates the search endpoint over `deals`. Ties in the sort property are
// ordered by a scrambled id, as a search index may do.
class FakeSearch {
 public:
  std::vector<FakeDeal> deals;
  int requests = 0;
  int cap_violations = 0;

  Result<HttpResponse> operator()(const HttpRequest& r) {
    ++requests;
    json body = json::parse(r.body);
    int64_t limit = body.at("limit").get<int64_t>();
    int64_t after = std::stoll(body.value("after", std::string("0")));
    if (limit > 200 || after + limit > 10000) {
      ++cap_violations;
      return JsonResponse(400, {{"status", "error"},
                                {"message", "There was a problem with the request."},
                                {"correlationId", "c-cap"},
                                {"category", "VALIDATION_ERROR"}});
    }
    std::vector<FakeDeal> hits;
    for (const auto& d : deals) {
      bool ok = true;
      for (const auto& f : body["filterGroups"][0]["filters"]) {
        std::string prop = f["propertyName"];
        std::string op = f["operator"];
        if (prop == "pipeline") {
          auto values = f["values"].get<std::vector<std::string>>();
          ok = ok && std::find(values.begin(), values.end(), d.pipeline) != values.end();
          continue;
        }
        int64_t v = std::stoll(f["value"].get<std::string>());
        int64_t x = prop == "hs_object_id" ? d.id : d.modified_ms;
        ok = ok && ((op == "GTE" && x >= v) || (op == "GT" && x > v) || (op == "EQ" && x == v));
      }
      if (ok) {
        hits.push_back(d);
      }
    }
    std::string sort = body["sorts"][0]["propertyName"];
    auto scramble = [](int64_t id) { return (id * 2654435761LL) % 1000003; };
    std::sort(hits.begin(), hits.end(), [&](const FakeDeal& a, const FakeDeal& b) {
      if (sort == "hs_object_id") {
        return a.id < b.id;
      }
      if (a.modified_ms != b.modified_ms) {
        return a.modified_ms < b.modified_ms;
      }
      return scramble(a.id) < scramble(b.id);
    });
    json results = json::array();
    for (int64_t i = after; i < std::min<int64_t>(after + limit, hits.size()); ++i) {
      results.push_back(DealJson(hits[i]));
    }
    json out = {{"total", hits.size()}, {"results", results}};
    if (after + limit < static_cast<int64_t>(hits.size())) {
      out["paging"] = {{"next", {{"after", std::to_string(after + limit)}}}};
    }
    return JsonResponse(200, out);
  }
};

struct Harness {
  SourceConfig config = PartnerConfig();
  dealsync::testing::ScriptedTransport transport;
  // "Now" is an hour after the deals the tests serve (stamped from 2026-11-18T11:06:40Z).
  FakeClock clock{TimestampFromEpochMs(1'795'000'000'000 + 3'600'000)};

  std::unique_ptr<HubspotConnector> Make() {
    std::vector<ConfigError> errors;
    Settings settings = ReadSettings(config, errors);
    EXPECT_TRUE(errors.empty());
    auto mapper = RecordMapper::Create(config, DefaultFields(), DefaultStages());
    EXPECT_TRUE(mapper.ok()) << mapper.status().ToString();
    ConnectorContext context{config, transport, clock};
    return std::make_unique<HubspotConnector>(context, settings, std::move(*mapper));
  }
};

}  // namespace dealsync::connectors::hubspot::testing
