// Helpers for simulator unit tests: request builders and JSON access.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "dealsync/http.h"
#include "src/platform/fake_clock.h"
#include "tests/simulators/sim_core.h"
#include "tests/support/test_support.h"

namespace dealsync::sim::testing {

inline HttpRequest Get(std::string url, std::string token = "") {
  HttpRequest r;
  r.method = "GET";
  r.url = std::move(url);
  if (!token.empty())
    r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

inline HttpRequest WithJson(std::string method, std::string url, const Json& body,
                            std::string token = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = body.dump();
  r.headers.emplace_back("Content-Type", "application/json");
  if (!token.empty())
    r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

inline Json BodyOf(const HttpResponse& r) {
  auto j = ParseJsonBody(r.body);
  EXPECT_TRUE(j.has_value()) << r.body;
  return j.value_or(Json());
}

// Expects `rule` to be among the recorded violations.
inline bool HasViolation(const ViolationLog& log, const std::string& rule) {
  for (const auto& v : log.entries()) {
    if (v.rule == rule)
      return true;
  }
  return false;
}

}  // namespace dealsync::sim::testing
