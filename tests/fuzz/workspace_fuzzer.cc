// The review workspace in front of the admin API (Workspace::Handle, no
// sockets): sign-in, sessions, CSRF, roles, partner scope and every review
// route, over a real engine holding conflicts, links, one-sided deals and a
// dead letter (tests/unit/review/review_fixture.h). Every input sees that
// world as built: it is rebuilt after any request that may change it (any
// method but GET), so a crash replays alone. The input's first byte picks the caller (nobody, a
// user token, or a signed-in admin, resolver, viewer or northwind-only
// resolver, with or without the session's CSRF token); the rest is a request
// as in admin_api_fuzzer.cc. Every answer has a valid status, every API error
// is JSON, and the northwind-only user is never answered with a contoso record.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fuzz/fuzz_request.h"
#include "tests/unit/review/review_fixture.h"

namespace dealsync {
namespace {

using nlohmann::json;

// Signs `name` in (password "<name>-password-1") and returns the cookie and
// CSRF token, or empty strings when that failed.
std::pair<std::string, std::string> SignIn(Workspace& front, const std::string& name) {
  HttpRequest r;
  r.method = "POST";
  r.url = "/api/v1/session";
  r.body = json{{"name", name}, {"password", name + "-password-1"}}.dump();
  const HttpResponse answer = front.Handle(r);
  const std::string cookie(answer.header("Set-Cookie").value_or(""));
  const json body = json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (answer.status != 200 || !body.is_object() || !body.contains("csrf_token") ||
      !body["csrf_token"].is_string()) {
    return {};
  }
  return {cookie.substr(0, cookie.find(';')), body["csrf_token"].get<std::string>()};
}

}  // namespace
}  // namespace dealsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dealsync;
  if (size == 0) {
    return 0;
  }
  static const char* const kUsers[] = {"ada", "rita", "vic", "nora"};
  struct Fixture {
    std::unique_ptr<testing::ReviewWorld> world;
    std::vector<std::pair<std::string, std::string>> sessions;  // per kUsers entry
    void Rebuild() {
      world = std::make_unique<testing::ReviewWorld>(2);
      sessions.clear();
      for (const char* user : kUsers) {
        sessions.push_back(SignIn(*world->front, user));
        if (sessions.back().first.empty()) {
          std::abort();  // the fixture's users sign in
        }
      }
    }
  };
  static Fixture fixture;
  if (!fixture.world) {
    fixture.Rebuild();
  }
  const uint8_t caller = data[0] % 10;  // 0 nobody, 1 token, 2..9 a user with or without CSRF
  HttpRequest request =
      ParseFuzzRequest(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  const bool limited = caller >= 2 && kUsers[(caller - 2) / 2] == std::string_view("nora");
  if (caller == 1) {
    request.headers.emplace_back("Authorization", std::string("Bearer ") + testing::kCliToken);
  } else if (caller >= 2) {
    const auto& [cookie, csrf] = fixture.sessions[(caller - 2) / 2];
    request.headers.emplace_back("Cookie", cookie);
    if (caller % 2 == 0) {
      request.headers.emplace_back("X-CSRF-Token", csrf);
    }
  }
  const HttpResponse response = fixture.world->front->Handle(request);
  if (request.method != "GET") {
    fixture.Rebuild();
  }
  if (response.status < 200 || response.status > 599) {
    std::abort();
  }
  const bool api = request.url.find("/api/") != std::string::npos;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (api && response.status >= 400 && body.is_discarded()) {
    std::abort();  // every API error is JSON
  }
  if (limited && response.status < 300 &&
      (response.body.find("\"partner\":\"contoso\"") != std::string::npos ||
       response.body.find("\"source\":\"contoso\"") != std::string::npos)) {
    std::abort();  // another partner's record reached a partner-limited user
  }
  return 0;
}
