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

HttpRequest ParseRequest(std::string_view text) {
  HttpRequest r;
  const size_t line_end = text.find('\n');
  std::string_view line = text.substr(0, line_end);
  const size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  r.url = space == std::string_view::npos ? "/" : std::string(line.substr(space + 1));
  text = line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view header = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (header.empty()) {
      break;
    }
    const size_t colon = header.find(':');
    r.headers.emplace_back(
        std::string(header.substr(0, colon)),
        colon == std::string_view::npos ? "" : std::string(header.substr(colon + 1)));
  }
  r.body = std::string(text);
  return r;
}

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
      ParseRequest(std::string_view(reinterpret_cast<const char*>(data), size));
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
