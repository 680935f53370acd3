// dealsync-sim: serves the Salesforce, HubSpot, Dynamics 365 and generic partner simulators
// over loopback HTTPS for the demo and out-of-process tests. See README.md.
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "src/platform/system_clock.h"
#include "src/transport/cert_gen.h"
#include "tests/simulators/dynamics365_sim.h"
#include "tests/simulators/generic_rest_sim.h"
#include "tests/simulators/hubspot_sim.h"
#include "tests/simulators/pipedrive_sim.h"
#include "tests/simulators/salesforce_sim.h"
#include "tests/simulators/seed_data.h"
#include "tests/simulators/sim_time.h"
#include "tests/simulators/simulator_host.h"
#include "tests/simulators/suitecrm_sim.h"
#include "tests/simulators/zoho_sim.h"

namespace dealsync::sim {
namespace {

constexpr int kExitConfig = 2;

// Credentials are random per run and only ever written to 0600 files.
bool WriteSecret(const std::string& path, const std::string& value) {
  std::ofstream out(path, std::ios::trunc);
  if (!out)
    return false;
  out << value;
  out.close();
  return ::chmod(path.c_str(), 0600) == 0;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::optional<nlohmann::json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded())
    return std::nullopt;
  return j;
}

// name:port:kind, as --rest (kind: a shape) and --partner-crm take it.
struct SimSpec {
  std::string name;
  uint16_t port = 0;
  std::string kind;
};

// `usage` is the option's own wording, e.g. "--rest wants name:port:shape
// (shape northwind|contoso)"; `kinds` are the kinds it allows.
Result<SimSpec> ParseSimSpec(const std::string& text, const std::string& usage,
                             std::initializer_list<std::string_view> kinds) {
  const size_t a = text.find(':');
  const size_t b = a == std::string::npos ? a : text.find(':', a + 1);
  SimSpec spec;
  if (b != std::string::npos) {
    spec.name = text.substr(0, a);
    spec.kind = text.substr(b + 1);
  }
  const auto port = b == std::string::npos ? std::nullopt : ParseInt(text.substr(a + 1, b - a - 1));
  if (spec.name.empty() || !port || *port > 65535 ||
      std::find(kinds.begin(), kinds.end(), spec.kind) == kinds.end()) {
    return InvalidArgument(usage + ", got " + text);
  }
  spec.port = static_cast<uint16_t>(*port);
  return spec;
}

int Run(int argc, char** argv) {
  CLI::App app{"dealsync-sim: CRM API simulators over loopback HTTPS"};
  std::string pki_dir, seed_file, ports_file, write_seed;
  int sf_port = -1, hs_port = -1, d365_port = -1, vendor_deals = 300;
  int rest_requests_per_minute = GenericRestSimConfig{}.rate_limit_per_minute;
  uint64_t seed = 42;
  std::vector<std::string> rest_specs, partner_crm_specs;
  app.add_option("--pki-dir", pki_dir, "directory for the test PKI and credential files");
  app.add_option("--seed-file", seed_file, "JSON records to load (see --write-seed)");
  app.add_option("--salesforce-port", sf_port, "serve Salesforce on this port (0: any)");
  app.add_option("--hubspot-port", hs_port, "serve HubSpot on this port (0: any)");
  app.add_option("--dynamics365-port", d365_port,
                 "serve Dynamics 365 (Dataverse) on this port (0: any)");
  app.add_option("--rest", rest_specs, "name:port:shape (northwind|contoso), repeatable");
  app.add_option("--rest-requests-per-minute", rest_requests_per_minute,
                 "quota of each --rest API (its X-RateLimit-Limit; scale runs raise it)")
      ->check(CLI::Range(1, 100'000'000));
  app.add_option("--partner-crm", partner_crm_specs,
                 "name:port:kind (zoho|pipedrive|suitecrm), repeatable");
  app.add_option("--ports-file", ports_file, "write {name: {port, base_url}} here once listening");
  app.add_option("--write-seed", write_seed, "write a generated seed file and exit");
  app.add_option("--seed", seed, "seed for --write-seed");
  app.add_option("--vendor-deals", vendor_deals, "vendor opportunities for --write-seed");
  CLI11_PARSE(app, argc, argv);

  if (!write_seed.empty()) {
    SeedOptions options;
    options.seed = seed;
    options.vendor_deals = vendor_deals;
    options.now = SystemClock().Now();
    if (!WriteFile(write_seed, GenerateChannelSeed(options).dump(2))) {
      std::cerr << "cannot write " << write_seed << "\n";
      return kExitConfig;
    }
    return 0;
  }
  if (pki_dir.empty()) {
    std::cerr << "--pki-dir is required\n";
    return kExitConfig;
  }
  if (Status s = WriteTestPki(pki_dir); !s.ok()) {
    std::cerr << "cannot create the test PKI: " << s.ToString() << "\n";
    return kExitConfig;
  }
  nlohmann::json seed_json = nlohmann::json::object();
  if (!seed_file.empty()) {
    auto j = ReadJsonFile(seed_file);
    if (!j || !j->is_object()) {
      std::cerr << seed_file << ": not a JSON object\n";
      return kExitConfig;
    }
    seed_json = *j;
  }
  SystemClock clock;
  auto random = SeededRandom::FromEntropy();
  boost::asio::io_context io;
  SimulatorHost host(io.get_executor(), clock, pki_dir + "/" + TestPkiFiles::kServerCert,
                     pki_dir + "/" + TestPkiFiles::kServerKey);
  const auto fresh = [&](size_t n) {
    std::string s;
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i)
      s.push_back(kHex[random->Uniform(16)]);
    return s;
  };
  const auto add = [&](const std::string& name, std::unique_ptr<Simulator> sim, int port,
                       const nlohmann::json& records) -> bool {
    if (Status s = sim->Seed(records.is_null() ? nlohmann::json::array() : records); !s.ok()) {
      std::cerr << "seed for " << name << ": " << s.ToString() << "\n";
      return false;
    }
    auto bound = host.Add(name, std::move(sim), static_cast<uint16_t>(port));
    if (!bound.ok()) {
      std::cerr << bound.status().ToString() << "\n";
      return false;
    }
    std::cout << name << " listening on https://127.0.0.1:" << *bound << std::endl;
    return true;
  };
  const std::string dir = pki_dir + "/";
  if (sf_port >= 0) {
    SalesforceSimConfig c;
    c.client_id = "sf-" + fresh(16);
    c.client_secret = fresh(32);
    c.refresh_token = fresh(32);
    // The JWT bearer flow's key pair: the private key for dealsync, the
    // certificate for the simulated connected app.
    Result<SigningPair> jwt = GenerateRsaSigningPair();
    if (!jwt.ok()) {
      std::cerr << jwt.status().ToString() << "\n";
      return kExitConfig;
    }
    c.jwt_certificate_pem = jwt->certificate_pem;
    if (!WriteSecret(dir + "salesforce.client_id", c.client_id) ||
        !WriteSecret(dir + "salesforce.client_secret", c.client_secret) ||
        !WriteSecret(dir + "salesforce.refresh_token", c.refresh_token) ||
        !WriteSecret(dir + "salesforce.jwt_key", jwt->private_key_pem) ||
        !WriteFile(dir + "salesforce.jwt_cert.pem", jwt->certificate_pem) ||
        !add("salesforce", std::make_unique<SalesforceSim>(clock, *random, c), sf_port,
             seed_json.value("salesforce", nlohmann::json()))) {
      return kExitConfig;
    }
  }
  if (hs_port >= 0) {
    HubSpotSimConfig c;
    c.private_app_token = "pat-sim-" + fresh(32);
    if (!WriteSecret(dir + "hubspot.token", c.private_app_token) ||
        !add("hubspot", std::make_unique<HubSpotSim>(clock, *random, c), hs_port,
             seed_json.value("hubspot", nlohmann::json()))) {
      return kExitConfig;
    }
  }
  if (d365_port >= 0) {
    Dynamics365SimConfig c;
    c.client_id = "d365-" + fresh(16);
    c.client_secret = fresh(32);
    if (!WriteSecret(dir + "dynamics365.client_id", c.client_id) ||
        !WriteSecret(dir + "dynamics365.client_secret", c.client_secret) ||
        !WriteSecret(dir + "dynamics365.tenant_id", c.tenant_id) ||
        !add("dynamics365", std::make_unique<Dynamics365Sim>(clock, *random, c), d365_port,
             seed_json.value("dynamics365", nlohmann::json()))) {
      return kExitConfig;
    }
  }
  for (const auto& text : rest_specs) {
    auto spec = ParseSimSpec(text, "--rest wants name:port:shape (shape northwind|contoso)",
                             {"northwind", "contoso"});
    Result<RestShape> shape = spec.ok() ? ParseRestShape(spec->kind) : spec.status();
    if (!shape.ok()) {
      std::cerr << shape.status().message() << "\n";
      return kExitConfig;
    }
    GenericRestSimConfig c;
    c.shape = *shape;
    c.rate_limit_per_minute = rest_requests_per_minute;
    c.api_key = fresh(32);
    c.client_id = spec->name + "-" + fresh(8);
    c.client_secret = fresh(32);
    const bool creds_ok =
        *shape == RestShape::kNorthwind
            ? WriteSecret(dir + spec->name + ".api_key", c.api_key)
            : WriteSecret(dir + spec->name + ".client_id", c.client_id) &&
                  WriteSecret(dir + spec->name + ".client_secret", c.client_secret);
    const nlohmann::json rest = seed_json.value("rest", nlohmann::json::object());
    if (!creds_ok || !add(spec->name, std::make_unique<GenericRestSim>(clock, *random, c),
                          spec->port, rest.value(spec->name, nlohmann::json()))) {
      return kExitConfig;
    }
  }
  for (const auto& text : partner_crm_specs) {
    auto spec =
        ParseSimSpec(text, "--partner-crm wants name:port:kind (kind zoho|pipedrive|suitecrm)",
                     {"zoho", "pipedrive", "suitecrm"});
    if (!spec.ok()) {
      std::cerr << spec.status().message() << "\n";
      return kExitConfig;
    }
    const std::string base = dir + spec->name;
    std::unique_ptr<Simulator> sim;
    bool creds_ok = false;
    if (spec->kind == "zoho") {
      ZohoSimConfig c;
      c.client_secret = fresh(32);
      c.refresh_token = "1000." + fresh(32);
      creds_ok = WriteSecret(base + ".client_id", c.client_id) &&
                 WriteSecret(base + ".client_secret", c.client_secret) &&
                 WriteSecret(base + ".refresh_token", c.refresh_token);
      sim = std::make_unique<ZohoSim>(clock, *random, c);
    } else if (spec->kind == "pipedrive") {
      PipedriveSimConfig c;
      c.api_token = fresh(40);
      creds_ok = WriteSecret(base + ".api_token", c.api_token);
      sim = std::make_unique<PipedriveSim>(clock, *random, c);
    } else {
      SuiteCrmSimConfig c;
      c.client_secret = fresh(32);
      creds_ok = WriteSecret(base + ".client_id", c.client_id) &&
                 WriteSecret(base + ".client_secret", c.client_secret);
      sim = std::make_unique<SuiteCrmSim>(clock, *random, c);
    }
    if (!creds_ok || !add(spec->name, std::move(sim), spec->port, nlohmann::json())) {
      return kExitConfig;
    }
  }
  if (!ports_file.empty() && !WriteFile(ports_file, host.PortsJson().dump(2) + "\n")) {
    std::cerr << "cannot write " << ports_file << "\n";
    return kExitConfig;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec)
      return;
    host.Stop();
    io.stop();
  });
  io.run();
  std::cout << "dealsync-sim stopped" << std::endl;
  return 0;
}

}  // namespace
}  // namespace dealsync::sim

int main(int argc, char** argv) {
  return dealsync::sim::Run(argc, argv);
}
