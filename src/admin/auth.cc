#include "src/admin/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "src/admin/admin_api.h"

namespace dealsync {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr int kMinIterations = 1000;
// Far above any sensible cost: a hash beyond it would make each sign-in hang.
constexpr int kMaxIterations = 10'000'000;
constexpr size_t kHashBytes = 32;

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  size_t pad = 0;
  while (pad < 2 && text[text.size() - 1 - pad] == '=') {
    ++pad;
  }
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  std::string out(kHashBytes, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

struct ParsedHash {
  int iterations = 0;
  std::string salt;
  std::string hash;
};

Result<ParsedHash> ParseHash(std::string_view encoded) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t dollar = encoded.find('$');
    parts.push_back(encoded.substr(0, dollar));
    if (dollar == std::string_view::npos) {
      break;
    }
    encoded.remove_prefix(dollar + 1);
  }
  if (parts.size() != 4 || parts[0] != kScheme) {
    return InvalidArgument(
        "not a password hash (expected pbkdf2-sha256$<iterations>$<salt>$<hash>, as printed by "
        "`dealsyncctl users hash-password`)");
  }
  ParsedHash p;
  auto [end, ec] =
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), p.iterations);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() ||
      p.iterations < kMinIterations || p.iterations > kMaxIterations) {
    return InvalidArgument("password hash: iterations must be an integer from " +
                           std::to_string(kMinIterations) + " to " +
                           std::to_string(kMaxIterations));
  }
  auto salt = Unbase64(parts[2]);
  auto hash = Unbase64(parts[3]);
  if (!salt || salt->size() < 8 || !hash || hash->size() != kHashBytes) {
    return InvalidArgument("password hash: salt or hash is not valid base64 of the right length");
  }
  p.salt = std::move(*salt);
  p.hash = std::move(*hash);
  return p;
}

}  // namespace

std::string_view UserRoleName(UserRole r) {
  switch (r) {
    case UserRole::kViewer:
      return "viewer";
    case UserRole::kResolver:
      return "resolver";
    case UserRole::kAdmin:
      return "admin";
  }
  return "viewer";
}

bool Principal::SeesPartner(std::string_view partner) const {
  if (partners.empty()) {
    return true;
  }
  for (const std::string& p : partners) {
    if (p == partner) {
      return true;
    }
  }
  return false;
}

RandomBytes SystemRandomBytes() {
  return [](size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
      // No entropy means no safe session ids: a broken invariant of the platform.
      throw std::runtime_error("RAND_bytes failed");
    }
    return out;
  };
}

std::string HashPassword(std::string_view password, std::string_view salt, int iterations) {
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + Base64(salt) + "$" +
         Base64(Pbkdf2(password, salt, iterations));
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  Result<ParsedHash> p = ParseHash(encoded);
  if (!p.ok()) {
    return false;
  }
  return ConstantTimeEquals(Pbkdf2(password, p->salt, p->iterations), p->hash);
}

Status CheckPasswordHash(std::string_view encoded) {
  return ParseHash(encoded).status();
}

Authenticator::Authenticator(std::vector<UserSecret> users, Clock& clock,
                             std::chrono::milliseconds ttl, RandomBytes random)
    : users_(std::move(users)),
      clock_(clock),
      ttl_(ttl),
      random_(std::move(random)),
      budget_at_(clock_.Now()) {
  int iterations = kMinIterations;
  for (const UserSecret& u : users_) {
    if (Result<ParsedHash> p = ParseHash(u.password_hash); p.ok()) {
      iterations = std::max(iterations, p->iterations);
    }
  }
  dummy_hash_ = HashPassword("", "dealsync-dummy-salt", iterations);
}

std::chrono::seconds Authenticator::SignInRetryAfter() const {
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      kSignInRefill * (1.0 - sign_in_budget_));
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
}

Result<Session> Authenticator::SignIn(std::string_view name, std::string_view password) {
  const Timestamp now = clock_.Now();
  if (now > budget_at_) {
    sign_in_budget_ = std::min<double>(
        kSignInBurst, sign_in_budget_ + std::chrono::duration<double>(now - budget_at_) /
                                            std::chrono::duration<double>(kSignInRefill));
  }
  budget_at_ = now;
  if (sign_in_budget_ < 1.0) {
    return Status(StatusCode::kResourceExhausted,
                  "too many sign-in attempts; try again in " +
                      std::to_string(SignInRetryAfter().count()) + " s");
  }
  sign_in_budget_ -= 1.0;
  const UserSecret* found = nullptr;
  for (const UserSecret& u : users_) {
    if (u.principal.name == name && !u.password_hash.empty()) {
      found = &u;
    }
  }
  const bool ok = VerifyPassword(password, found != nullptr ? found->password_hash : dummy_hash_);
  if (found == nullptr || !ok || password.empty()) {
    return Unauthenticated("unknown user or wrong password");
  }
  Session s;
  s.id = Base64(random_(32));
  s.csrf = Base64(random_(32));
  s.principal = found->principal;
  s.expires = clock_.Now() + ttl_;
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> Authenticator::FindSession(std::string_view id) {
  const Timestamp now = clock_.Now();
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires <= now; });
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return std::nullopt;
  }
  return it->second;
}

void Authenticator::SignOut(std::string_view id) {
  auto it = sessions_.find(id);
  if (it != sessions_.end()) {
    sessions_.erase(it);
  }
}

std::optional<Principal> Authenticator::FromToken(std::string_view token) const {
  std::optional<Principal> out;
  for (const UserSecret& u : users_) {
    // Compare every token (no early exit) so timing does not reveal which matched.
    if (!u.token.empty() && ConstantTimeEquals(u.token, token)) {
      out = u.principal;
    }
  }
  return out;
}

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') {
      pair.remove_prefix(1);
    }
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

}  // namespace dealsync
