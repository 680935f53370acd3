// The generated test PKI has the properties the TLS tests rely on.
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/support/test_certs.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr LoadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    return nullptr;
  }
  X509Ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

// X509_V_OK when `cert` chains to `ca`.
int Verify(X509* ca, X509* cert) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  const int ok = X509_verify_cert(ctx);
  const int error = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return error;
}

TEST(CertGen, ServerCertChainsToCaAndNamesLoopback) {
  const auto& certs = testing::GetTestCerts();
  X509Ptr ca = LoadCert(certs.ca_file);
  X509Ptr server = LoadCert(certs.server_cert);
  ASSERT_TRUE(ca && server);
  EXPECT_EQ(Verify(ca.get(), server.get()), X509_V_OK);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(server.get(), "example.com", 0, 0, nullptr), 1);
}

TEST(CertGen, WrongHostCertIsTrustedButNamesOnlyWrongExample) {
  const auto& certs = testing::GetTestCerts();
  X509Ptr ca = LoadCert(certs.ca_file);
  X509Ptr wrong = LoadCert(certs.wronghost_cert);
  ASSERT_TRUE(ca && wrong);
  EXPECT_EQ(Verify(ca.get(), wrong.get()), X509_V_OK);
  EXPECT_EQ(X509_check_host(wrong.get(), "wrong.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(wrong.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(wrong.get(), "localhost", 0, 0, nullptr), 1);
}

TEST(CertGen, SelfSignedCertIsNotTrustedByTheCa) {
  const auto& certs = testing::GetTestCerts();
  X509Ptr ca = LoadCert(certs.ca_file);
  X509Ptr self = LoadCert(certs.selfsigned_cert);
  ASSERT_TRUE(ca && self);
  EXPECT_NE(Verify(ca.get(), self.get()), X509_V_OK);
}

TEST(CertGen, PrivateKeysAreOwnerOnly) {
  const auto& certs = testing::GetTestCerts();
  for (const auto& key : {certs.server_key, certs.wronghost_key, certs.selfsigned_key}) {
    const auto perms = std::filesystem::status(key).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << key;
  }
}

}  // namespace
}  // namespace dealsync
