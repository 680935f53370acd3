// SourceConfigs for the two example partner shapes (config/partners.d/northwind.toml
// and contoso.toml, as LoadConfig would produce them), for connector unit tests.
#pragma once

#include <optional>
#include <string>

#include "dealsync/config.h"
#include "dealsync/model.h"
#include "support/test_support.h"

namespace dealsync::testing {

inline OptionValue Opt(std::string s) {
  return OptionValue{std::move(s), {}};
}
inline OptionValue Opt(int64_t i) {
  return OptionValue{i, {}};
}
inline OptionValue Opt(std::chrono::milliseconds d) {
  return OptionValue{d, {}};
}
inline OptionValue Opt(std::vector<std::string> list) {
  return OptionValue{std::move(list), {}};
}

inline FieldMapping Field(std::string pointer, std::string format = "") {
  return FieldMapping{std::move(pointer), std::move(format), {}};
}

// Shape A: cursor paging, API key header, epoch-ms dates, single-record PATCH.
inline SourceConfig NorthwindConfig() {
  SourceConfig c;
  c.id = "northwind";
  c.name = "Northwind Solutions";
  c.connector = "rest";
  c.file = "partners.d/northwind.toml";
  c.time_zone = "Europe/Berlin";
  c.currency = "EUR";
  c.connection.base_url = "https://nw.test/api/v2";
  c.connection.auth.type = AuthConfig::Type::kApiKeyHeader;
  c.connection.auth.header = "X-Api-Key";
  c.connection.auth.credential = CredentialRef{CredentialRef::Kind::kEnv, "NORTHWIND_API_KEY"};
  c.fields = {
      {"id", Field("/id")},
      {"name", Field("/title")},
      {"account", Field("/account/name")},
      {"owner", Field("/owner")},
      {"stage", Field("/status")},
      {"amount", Field("/value", "decimal_string")},
      {"currency", Field("/currency")},
      {"close_date", Field("/expected_close", "epoch_ms")},
      {"modified_at", Field("/updated_at", "epoch_ms")},
      {"registration_id", Field("/custom/vendor_reg_id")},
      {"counterpart_id", Field("/custom/vendor_opportunity_id")},
      {"deleted", Field("/archived", "bool")},
  };
  PipelineStageMap stages;
  stages.native_by_stage = {
      {Stage::kProspect, {"New lead"}},
      {Stage::kQualified, {"Qualified", "BANT ok"}},
      {Stage::kDiscovery, {"Discovery"}},
      {Stage::kSolution, {"Demo"}},
      {Stage::kProposal, {"Quote sent", "Negotiating"}},
      {Stage::kClosedWon, {"Won"}},
      {Stage::kClosedLost, {"Lost", "No decision"}},
  };
  c.stages[""] = stages;
  c.options = {
      {"list.path", Opt("/deals")},
      {"list.records", Opt("/data")},
      {"list.page_size", Opt(int64_t{2})},
      {"list.page.style", Opt("cursor")},
      {"list.page.next", Opt("/meta/next_cursor")},
      {"list.page.param", Opt("cursor")},
      {"list.page.size_param", Opt("limit")},
      {"list.modified_since.param", Opt("updated_after")},
      {"list.modified_since.format", Opt("epoch_ms")},
      {"list.overlap", Opt(std::chrono::milliseconds(60000))},
      {"get.path", Opt("/deals/{id}")},
      {"update.method", Opt("PATCH")},
      {"update.path", Opt("/deals/{id}")},
  };
  return c;
}

// Shape B: Link rel="next" paging, OAuth2 client credentials, ISO dates, batches of 25.
inline SourceConfig ContosoConfig() {
  SourceConfig c;
  c.id = "contoso";
  c.name = "Contoso Partners";
  c.connector = "rest";
  c.file = "partners.d/contoso.toml";
  c.time_zone = "America/New_York";
  c.currency = "USD";
  c.connection.base_url = "https://contoso.test";
  c.connection.auth.type = AuthConfig::Type::kOAuth2ClientCredentials;
  c.connection.auth.token_url = "https://contoso.test/oauth/token";
  c.connection.auth.client_id = "dealsync";
  c.connection.auth.credential = CredentialRef{CredentialRef::Kind::kEnv, "CONTOSO_SECRET"};
  c.fields = {
      {"id", Field("/opportunityId")},
      {"name", Field("/name")},
      {"account", Field("/customer")},
      {"stage", Field("/phase")},
      {"amount", Field("/amount/value", "number")},
      {"currency", Field("/amount/currency")},
      {"close_date", Field("/closeDate", "iso_date")},
      {"modified_at", Field("/lastModified", "iso_datetime")},
      {"registration_id", Field("/dealRegistration")},
      {"counterpart_id", Field("/vendorRef")},
      {"deleted", Field("/deleted", "bool")},
  };
  PipelineStageMap stages;
  stages.native_by_stage = {
      {Stage::kProspect, {"Lead"}},
      {Stage::kQualified, {"Qualified"}},
      {Stage::kDiscovery, {"Discovery"}},
      {Stage::kSolution, {"Solution Design"}},
      {Stage::kProposal, {"Proposal", "Negotiation"}},
      {Stage::kClosedWon, {"Closed Won"}},
      {Stage::kClosedLost, {"Closed Lost"}},
  };
  c.stages[""] = stages;
  c.options = {
      {"list.path", Opt("/v1/opportunities")},
      {"list.records", Opt("/items")},
      {"list.page_size", Opt(int64_t{2})},
      {"list.page.style", Opt("link_header")},
      {"list.page.size_param", Opt("per_page")},
      {"list.modified_since.param", Opt("modified_since")},
      {"list.modified_since.format", Opt("iso8601")},
      {"get.path", Opt("/v1/opportunities/{id}")},
      {"update.mode", Opt("batch")},
      {"update.method", Opt("POST")},
      {"update.path", Opt("/v1/opportunities/batch")},
      {"update.batch.max_size", Opt(int64_t{25})},
      {"update.batch.wrapper", Opt("/updates")},
      {"update.batch.id_field", Opt("/opportunityId")},
      {"update.batch.id_type", Opt("number")},
      {"update.batch.results", Opt("/results")},
      {"update.batch.result_ok", Opt("/ok")},
      {"update.batch.result_error", Opt("/error")},
  };
  return c;
}

}  // namespace dealsync::testing
