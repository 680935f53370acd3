// The shipped config/vendor.toml (Salesforce) and config/partners.d/
// globex-hubspot.toml load cleanly through LoadConfig with the connectors'
// option tables and Validate(), and a broken copy names the line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dealsync/config.h"
#include "dealsync/connector.h"

namespace dealsync {
void RegisterSalesforceConnector(ConnectorRegistry& registry);
void RegisterHubspotConnector(ConnectorRegistry& registry);
void RegisterDynamics365Connector(ConnectorRegistry& registry);
}  // namespace dealsync

namespace dealsync {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ExampleConfigsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("h4-configs-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "partners.d");
    const fs::path src = fs::path(DEALSYNC_SOURCE_DIR) / "config";
    fs::copy_file(src / "dealsync.toml", dir_ / "dealsync.toml");
    fs::copy_file(src / "vendor.toml", dir_ / "vendor.toml");
    fs::copy_file(src / "partners.d" / "globex-hubspot.toml",
                  dir_ / "partners.d" / "globex-hubspot.toml");
    RegisterSalesforceConnector(registry_);
    RegisterHubspotConnector(registry_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ConnectorRegistry registry_;
};

TEST_F(ExampleConfigsTest, ShippedFilesLoadCleanly) {
  ConfigLoadResult loaded = LoadConfig(dir_.string(), registry_);
  for (const auto& e : loaded.errors) {
    ADD_FAILURE() << e.ToString();
  }
  ASSERT_TRUE(loaded.config);
  const Config& config = *loaded.config;
  EXPECT_EQ(config.vendor.connector, "salesforce");
  EXPECT_EQ(config.vendor.fields.at("registration_id").pointer, "/Deal_Registration_ID__c");
  EXPECT_EQ(std::get<std::string>(config.vendor.options.at("salesforce.api_version").value),
            "v59.0");
  ASSERT_EQ(config.partners.size(), 1u);
  const SourceConfig& globex = config.partners[0];
  EXPECT_EQ(globex.connector, "hubspot");
  EXPECT_EQ(globex.time_zone, "America/New_York");
  EXPECT_EQ(globex.stages.count("34567"), 1u);
  EXPECT_EQ(globex.stages.at("34567").ToCanonical("98765006"), Stage::kProposal);
}

TEST_F(ExampleConfigsTest, BrokenOptionNamesTheLine) {
  std::string text = Read(dir_ / "partners.d" / "globex-hubspot.toml");
  auto at = text.find("page_size = 200");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 15, "page_size = 500");
  std::ofstream(dir_ / "partners.d" / "globex-hubspot.toml") << text;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  ConfigLoadResult loaded = LoadConfig(dir_.string(), registry_);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].key_path, "hubspot.page_size");
  EXPECT_EQ(loaded.errors[0].where.line, line) << loaded.errors[0].ToString();
  EXPECT_NE(loaded.errors[0].message.find("between 1 and 200"), std::string::npos);
}

#ifdef DEALSYNC_HAVE_DYNAMICS365
// The shipped config/partners.d/fabrikam-dynamics365.toml beside the others.
class Dynamics365ExampleTest : public ExampleConfigsTest {
 protected:
  void SetUp() override {
    ExampleConfigsTest::SetUp();
    fs::copy_file(fs::path(DEALSYNC_SOURCE_DIR) / "config" / "partners.d" /
                      "fabrikam-dynamics365.toml",
                  dir_ / "partners.d" / "fabrikam-dynamics365.toml");
    RegisterDynamics365Connector(registry_);
  }
};

TEST_F(Dynamics365ExampleTest, ShippedFileLoadsCleanly) {
  ConfigLoadResult loaded = LoadConfig(dir_.string(), registry_);
  for (const auto& e : loaded.errors) {
    ADD_FAILURE() << e.ToString();
  }
  ASSERT_TRUE(loaded.config);
  const SourceConfig* fabrikam = loaded.config->FindSource("fabrikam");
  ASSERT_NE(fabrikam, nullptr);
  EXPECT_EQ(fabrikam->connector, "dynamics365");
  EXPECT_EQ(fabrikam->connection.auth.type, AuthConfig::Type::kOAuth2ClientCredentials);
  EXPECT_EQ(fabrikam->connection.auth.scope, "https://fabrikam.crm4.dynamics.com/.default");
  EXPECT_EQ(fabrikam->fields.at("registration_id").pointer, "/new_dealregistrationid");
  EXPECT_EQ(fabrikam->stages.at("").ToCanonical("Won"), Stage::kClosedWon);
  EXPECT_EQ(fabrikam->stages.at("").ToCanonical("6-Close"), Stage::kProposal);
  EXPECT_EQ(std::get<std::string>(fabrikam->options.at("dynamics365.stage_field").value),
            "stepname");
  EXPECT_FALSE(fabrikam->policy.stage.allow_reopen);
}

TEST_F(Dynamics365ExampleTest, BrokenOptionNamesTheLine) {
  const fs::path file = dir_ / "partners.d" / "fabrikam-dynamics365.toml";
  std::string text = Read(file);
  auto at = text.find("page_size = 500");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 15, "page_size = 9000");
  std::ofstream(file) << text;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  ConfigLoadResult loaded = LoadConfig(dir_.string(), registry_);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].key_path, "dynamics365.page_size");
  EXPECT_EQ(loaded.errors[0].where.line, line) << loaded.errors[0].ToString();
  EXPECT_NE(loaded.errors[0].message.find("between 1 and 5000"), std::string::npos);
}

TEST_F(Dynamics365ExampleTest, ClosedWonMustBeTheWonState) {
  const fs::path file = dir_ / "partners.d" / "fabrikam-dynamics365.toml";
  std::string text = Read(file);
  auto at = text.find("closed_won  = [\"Won\"]");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 21, "closed_won  = [\"Signed\"]");
  std::ofstream(file) << text;
  ConfigLoadResult loaded = LoadConfig(dir_.string(), registry_);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].key_path, "stages.closed_won") << loaded.errors[0].ToString();
}
#endif

}  // namespace
}  // namespace dealsync
