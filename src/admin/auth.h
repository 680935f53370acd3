// Who is calling the admin server: named users with roles, sign-in sessions,
// API tokens, CSRF tokens, password hashes.
//
// Users come from [[admin.users]] with their secret already read from its
// credential: a password hash "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>"
// (PBKDF2-HMAC-SHA256, OpenSSL) or an API token. A successful sign-in makes a
// session (256-bit random id in an HttpOnly cookie) with its own CSRF token;
// sessions live in memory and end after the TTL or on sign-out (a restart
// signs everyone out). Token and hash comparisons are constant-time.
// Sign-ins are budgeted (a burst of kSignInBurst, then one per
// kSignInRefill): each costs a deliberately slow hash on the admin server's
// executor, so a flood of attempts must not stall the sync beside it.
// Thread-safety: not thread-safe; used from the admin server's executor.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/status.h"

namespace dealsync {

std::string_view UserRoleName(UserRole r);  // viewer, resolver, admin

struct Principal {
  std::string name;
  UserRole role = UserRole::kViewer;
  std::vector<std::string> partners;  // empty: every partner
  bool AtLeast(UserRole r) const { return static_cast<int>(role) >= static_cast<int>(r); }
  bool SeesPartner(std::string_view partner) const;
  bool SeesAllPartners() const { return partners.empty(); }
};

// A user with the secret read from its credential.
struct UserSecret {
  Principal principal;
  std::string password_hash;  // "" when the user signs in with a token only
  std::string token;          // "" when the user has no API token
};

// Random bytes for session ids and salts (OpenSSL RAND_bytes by default).
using RandomBytes = std::function<std::string(size_t)>;
RandomBytes SystemRandomBytes();

// "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>".
std::string HashPassword(std::string_view password, std::string_view salt, int iterations);
// False for a malformed hash or a wrong password.
bool VerifyPassword(std::string_view password, std::string_view encoded);
// Checks the shape of an encoded hash (for config load); message says what is wrong.
Status CheckPasswordHash(std::string_view encoded);

inline constexpr std::string_view kSessionCookie = "dealsync_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

struct Session {
  std::string id;
  std::string csrf;
  Principal principal;
  Timestamp expires{};
};

class Authenticator {
 public:
  Authenticator(std::vector<UserSecret> users, Clock& clock, std::chrono::milliseconds ttl,
                RandomBytes random);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  static constexpr int kSignInBurst = 10;
  static constexpr std::chrono::milliseconds kSignInRefill{1000};

  // A new session, or kUnauthenticated (same message for unknown user and
  // wrong password), or kResourceExhausted while the sign-in budget is spent
  // (then SignInRetryAfter() says when to try again).
  Result<Session> SignIn(std::string_view name, std::string_view password);
  std::chrono::seconds SignInRetryAfter() const;
  // The live session with this id (expired ones are dropped), else nullopt.
  std::optional<Session> FindSession(std::string_view id);
  void SignOut(std::string_view id);
  // The user whose API token this is.
  std::optional<Principal> FromToken(std::string_view token) const;

  size_t live_sessions() const { return sessions_.size(); }

 private:
  std::vector<UserSecret> users_;
  Clock& clock_;
  std::chrono::milliseconds ttl_;
  RandomBytes random_;
  std::map<std::string, Session, std::less<>> sessions_;
  // Unknown names are checked against this, at the users' own cost, so the
  // time taken does not tell which names exist.
  std::string dummy_hash_;
  double sign_in_budget_ = kSignInBurst;
  Timestamp budget_at_{};
};

// Cookie header value -> the named cookie's value.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

}  // namespace dealsync
