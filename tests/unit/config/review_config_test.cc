// [[admin.users]], the admin TLS keys and [[notify.webhooks]] in dealsync.toml.
#include <gtest/gtest.h>

#include "tests/unit/config/fake_connector.h"

namespace dealsync::testing {
namespace {

constexpr const char* kHead = R"(state_dir = "state"
credentials_dir = "/etc/dealsync/credentials"

[admin]
listen = "127.0.0.1:0"
)";

TEST(ReviewConfigTest, ReadsUsersTlsAndWebhooks) {
  ConfigDir dir;
  dir.Write("dealsync.toml", std::string(kHead) + R"(tls_cert = { file = "/etc/dealsync/admin.pem" }
tls_key = "admin-key"
session_ttl = "2h"

[[admin.users]]
name = "maria"
role = "resolver"
partners = ["northwind"]
password_hash = "maria-password"

[[admin.users]]
name = "ops-bot"
role = "viewer"
token = { env = "OPS_BOT_TOKEN" }

[[notify.webhooks]]
name = "channel"
url = "slack-url"
format = "slack"
events = ["held_conflict", "digest"]
digest_hour_utc = 7
failing_after = "30m"
)");
  ConfigLoadResult r = LoadConfig(dir.path(), FakeRegistry());
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().ToString();
  const DaemonConfig& d = r.config->daemon;
  EXPECT_EQ(d.admin_tls_cert.Describe(), "file:/etc/dealsync/admin.pem");
  EXPECT_EQ(d.admin_tls_key.Describe(), "credential:admin-key");
  EXPECT_EQ(d.session_ttl, std::chrono::hours(2));
  ASSERT_EQ(d.admin_users.size(), 2u);
  EXPECT_EQ(d.admin_users[0].name, "maria");
  EXPECT_EQ(d.admin_users[0].role, UserRole::kResolver);
  EXPECT_EQ(d.admin_users[0].partners, std::vector<std::string>{"northwind"});
  EXPECT_EQ(d.admin_users[0].password_hash.Describe(), "credential:maria-password");
  EXPECT_EQ(d.admin_users[1].role, UserRole::kViewer);
  EXPECT_EQ(d.admin_users[1].token.Describe(), "env:OPS_BOT_TOKEN");
  ASSERT_EQ(d.webhooks.size(), 1u);
  EXPECT_EQ(d.webhooks[0].format, "slack");
  EXPECT_EQ(d.webhooks[0].digest_hour_utc, 7);
  EXPECT_EQ(d.webhooks[0].failing_after, std::chrono::minutes(30));
}

TEST(ReviewConfigTest, EveryMistakeIsReportedWhereItIs) {
  ConfigDir dir;
  dir.Write("dealsync.toml", std::string(kHead) + R"(tls_cert = "admin-cert"

[[admin.users]]
name = "maria"
role = "boss"
password = "hunter2hunter2"

[[admin.users]]
name = "maria"
role = "viewer"
partners = ["nowhere"]

[[admin.users]]
name = "bob"
role = "viewer"

[[notify.webhooks]]
url = "https://hooks.slack.com/services/T000/B000/XXXX"
events = ["digest", "weather"]
)");
  EXPECT_EQ(dir.Errors(),
            (std::vector<std::string>{
                "dealsync.toml:4:1: admin.tls_key: TLS needs both tls_cert and tls_key",
                "dealsync.toml:10:8: admin.users[0].role: invalid value \"boss\" (expected one of: "
                "viewer, resolver, admin)",
                "dealsync.toml:11:12: admin.users[0].password: passwords are never written in "
                "config files; store a hash from `dealsyncctl users hash-password` in a "
                "credential and name it with password_hash = \"cred-name\"",
                "dealsync.toml:13:1: admin.users[1].password_hash: a user needs password_hash (a "
                "credential holding a hash) or token (a credential holding an API token)",
                "dealsync.toml:14:8: admin.users[1].name: duplicate user \"maria\"",
                "dealsync.toml:18:1: admin.users[2].password_hash: a user needs password_hash (a "
                "credential holding a hash) or token (a credential holding an API token)",
                "dealsync.toml:22:1: notify.webhooks[0].digest_hour_utc: the digest event needs "
                "digest_hour_utc (0..23, the UTC hour to send it)",
                "dealsync.toml:23:7: notify.webhooks[0].url: a webhook URL carries its secret; "
                "keep it in a credential: url = \"cred-name\", { env = \"VAR\" } or { file = "
                "\"/path\" }",
                "dealsync.toml:24:10: notify.webhooks[0].events: unknown event \"weather\" "
                "(known: held_conflict, dead_letter, partner_failing, digest)",
            }));
}

TEST(ReviewConfigTest, UsersMayOnlyNameConfiguredPartners) {
  ConfigDir dir;
  dir.Write("dealsync.toml", std::string(kHead) + R"(
[[admin.users]]
name = "maria"
role = "viewer"
partners = ["northwind", "nowhere"]
token = "maria-token"
)");
  std::vector<std::string> errors = dir.Errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("admin.users.partners: user \"maria\": unknown partner \"nowhere\""),
            std::string::npos)
      << errors[0];
}

}  // namespace
}  // namespace dealsync::testing
