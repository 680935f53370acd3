// SimulatorHost: serves simulators over loopback HTTPS (one HttpServer, one
// port each) on an io_context, for in-process integration tests, the demo and
// the dealsync-sim executable. Requests under /__sim/ go to the control API;
// everything else to the simulator's API. A stall marker set by a fault is
// applied here with the injected Clock (real time when hosted for real).
// Thread-safety: construct, Add() and Stop() on the executor's thread (or while
// it is not running); the simulators are then only touched by that thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>

#include "dealsync/clock.h"
#include "dealsync/status.h"
#include "tests/simulators/sim_core.h"

namespace dealsync {
class HttpServer;
}

namespace dealsync::sim {

class SimulatorHost {
 public:
  // `cert_file`/`key_file`: PEM server certificate and key (e.g. from WriteTestPki).
  SimulatorHost(boost::asio::any_io_executor executor, Clock& clock, std::string cert_file,
                std::string key_file);
  SimulatorHost(const SimulatorHost&) = delete;
  SimulatorHost& operator=(const SimulatorHost&) = delete;
  ~SimulatorHost();  // Stop()s

  // Starts serving `sim` as `name` on 127.0.0.1:`port` (0: any free port) and
  // tells the simulator its base URL. Returns the bound port.
  Result<uint16_t> Add(std::string name, std::unique_ptr<Simulator> sim, uint16_t port = 0);

  // nullptr when no simulator has that name.
  Simulator* Find(const std::string& name);
  template <typename T>
  T* Get(const std::string& name) {
    return dynamic_cast<T*>(Find(name));
  }
  // "https://127.0.0.1:<port>" ("" when unknown).
  std::string BaseUrl(const std::string& name) const;
  // {"<name>": {"port": N, "base_url": ".."}, ...}
  nlohmann::json PortsJson() const;
  // Violations of every hosted simulator, one line each ("name: endpoint: rule: detail").
  std::string DescribeViolations() const;
  bool NoViolations() const;

  void Stop();

 private:
  struct Entry {
    std::string name;
    std::unique_ptr<Simulator> sim;
    std::unique_ptr<HttpServer> server;
    uint16_t port = 0;
  };
  boost::asio::any_io_executor executor_;
  Clock& clock_;
  std::string cert_file_;
  std::string key_file_;
  std::vector<Entry> entries_;
};

}  // namespace dealsync::sim
