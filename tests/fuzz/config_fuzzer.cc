// The config reader: the input replaces one file of a copy of the shipped
// example configuration (first byte: dealsync.toml, vendor.toml or a partner
// file). LoadConfig must return a config or located errors, never crash; an
// accepted config has no errors and every error names a file.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "dealsync/config.h"
#include "dealsync/connector.h"

namespace {

namespace fs = std::filesystem;

const std::string& ConfigCopy() {
  static const std::string* dir = [] {
    std::string pattern = (fs::temp_directory_path() / "dealsync-fuzz-config-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::abort();
    }
    fs::copy(std::string(DEALSYNC_SOURCE_DIR) + "/config", pattern,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::remove_all(fs::path(pattern) / "demo");
    return new std::string(pattern);
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dealsync;
  if (size < 1) {
    return 0;
  }
  const std::string& dir = ConfigCopy();
  static const char* const kTargets[] = {"dealsync.toml", "vendor.toml", "partners.d/fuzz.toml"};
  const std::string target = dir + "/" + kTargets[data[0] % 3];
  const std::string original = [&] {
    std::ifstream in(target, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  {
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  ConfigLoadResult result = LoadConfig(dir, ConnectorRegistry::Default());
  if (result.config.has_value() != result.errors.empty()) {
    std::abort();
  }
  for (const ConfigError& e : result.errors) {
    if (e.ToString().empty()) {
      std::abort();
    }
  }
  if (data[0] % 3 == 2) {
    fs::remove(target);
  } else {
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << original;
  }
  return 0;
}
