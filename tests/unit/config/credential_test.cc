#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "dealsync/config.h"
#include "support/test_support.h"

namespace dealsync {
namespace {

namespace fs = std::filesystem;

class CredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dealsync-cred-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    unsetenv("CREDENTIALS_DIRECTORY");
  }
  void TearDown() override {
    unsetenv("CREDENTIALS_DIRECTORY");
    unsetenv("DEALSYNC_TEST_SECRET");
    fs::remove_all(dir_);
  }
  void WriteFile(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name) << content;
  }
  std::string dir_;
};

TEST_F(CredentialTest, Describe) {
  EXPECT_EQ((CredentialRef{CredentialRef::Kind::kSystemd, "hubspot-token"}).Describe(),
            "credential:hubspot-token");
  EXPECT_EQ((CredentialRef{CredentialRef::Kind::kEnv, "KEY"}).Describe(), "env:KEY");
  EXPECT_EQ((CredentialRef{CredentialRef::Kind::kFile, "/run/k"}).Describe(), "file:/run/k");
}

TEST_F(CredentialTest, SystemdCredentialPrefersCredentialsDirectory) {
  WriteFile("api-token", "from-fallback\n");
  CredentialRef ref{CredentialRef::Kind::kSystemd, "api-token"};
  Result<std::string> secret = ResolveCredential(ref, dir_);
  ASSERT_OK(secret);
  EXPECT_EQ(*secret, "from-fallback");  // trailing newline trimmed

  fs::create_directory(dir_ + "/systemd");
  WriteFile("systemd/api-token", "from-systemd");
  setenv("CREDENTIALS_DIRECTORY", (dir_ + "/systemd").c_str(), 1);
  EXPECT_EQ(*ResolveCredential(ref, dir_), "from-systemd");
}

TEST_F(CredentialTest, EnvAndFile) {
  setenv("DEALSYNC_TEST_SECRET", "env-secret", 1);
  EXPECT_EQ(*ResolveCredential({CredentialRef::Kind::kEnv, "DEALSYNC_TEST_SECRET"}, ""),
            "env-secret");
  WriteFile("key", "file-secret\r\n");
  EXPECT_EQ(*ResolveCredential({CredentialRef::Kind::kFile, dir_ + "/key"}, ""), "file-secret");
}

TEST_F(CredentialTest, FailuresNeverContainTheSecret) {
  Result<std::string> unset = ResolveCredential({CredentialRef::Kind::kEnv, "DEALSYNC_NOPE"}, "");
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(unset.status().message().find("DEALSYNC_NOPE is not set"), std::string::npos);

  Result<std::string> no_dir = ResolveCredential({CredentialRef::Kind::kSystemd, "x"}, "");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_NE(no_dir.status().message().find("CREDENTIALS_DIRECTORY"), std::string::npos);

  WriteFile("empty", "\n");
  Result<std::string> empty = ResolveCredential({CredentialRef::Kind::kFile, dir_ + "/empty"}, "");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);
  EXPECT_FALSE(ResolveCredential({CredentialRef::Kind::kFile, dir_ + "/absent"}, "").ok());
  EXPECT_FALSE(ResolveCredential(CredentialRef{}, dir_).ok());
}

TEST(ConfigErrorTest, ToStringFormats) {
  EXPECT_EQ((ConfigError{{"a.toml", 3, 7}, "connection.auth.type", "bad"}).ToString(),
            "a.toml:3:7: connection.auth.type: bad");
  EXPECT_EQ((ConfigError{{"a.toml", 0, 0}, "", "file not found"}).ToString(),
            "a.toml: file not found");
}

}  // namespace
}  // namespace dealsync
