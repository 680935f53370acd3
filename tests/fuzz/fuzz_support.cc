#include "tests/fuzz/fuzz_support.h"

#include <cstdio>

namespace dealsync::fuzz {

const Config& ExampleConfig() {
  static const Config* config = [] {
    ConfigLoadResult loaded =
        LoadConfig(std::string(DEALSYNC_SOURCE_DIR) + "/config", ConnectorRegistry::Default());
    if (!loaded.config) {
      for (const ConfigError& e : loaded.errors) {
        std::fprintf(stderr, "%s\n", e.ToString().c_str());
      }
      std::abort();
    }
    return new Config(std::move(*loaded.config));
  }();
  return *config;
}

std::vector<const SourceConfig*> ExampleSources() {
  const Config& c = ExampleConfig();
  std::vector<const SourceConfig*> out{&c.vendor};
  for (const SourceConfig& p : c.partners) {
    out.push_back(&p);
  }
  return out;
}

}  // namespace dealsync::fuzz
