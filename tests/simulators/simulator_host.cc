#include "tests/simulators/simulator_host.h"

#include <charconv>

#include "src/transport/http_server.h"

namespace dealsync::sim {
namespace {

// One request: route, then apply a stall marker. Parameters by value: the
// coroutine frame must not point into the caller's temporaries.
Awaitable<HttpResponse> ServeOne(Simulator* sim, Clock* clock, HttpRequest request) {
  const bool control = request.url.rfind("/__sim/", 0) == 0;
  HttpResponse response = control ? sim->HandleControl(request) : sim->Handle(request);
  int64_t stall_ms = 0;
  for (auto it = response.headers.begin(); it != response.headers.end(); ++it) {
    if (it->first == kStallHeader) {
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), stall_ms);
      response.headers.erase(it);
      break;
    }
  }
  if (stall_ms > 0) {
    co_await clock->SleepFor(std::chrono::milliseconds(stall_ms));
  }
  co_return response;
}

}  // namespace

SimulatorHost::SimulatorHost(boost::asio::any_io_executor executor, Clock& clock,
                             std::string cert_file, std::string key_file)
    : executor_(std::move(executor)),
      clock_(clock),
      cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)) {}

SimulatorHost::~SimulatorHost() {
  Stop();
}

Result<uint16_t> SimulatorHost::Add(std::string name, std::unique_ptr<Simulator> sim,
                                    uint16_t port) {
  if (Find(name) != nullptr) {
    return InvalidArgument("simulator \"" + name + "\" is already hosted");
  }
  ServerOptions options;
  options.port = port;
  options.cert_file = cert_file_;
  options.key_file = key_file_;
  Simulator* raw = sim.get();
  Clock* clock = &clock_;
  auto server = std::make_unique<HttpServer>(executor_, options, [raw, clock](HttpRequest request) {
    return ServeOne(raw, clock, std::move(request));
  });
  auto bound = server->Start();
  if (!bound.ok()) {
    return bound.status().Annotate("simulator " + name);
  }
  raw->SetPublicBaseUrl("https://127.0.0.1:" + std::to_string(*bound));
  entries_.push_back({std::move(name), std::move(sim), std::move(server), *bound});
  return *bound;
}

Simulator* SimulatorHost::Find(const std::string& name) {
  for (auto& e : entries_) {
    if (e.name == name)
      return e.sim.get();
  }
  return nullptr;
}

std::string SimulatorHost::BaseUrl(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.name == name)
      return "https://127.0.0.1:" + std::to_string(e.port);
  }
  return "";
}

nlohmann::json SimulatorHost::PortsJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& e : entries_) {
    out[e.name] = {{"port", e.port}, {"base_url", BaseUrl(e.name)}};
  }
  return out;
}

std::string SimulatorHost::DescribeViolations() const {
  std::string out;
  for (const auto& e : entries_) {
    for (const auto& v : e.sim->violations().entries()) {
      out += e.name + ": " + v.endpoint + ": " + v.rule + ": " + v.detail + "\n";
    }
  }
  return out;
}

bool SimulatorHost::NoViolations() const {
  for (const auto& e : entries_) {
    if (!e.sim->violations().empty())
      return false;
  }
  return true;
}

void SimulatorHost::Stop() {
  for (auto& e : entries_) {
    if (e.server)
      e.server->Stop();
  }
}

}  // namespace dealsync::sim
