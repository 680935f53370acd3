#include "src/transport/jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

namespace dealsync {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

BioPtr MemBio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

KeyPtr PublicKeyFrom(std::string_view pem) {
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BioPtr bio = MemBio(pem);
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    return cert ? KeyPtr(X509_get_pubkey(cert.get())) : nullptr;
  }
  BioPtr bio = MemBio(pem);
  return KeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()),
                                     static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(std::max(length, 0)));
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (char& c : out) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return InvalidArgument("base64url: invalid length");
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    }
    if (v < 0) {
      return InvalidArgument("base64url: invalid character");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

Result<std::string> SignJwtRs256(std::string_view claims_json, std::string_view private_key_pem) {
  BioPtr bio = MemBio(private_key_pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return InvalidArgument(
        "JWT: the private key is not a PEM private key (unencrypted PKCS#8 "
        "\"BEGIN PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\")");
  }
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return InvalidArgument("JWT: RS256 needs an RSA private key");
  }
  const std::string signing_input =
      Base64UrlEncode(R"({"alg":"RS256"})") + "." + Base64UrlEncode(claims_json);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return Internal("JWT: cannot set up RS256 signing");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return Internal("JWT: RS256 signing failed");
  }
  signature.resize(length);
  return signing_input + "." + Base64UrlEncode(signature);
}

Result<JwtParts> VerifyJwtRs256(std::string_view token,
                                std::string_view certificate_or_public_key_pem) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return InvalidArgument("JWT: expected header.claims.signature");
  }
  Result<std::string> header = Base64UrlDecode(token.substr(0, first));
  Result<std::string> claims = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  Result<std::string> signature = Base64UrlDecode(token.substr(second + 1));
  if (!header.ok() || !claims.ok() || !signature.ok()) {
    return InvalidArgument("JWT: a part is not base64url");
  }
  nlohmann::json h = nlohmann::json::parse(*header, nullptr, /*allow_exceptions=*/false);
  if (!h.is_object() || !h.contains("alg") || h["alg"] != "RS256") {
    return InvalidArgument("JWT: the header does not say alg RS256");
  }
  KeyPtr key = PublicKeyFrom(certificate_or_public_key_pem);
  if (!key) {
    return InvalidArgument("JWT: cannot read the verification certificate");
  }
  const std::string_view signing_input = token.substr(0, second);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return Internal("JWT: cannot set up RS256 verification");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
    return Unauthenticated("JWT: the signature does not verify");
  }
  return JwtParts{std::move(*header), std::move(*claims)};
}

}  // namespace dealsync
