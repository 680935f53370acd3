// Workspace: the admin server's front handler. It signs people in, checks who
// is calling, serves the review web app (compiled into the binary) and hands
// API calls to ReviewApi, or to AdminApi for routes only AdminApi knows.
//
//   GET    /healthz                   always open (liveness)
//   GET    /readyz, /metrics          open on a loopback-only listener; elsewhere signed in
//   GET    /, /app/...                the web app's static files (no data in them)
//   POST   /api/v1/session            {"name","password"} -> session cookie + CSRF token
//   GET    /api/v1/session            who is signed in (and the CSRF token); user null if nobody
//   DELETE /api/v1/session            sign out
//   *      /api/...                   signed in (session cookie or "Authorization: Bearer
//                                     <user token>"); at least role viewer
//
// The session cookie is HttpOnly, SameSite=Strict, Path=/, and Secure when the
// server speaks TLS. Every mutation made with a session cookie must carry the
// session's CSRF token in X-CSRF-Token (403 otherwise); bearer-token calls are
// not cookie-borne, so they need none. Calls forwarded to AdminApi carry the
// principal's name as "by" and an internal token; partner-limited users have
// lists filtered and other partners' items refused.
// Thread-safety: not thread-safe; runs on the admin server's executor.
#pragma once

#include <string>
#include <vector>

#include "dealsync/http.h"
#include "src/admin/admin_api.h"
#include "src/admin/auth.h"
#include "src/admin/review_api.h"

namespace dealsync {

struct WorkspaceOptions {
  bool tls = false;           // Secure cookies
  bool loopback_only = true;  // /readyz and /metrics open without sign-in
  // When non-empty, a request whose Host header names none of these is refused
  // (403 host_not_allowed) before anything else, the web app included:
  // DNS-rebinding protection (host_check.h).
  std::vector<std::string> allowed_hosts = {};
};

class Workspace {
 public:
  // `inner_token` is the token `inner` was built with (AdminApiOptions.admin_token).
  Workspace(ReviewApi& review, AdminApi& inner, std::string inner_token, Authenticator& auth,
            WorkspaceOptions options);

  HttpResponse Handle(const HttpRequest& request);

 private:
  struct Caller {
    Principal principal;
    std::string session_id;  // "" for bearer-token calls
    std::string csrf;
  };
  std::optional<Caller> Identify(const HttpRequest& request);
  HttpResponse SessionRoute(const HttpRequest& request);
  HttpResponse Forward(const HttpRequest& request, const Principal& who);

  ReviewApi& review_;
  AdminApi& inner_;
  std::string inner_token_;
  Authenticator& auth_;
  WorkspaceOptions options_;
};

// The web app's files, compiled in by src/admin/web/CMakeLists.txt.
struct WebAsset {
  const char* path;  // "/app/app.js"
  const char* content_type;
  const unsigned char* data;
  size_t size;
};
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace dealsync
