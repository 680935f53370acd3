// JSON Web Tokens signed with RS256 (RFC 7519, RFC 7515, RFC 7518 section
// 3.3: RSASSA-PKCS1-v1_5 with SHA-256), for the OAuth 2.0 JWT bearer grant
// (RFC 7523). Only what that grant needs: sign a claims set with a PEM private
// key, and (for the simulators) verify a token against a PEM certificate or
// public key and read its parts.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dealsync/status.h"

namespace dealsync {

// RFC 4648 section 5, without padding.
std::string Base64UrlEncode(std::string_view data);
// Accepts unpadded or padded input; kInvalidArgument on other characters.
Result<std::string> Base64UrlDecode(std::string_view text);

// header.claims.signature with header {"alg":"RS256"} (Salesforce's form).
// kInvalidArgument when the key is not an RSA private key in PEM (the message
// never contains the key).
Result<std::string> SignJwtRs256(std::string_view claims_json, std::string_view private_key_pem);

struct JwtParts {
  std::string header_json;
  std::string claims_json;
};
// Splits and decodes `token`, checks the header says RS256 and the signature
// verifies with `certificate_or_public_key_pem` (an X.509 certificate or a
// public key, PEM). kInvalidArgument for a malformed token, kUnauthenticated
// for a signature that does not verify.
Result<JwtParts> VerifyJwtRs256(std::string_view token,
                                std::string_view certificate_or_public_key_pem);

}  // namespace dealsync
