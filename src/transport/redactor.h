// Redactor: removes secrets from any string before it reaches a log line or an
// error message.
//
// Replaces with "[redacted]":
//   - every registered secret value (and its percent-encoded form);
//   - the value of secret-bearing fields, wherever they appear:
//       header lines   "Authorization: Bearer x"      -> "Authorization: [redacted]"
//       JSON members   "access_token":"x"             -> "access_token":"[redacted]"
//       form/query     client_secret=x&a=b            -> client_secret=[redacted]&a=b
//     for authorization, proxy-authorization, x-api-key, api_key, apikey,
//     hapikey, access_token, refresh_token, id_token, client_secret, password
//     and any extra field name registered with AddSecretField.
// Thread-safety: register secrets before sharing; Redact() is const.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dealsync {

inline constexpr std::string_view kRedacted = "[redacted]";

class Redactor {
 public:
  Redactor();

  // Secrets shorter than 4 characters are ignored (redacting them would mangle
  // every message while protecting nothing).
  void AddSecret(std::string_view secret);
  // A field/header/parameter name whose value is always secret (case-insensitive).
  void AddSecretField(std::string_view name);

  std::string Redact(std::string_view text) const;

 private:
  void RedactFields(std::string& text) const;

  std::vector<std::string> secrets_;
  std::vector<std::string> fields_;  // lower case
};

}  // namespace dealsync
