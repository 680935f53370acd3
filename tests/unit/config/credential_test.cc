#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dealsync/config.h"
#include "src/config/credential_check.h"
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

namespace dealsync {
namespace {

// `file:` credentials are read by the service account itself: validate (run
// as root) must find those it cannot read, naming the file, the key and the
// account, and a LoadCredential= credential (read by systemd) is not held to it.
class ServiceReadableTest : public CredentialTest {
 protected:
  Config WithFileCredential(const std::string& path) {
    Config config;
    config.vendor.id = "vendor";
    config.vendor.file = "/etc/dealsync/vendor.toml";
    config.vendor.connection.auth.credential = {
        CredentialRef::Kind::kFile, path, {"/etc/dealsync/vendor.toml", 12, 14}};
    return config;
  }
  std::vector<ConfigError> Check(const Config& config, uid_t uid, gid_t gid) {
    ServiceAccount who{"svc", uid, gid, {}};
    return CheckCredentials(config, &who);
  }
};

TEST_F(ServiceReadableTest, FileCredentialsMustBeReadableByTheServiceAccount) {
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);  // mkdtemp makes it 0700
  WriteFile("secret", "s3cret\n");
  const std::string path = dir_ + "/secret";
  const uid_t owner = ::geteuid();
  const Config config = WithFileCredential(path);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(Check(config, owner, ::getegid()).empty());  // its owner reads it

  std::vector<ConfigError> errors = Check(config, 64999, 64999);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].where.file, "/etc/dealsync/vendor.toml");
  EXPECT_EQ(errors[0].where.line, 12);
  EXPECT_EQ(errors[0].key_path, "connection.auth.credential");
  EXPECT_NE(errors[0].message.find(path + " is not readable by the service account svc (uid "
                                          "64999)"),
            std::string::npos)
      << errors[0].ToString();
  EXPECT_EQ(errors[0].message.find("s3cret"), std::string::npos);

  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);  // readable by its group
  EXPECT_TRUE(Check(config, 64999, ::getegid()).empty());
  EXPECT_EQ(Check(config, 64999, 64999).size(), 1u);
  ASSERT_EQ(::chmod(path.c_str(), 0604), 0);  // and by others
  EXPECT_TRUE(Check(config, 64999, 64999).empty());

  ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);  // a directory it cannot enter
  errors = Check(config, 64999, 64999);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("cannot enter " + dir_), std::string::npos)
      << errors[0].ToString();
}

TEST_F(ServiceReadableTest, LoadCredentialSecretsAreReadBySystemdNotTheService) {
  WriteFile("vendor-client-secret", "s3cret\n");
  ASSERT_EQ(::chmod((dir_ + "/vendor-client-secret").c_str(), 0600), 0);
  Config config;
  config.vendor.id = "vendor";
  config.vendor.file = "/etc/dealsync/vendor.toml";
  config.vendor.connection.auth.credential = {CredentialRef::Kind::kSystemd,
                                              "vendor-client-secret"};
  config.daemon.credentials_dir = dir_;
  ServiceAccount who{"svc", 64999, 64999, {}};
  EXPECT_TRUE(CheckCredentials(config, &who).empty());
}

}  // namespace
}  // namespace dealsync
