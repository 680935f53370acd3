// Test PKI generation with the OpenSSL 3 C API (no shelling out to openssl).
//
// Tests, the simulators and the demo create a throw-away certificate authority
// at run time, so nothing secret is ever committed. TLS keys are EC P-256.
// Thread-safety: stateless; safe to call from any thread.
#pragma once

#include <string>

#include "dealsync/status.h"

namespace dealsync {

// File names written by WriteTestPki, relative to its directory.
struct TestPkiFiles {
  static constexpr const char* kCa = "ca.pem";              // trusted test CA
  static constexpr const char* kServerCert = "server.pem";  // SAN IP:127.0.0.1, DNS:localhost
  static constexpr const char* kServerKey = "server.key";
  static constexpr const char* kWrongHostCert = "wronghost.pem";  // SAN DNS:wrong.example only
  static constexpr const char* kWrongHostKey = "wronghost.key";
  static constexpr const char* kSelfSignedCert = "selfsigned.pem";  // not signed by the CA
  static constexpr const char* kSelfSignedKey = "selfsigned.key";
};

// Creates `dir` if needed and writes ca.pem, server.pem/.key, wronghost.pem/.key and
// selfsigned.pem/.key (keys mode 0600). Certificates are valid from one hour ago
// for 30 days. Overwrites existing files.
Status WriteTestPki(const std::string& dir);

// An RSA 2048 key and a self-signed certificate for it, PEM: what a JWT bearer
// client signs with and what the authorization server is given to verify
// (Salesforce's connected app "Use digital signatures").
struct SigningPair {
  std::string private_key_pem;  // PKCS#8
  std::string certificate_pem;
};
Result<SigningPair> GenerateRsaSigningPair();

}  // namespace dealsync
