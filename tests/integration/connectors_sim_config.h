// Config directory for connectors_sim_test: the four demo-shaped sources
// (Salesforce vendor, HubSpot "globex", generic "northwind" and "contoso")
// pointed at SimulatorHost ports, written as TOML and read back by LoadConfig.
#pragma once

#include <string>

#include "dealsync/status.h"

namespace dealsync::testing {

struct SimConfigUrls {
  std::string salesforce;  // "https://127.0.0.1:<port>"
  std::string hubspot;
  std::string northwind;
  std::string contoso;
  std::string ca_file;
};

// Writes <dir>/dealsync.toml, vendor.toml, partners.d/*.toml and the credential
// files (the simulators' default test credentials, mode 0600) into `dir`.
Status WriteSimConfigDir(const std::string& dir, const SimConfigUrls& urls);

}  // namespace dealsync::testing
