// The admin API's request handling (AdminApi::Handle, no sockets): the input
// is a request as text, "METHOD TARGET\nName: value\n...\n\nbody". Whatever
// it is, the answer is a response with a valid status and, for errors, a
// JSON body; the backend answers from a small fixed state.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "src/admin/admin_api.h"
#include "src/admin/host_check.h"
#include "src/platform/fake_clock.h"
#include "tests/fuzz/fuzz_request.h"

namespace dealsync {
namespace {

class Backend final : public AdminBackend {
 public:
  bool StoreOpen() override { return true; }
  StoreHealth StoreStatus() override { return {}; }
  std::vector<SourceHealth> Sources() override {
    return {{"vendor", std::chrono::minutes(5), Timestamp(std::chrono::milliseconds(1)), ""}};
  }
  std::string RenderMetrics() override { return "dealsync_up 1\n"; }
  Result<std::vector<Link>> ListLinks(std::string_view partner) override {
    Link l;
    l.id = "acme/V1/P1";
    l.partner = std::string(partner.empty() ? "acme" : partner);
    l.vendor_id = "V1";
    l.partner_id = "P1";
    return std::vector<Link>{l};
  }
  Status SetLink(std::string_view partner, std::string_view, std::string_view,
                 std::string_view) override {
    return partner == "acme" ? Status::Ok() : NotFound("unknown partner");
  }
  Status BreakLink(std::string_view id, std::string_view) override {
    return id == "acme/V1/P1" ? Status::Ok() : NotFound("no such link");
  }
  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter&) override {
    return std::vector<Conflict>{};
  }
  Result<Conflict> GetConflict(std::string_view) override { return NotFound("no such conflict"); }
  Status ResolveConflict(std::string_view, const Resolution&) override {
    return FailedPrecondition("already resolved");
  }
};

}  // namespace
}  // namespace dealsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dealsync;
  static Backend backend;
  static FakeClock clock;
  static AdminApi api(
      backend, clock,
      AdminApiOptions{"fuzz-token", 3, AdminHostNames("127.0.0.1", {"admin.test"})});
  const HttpRequest request =
      ParseFuzzRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  const HttpResponse response = api.Handle(request);
  if (response.status < 200 || response.status > 599) {
    std::abort();
  }
  if (response.status >= 400 &&
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false).is_discarded()) {
    std::abort();  // every error is JSON
  }
  return 0;
}
