#include <gtest/gtest.h>

#include "tests/unit/config/fake_connector.h"

namespace dealsync::testing {
namespace {

using namespace std::chrono_literals;

Config LoadGood(ConfigDir& dir) {
  ConfigLoadResult result = LoadConfig(dir.path(), FakeRegistry());
  for (const ConfigError& e : result.errors) {
    ADD_FAILURE() << e.ToString();
  }
  EXPECT_TRUE(result.config.has_value());
  return result.config ? *result.config : Config{};
}

TEST(LoadConfigTest, DaemonSettings) {
  ConfigDir dir;
  Config config = LoadGood(dir);
  const DaemonConfig& d = config.daemon;
  EXPECT_EQ(d.state_dir, dir.path() + "/state");  // relative to the config dir
  EXPECT_EQ(d.credentials_dir, "/etc/dealsync/credentials");
  EXPECT_EQ(d.log_level, "debug");
  EXPECT_EQ(d.admin_listen, "127.0.0.1:0");
  EXPECT_EQ(d.admin_token.Describe(), "credential:admin-token");
  EXPECT_EQ(d.admin_allowed_hosts, (std::vector<std::string>{"dealsync.internal", "[fd00::5]"}));
  EXPECT_EQ(d.poll_interval, 2min);
  EXPECT_EQ(d.poll_jitter, 10s);
  EXPECT_EQ(d.shutdown_timeout, 15s);
  EXPECT_EQ(d.stalled_after, std::chrono::hours(24 * 30));
  EXPECT_EQ(d.pipeline_target, (Money{25000000, "USD"}));
  EXPECT_EQ(d.rates.reporting_currency, "USD");
  EXPECT_EQ(d.rates.nano_rates.at("EUR"), 1'080'000'000);
  EXPECT_EQ(d.rates.nano_rates.at("JPY"), 6'700'000);
  const ReconcilePolicy& p = d.reconciliation;
  EXPECT_EQ(p.stage.rule, PolicyRule::kFurthestStageWins);
  EXPECT_EQ(p.stage.skip_flag_threshold, 3);
  EXPECT_EQ(p.amount.tolerance_ppm, 5000);
  EXPECT_EQ(p.amount.tolerance_absolute, (Money{10000, "USD"}));
  EXPECT_EQ(p.close_date.rule, PolicyRule::kLatestChangeWins);
  EXPECT_EQ(p.clock_skew, 90s);
  EXPECT_EQ(p.bounds.close_date_future_days, 730);
  EXPECT_EQ(p.bounds.close_date_past_days, 3660);  // the default
  EXPECT_EQ(p.bounds.max_field_bytes, 512u);
  EXPECT_FALSE(p.bounds.allow_negative_amounts);
  EXPECT_EQ(d.push_retry.initial_backoff, 30s);
  EXPECT_EQ(d.push_retry.max_backoff, 2h);
  EXPECT_EQ(d.push_retry.give_up_after, std::chrono::hours(24 * 7));
  EXPECT_EQ(d.store.block_cache_bytes, uint64_t{48} << 20);
  EXPECT_EQ(d.store.memtable_bytes, uint64_t{16} << 20);
  EXPECT_EQ(d.store.keep_journal, std::chrono::hours(24 * 90));
}

TEST(LoadConfigTest, StoreDefaultsKeepAYearOfJournalAndTheStoresOwnBudget) {
  ConfigDir dir;
  dir.Write("dealsync.toml", "state_dir = \"state\"\n");
  Config config = LoadGood(dir);
  EXPECT_FALSE(config.daemon.store.block_cache_bytes.has_value());
  EXPECT_FALSE(config.daemon.store.memtable_bytes.has_value());
  EXPECT_EQ(config.daemon.store.keep_journal, std::chrono::hours(24 * 365));
  dir.Write("dealsync.toml", "state_dir = \"state\"\n[store]\nkeep_journal = \"0s\"\n");
  EXPECT_EQ(LoadGood(dir).daemon.store.keep_journal.count(), 0);  // keep everything
}

TEST(LoadConfigTest, VendorWithPipelines) {
  ConfigDir dir;
  Config config = LoadGood(dir);
  const SourceConfig& v = config.vendor;
  EXPECT_EQ(v.role, Role::kVendor);
  EXPECT_EQ(v.id, "vendor");
  EXPECT_EQ(v.name, "Vendor CRM");
  EXPECT_EQ(v.file, dir.path() + "/vendor.toml");
  EXPECT_EQ(v.poll_interval, 2min);  // the daemon default
  EXPECT_EQ(v.time_zone, "America/New_York");
  const AuthConfig& auth = v.connection.auth;
  EXPECT_EQ(auth.type, AuthConfig::Type::kOAuth2ClientCredentials);
  EXPECT_EQ(auth.token_url, "https://login.vendor.example/token");
  EXPECT_EQ(auth.client_id, "dealsync");
  EXPECT_EQ(auth.credential.Describe(), "credential:vendor-client-secret");
  EXPECT_EQ(v.connection.rate_limit.requests, 20);
  EXPECT_EQ(v.connection.retry.max_attempts, 4);
  EXPECT_EQ(v.connection.retry.initial_backoff, 250ms);
  EXPECT_EQ(v.connection.timeout, 20s);
  ASSERT_EQ(v.stages.size(), 2u);
  const PipelineStageMap& main = v.stages.at("default");
  EXPECT_EQ(main.ToCanonical("Negotiation/Review"), Stage::kProposal);
  EXPECT_EQ(main.ToNative(Stage::kProposal), "Proposal/Price Quote");  // first is written back
  EXPECT_EQ(main.ToCanonical("R-Quote"), std::nullopt);
  EXPECT_EQ(v.stages.at("renewals").ToCanonical("R-Quote"), Stage::kProposal);
  EXPECT_EQ(std::get<std::string>(v.options.at("list.path").value), "/opportunities");
}

TEST(LoadConfigTest, PartnersWithOverridesAndOptions) {
  ConfigDir dir;
  Config config = LoadGood(dir);
  ASSERT_EQ(config.partners.size(), 2u);  // sorted by file name
  EXPECT_EQ(config.partners[0].id, "contoso");
  EXPECT_EQ(config.partners[0].name, "contoso");
  EXPECT_TRUE(config.partners[0].connection.allow_insecure_http);
  EXPECT_EQ(config.partners[0].connection.auth.type, AuthConfig::Type::kBasic);
  EXPECT_EQ(config.partners[0].connection.auth.credential.Describe(), "file:/run/secrets/contoso");
  EXPECT_EQ(config.partners[0].policy.amount.rule, PolicyRule::kVendorWins);  // inherited

  const SourceConfig* n = config.FindSource("northwind");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->poll_interval, 5min);
  EXPECT_EQ(n->currency, "EUR");
  EXPECT_EQ(n->connection.auth.type, AuthConfig::Type::kApiKeyHeader);
  EXPECT_EQ(n->connection.auth.header, "X-Api-Key");
  EXPECT_EQ(n->connection.auth.credential.Describe(), "env:NORTHWIND_KEY");
  EXPECT_EQ(n->fields.at("amount").pointer, "/value");
  EXPECT_EQ(n->fields.at("amount").format, "decimal_string");
  EXPECT_EQ(n->fields.at("name").pointer, "/title");
  EXPECT_EQ(n->fields.at("name").where.line, 22);
  EXPECT_EQ(n->stages.at("").ToCanonical("No decision"), Stage::kClosedLost);
  EXPECT_TRUE(n->link.by_match_key);
  EXPECT_EQ(n->link.amount_band_ppm, 50000);
  EXPECT_EQ(n->policy.amount.rule, PolicyRule::kPartnerWins);
  EXPECT_EQ(n->policy.amount.tolerance_ppm, 10000);
  EXPECT_EQ(n->policy.amount.tolerance_absolute, std::nullopt);  // replaced, not merged
  EXPECT_EQ(n->policy.close_date.rule, PolicyRule::kManual);
  EXPECT_EQ(n->policy.clock_skew, 90s);
  // [policy.bounds] overrides key by key; the rest comes from [reconciliation.bounds].
  EXPECT_TRUE(n->policy.bounds.allow_negative_amounts);
  EXPECT_EQ(n->policy.bounds.max_amount, (Money{500000000, "EUR"}));
  EXPECT_EQ(n->policy.bounds.close_date_future_days, 730);
  EXPECT_FALSE(config.partners[0].policy.bounds.allow_negative_amounts);
  EXPECT_EQ(std::get<std::string>(n->options.at("list.page.style").value), "cursor");
  EXPECT_EQ(std::get<std::string>(n->options.at("list.page.next").value), "/meta/next_cursor");
  EXPECT_EQ(std::get<std::chrono::milliseconds>(n->options.at("list.overlap").value), 2min);
  EXPECT_EQ(std::get<std::vector<std::string>>(n->options.at("list.query").value),
            std::vector<std::string>{"archived=false"});
  EXPECT_EQ(n->options.at("list.page.style").where.line, 17);
  EXPECT_EQ(config.FindSource("vendor"), &config.vendor);
  EXPECT_EQ(config.FindSource("nobody"), nullptr);
}

TEST(LoadConfigTest, DuplicatePartnerIdNamesBothFiles) {
  ConfigDir dir;
  dir.Write("partners.d/northwind-copy.toml",
            "id = \"northwind\"\nconnector = \"fake\"\n[connection]\n"
            "base_url = \"https://x.example\"\n[list]\npath = \"/d\"\n[stages]\n"
            "prospect = [\"a\"]\nqualified = [\"b\"]\ndiscovery = [\"c\"]\nsolution = [\"d\"]\n"
            "proposal = [\"e\"]\nclosed_won = [\"f\"]\nclosed_lost = [\"g\"]\n");
  EXPECT_EQ(dir.Errors(),
            std::vector<std::string>{"partners.d/northwind.toml:2:6: id: duplicate partner id "
                                     "\"northwind\" (already defined in " +
                                     dir.path() + "/partners.d/northwind-copy.toml:1:6)"});
}

TEST(LoadConfigTest, ReportsEveryErrorInEveryFileSorted) {
  ConfigDir dir;
  dir.CopyBad("daemon_errors.toml", "dealsync.toml");
  dir.CopyBad("vendor_with_id.toml", "vendor.toml");
  dir.CopyBad("bad_policy_rule.toml", "partners.d/b.toml");
  dir.CopyBad("unknown_key.toml", "partners.d/a.toml");
  dir.Write("partners.d/notes.txt", "not a config file, ignored");
  std::vector<std::string> errors = dir.Errors();
  ASSERT_EQ(errors.size(), 7u + 1u + 3u + 1u);
  EXPECT_EQ(errors[0].rfind("dealsync.toml:3:13: log_level:", 0), 0u);
  EXPECT_EQ(errors[7].rfind("partners.d/a.toml:4:1: pol_interval:", 0), 0u);
  EXPECT_EQ(errors[8].rfind("partners.d/b.toml:22:9: policy.stage:", 0), 0u);
  EXPECT_EQ(errors[11].rfind("vendor.toml:2:6: id:", 0), 0u);
}

TEST(LoadConfigTest, MissingFilesAreErrors) {
  ConfigDir dir;
  dir.Remove("vendor.toml");
  dir.Remove("dealsync.toml");
  EXPECT_EQ(dir.Errors(), (std::vector<std::string>{"dealsync.toml: file not found",
                                                    "vendor.toml: file not found"}));
}

TEST(LoadConfigTest, UnknownKeysInNestedTablesSuggestFixes) {
  ConfigDir dir;
  dir.Write("dealsync.toml",
            "[poll]\nintervall = \"1m\"\n[reconciliation]\nstage = { rul = \"manual\" }\n");
  EXPECT_EQ(dir.Errors(),
            (std::vector<std::string>{
                "dealsync.toml:2:1: poll.intervall: unknown key \"intervall\" (did you mean "
                "\"interval\"?)",
                "dealsync.toml:4:9: reconciliation.stage.rule: missing key \"rule\"",
                "dealsync.toml:4:11: reconciliation.stage.rul: unknown key \"rul\" (did you mean "
                "\"rule\"?)"}));
}

}  // namespace
}  // namespace dealsync::testing

namespace dealsync::testing {
namespace {

std::string PartnerWithConnection(const std::string& extra) {
  return "id = \"acme\"\nconnector = \"fake\"\n\n[connection]\n"
         "base_url = \"https://crm.acme.example/api\"\n"
         "auth = { type = \"bearer\", credential = \"acme-token\" }\n" +
         extra +
         "\n[list]\npath = \"/deals\"\n\n[stages]\nprospect = [\"New\"]\nqualified = [\"Q\"]\n"
         "discovery = [\"D\"]\nsolution = [\"S\"]\nproposal = [\"P\"]\nclosed_won = [\"W\"]\n"
         "closed_lost = [\"L\"]\n";
}

TEST(LoadConfigTest, ProxyOptions) {
  ConfigDir dir;
  dir.Write("partners.d/acme.toml",
            PartnerWithConnection("proxy = \"http://proxy.corp.example:3128\"\n"
                                  "proxy_username = \"svc-dealsync\"\n"
                                  "proxy_credential = \"acme-proxy\"\n"));
  Config config = LoadGood(dir);
  const SourceConfig* acme = config.FindSource("acme");
  ASSERT_NE(acme, nullptr);
  ASSERT_TRUE(acme->connection.proxy.has_value());
  EXPECT_EQ(*acme->connection.proxy, "http://proxy.corp.example:3128");
  EXPECT_EQ(acme->connection.proxy_username, "svc-dealsync");
  EXPECT_EQ(acme->connection.proxy_credential.Describe(), "credential:acme-proxy");
  // Without the key the environment decides (HTTPS_PROXY / NO_PROXY).
  const SourceConfig* northwind = config.FindSource("northwind");
  ASSERT_NE(northwind, nullptr);
  EXPECT_FALSE(northwind->connection.proxy.has_value());
  EXPECT_TRUE(northwind->connection.proxy_credential.empty());
}

TEST(LoadConfigTest, ProxyNoneAndEmptyMeanDirect) {
  for (const char* value : {"none", ""}) {
    ConfigDir dir;
    dir.Write("partners.d/acme.toml",
              PartnerWithConnection("proxy = \"" + std::string(value) + "\"\n"));
    Config config = LoadGood(dir);
    const SourceConfig* acme = config.FindSource("acme");
    ASSERT_NE(acme, nullptr);
    ASSERT_TRUE(acme->connection.proxy.has_value()) << value;
    EXPECT_EQ(*acme->connection.proxy, "") << value;
  }
}

}  // namespace
}  // namespace dealsync::testing
