#include "src/transport/cert_gen.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

namespace dealsync {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr long kValidFromSeconds = -3600;           // tolerate small clock skew
constexpr long kValidForSeconds = 30L * 24 * 3600;  // long enough for any test run

// The last OpenSSL error as text, for messages.
std::string OpenSslError(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::string message = "cert_gen: " + what;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  return message;
}

Result<PkeyPtr> GenerateKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return Internal(OpenSslError("EC key generation failed"));
  }
  return key;
}

// Adds one v3 extension in openssl.cnf syntax, e.g. "critical,CA:TRUE".
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) {
    return Internal(OpenSslError(std::string("extension ") + value));
  }
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? Status::Ok() : Internal(OpenSslError("X509_add_ext"));
}

struct CertSpec {
  std::string common_name;
  bool is_ca = false;
  std::string subject_alt_names;  // "IP:127.0.0.1,DNS:localhost"; empty for none
  long serial = 1;
};

// Builds a certificate for `key`. With issuer == nullptr it is self-signed.
Result<X509Ptr> MakeCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer_cert,
                         EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) {
    return Internal(OpenSslError("X509_new"));
  }
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), kValidFromSeconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidForSeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("dealsync test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* issuer = issuer_cert != nullptr ? issuer_cert : cert.get();
  EVP_PKEY* signer = issuer_key != nullptr ? issuer_key : key;
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));

  if (spec.is_ca) {
    DEALSYNC_RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE"));
    DEALSYNC_RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    DEALSYNC_RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE"));
    DEALSYNC_RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature"));
    DEALSYNC_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_ext_key_usage, "serverAuth"));
  }
  DEALSYNC_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  if (issuer_cert != nullptr) {
    DEALSYNC_RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always"));
  }
  if (!spec.subject_alt_names.empty()) {
    DEALSYNC_RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer, NID_subject_alt_name, spec.subject_alt_names.c_str()));
  }
  if (X509_sign(cert.get(), signer, EVP_sha256()) <= 0) {
    return Internal(OpenSslError("X509_sign " + spec.common_name));
  }
  return cert;
}

Status WriteCertFile(const std::filesystem::path& path, X509* cert) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return Internal(OpenSslError("writing " + path.string()));
  }
  return Status::Ok();
}

// Private keys are created 0600 before any byte is written.
Status WriteKeyFile(const std::filesystem::path& path, EVP_PKEY* key) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  const mode_t old_mask = ::umask(077);
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  ::umask(old_mask);
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal(OpenSslError("writing " + path.string()));
  }
  return Status::Ok();
}

// Generates a key and a certificate for it and writes both files.
Status IssueLeaf(const std::filesystem::path& dir, const CertSpec& spec, const char* cert_name,
                 const char* key_name, X509* ca_cert, EVP_PKEY* ca_key) {
  Result<PkeyPtr> key = GenerateKey();
  if (!key.ok()) {
    return key.status();
  }
  Result<X509Ptr> cert = MakeCert(spec, key->get(), ca_cert, ca_key);
  if (!cert.ok()) {
    return cert.status();
  }
  DEALSYNC_RETURN_IF_ERROR(WriteCertFile(dir / cert_name, cert->get()));
  return WriteKeyFile(dir / key_name, key->get());
}

// PEM text of a certificate or a private key, through a memory BIO.
template <typename Write>
Result<std::string> PemText(const char* what, Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) {
    return Internal(OpenSslError(std::string("writing ") + what));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Result<SigningPair> GenerateRsaSigningPair() {
  PkeyPtr key(EVP_RSA_gen(2048));
  if (!key) {
    return Internal(OpenSslError("RSA key generation failed"));
  }
  Result<X509Ptr> cert =
      MakeCert({"dealsync JWT signing", false, "", 5}, key.get(), nullptr, nullptr);
  if (!cert.ok()) {
    return cert.status();
  }
  SigningPair pair;
  Result<std::string> key_pem = PemText("the private key", [&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  Result<std::string> cert_pem =
      PemText("the certificate", [&](BIO* bio) { return PEM_write_bio_X509(bio, cert->get()); });
  if (!key_pem.ok() || !cert_pem.ok()) {
    return !key_pem.ok() ? key_pem.status() : cert_pem.status();
  }
  return SigningPair{std::move(*key_pem), std::move(*cert_pem)};
}

Status WriteTestPki(const std::string& dir) {
  const std::filesystem::path root(dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return Unavailable("cert_gen: cannot create " + dir + ": " + ec.message());
  }
  Result<PkeyPtr> ca_key = GenerateKey();
  if (!ca_key.ok()) {
    return ca_key.status();
  }
  Result<X509Ptr> ca = MakeCert({"dealsync test CA", true, "", 1}, ca_key->get(), nullptr, nullptr);
  if (!ca.ok()) {
    return ca.status();
  }
  DEALSYNC_RETURN_IF_ERROR(WriteCertFile(root / TestPkiFiles::kCa, ca->get()));
  DEALSYNC_RETURN_IF_ERROR(IssueLeaf(root, {"localhost", false, "IP:127.0.0.1,DNS:localhost", 2},
                                     TestPkiFiles::kServerCert, TestPkiFiles::kServerKey, ca->get(),
                                     ca_key->get()));
  DEALSYNC_RETURN_IF_ERROR(IssueLeaf(root, {"wrong.example", false, "DNS:wrong.example", 3},
                                     TestPkiFiles::kWrongHostCert, TestPkiFiles::kWrongHostKey,
                                     ca->get(), ca_key->get()));
  // Self-signed with the right names: refused only because nobody trusts it.
  return IssueLeaf(root, {"localhost", false, "IP:127.0.0.1,DNS:localhost", 4},
                   TestPkiFiles::kSelfSignedCert, TestPkiFiles::kSelfSignedKey, nullptr, nullptr);
}

}  // namespace dealsync
