#include "tests/support/test_certs.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "src/transport/cert_gen.h"

namespace dealsync::testing {
namespace {

// Removes the directory when the process exits normally.
struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

TestCerts Generate(const std::string& dir) {
  const Status status = WriteTestPki(dir);
  if (!status.ok()) {
    std::fprintf(stderr, "test certificates: %s\n", status.ToString().c_str());
    std::abort();
  }
  const auto file = [&dir](const char* name) { return dir + "/" + name; };
  return TestCerts{dir,
                   file(TestPkiFiles::kCa),
                   file(TestPkiFiles::kServerCert),
                   file(TestPkiFiles::kServerKey),
                   file(TestPkiFiles::kWrongHostCert),
                   file(TestPkiFiles::kWrongHostKey),
                   file(TestPkiFiles::kSelfSignedCert),
                   file(TestPkiFiles::kSelfSignedKey)};
}

std::string MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "dealsync-pki-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("test certificates: mkdtemp");
    std::abort();
  }
  return pattern;
}

}  // namespace

const TestCerts& GetTestCerts() {
  static TempDir temp{MakeTempDir()};
  static const TestCerts certs = Generate(temp.path);
  return certs;
}

}  // namespace dealsync::testing
