// A throw-away test PKI shared by every test of one process: generated on first
// use into a fresh temporary directory (see src/transport/cert_gen.h) and removed
// at process exit.
#pragma once

#include <string>

namespace dealsync::testing {

struct TestCerts {
  std::string dir;
  std::string ca_file;      // trust this CA to accept server_cert
  std::string server_cert;  // SAN IP:127.0.0.1, DNS:localhost
  std::string server_key;
  std::string wronghost_cert;  // signed by the CA, SAN DNS:wrong.example only
  std::string wronghost_key;
  std::string selfsigned_cert;  // right names, untrusted issuer
  std::string selfsigned_key;
};

// Generates the PKI once per process; aborts the test binary if OpenSSL fails
// (no test that needs it could run).
const TestCerts& GetTestCerts();

}  // namespace dealsync::testing
