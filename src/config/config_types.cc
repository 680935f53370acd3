// Small methods of the config value types, and credential resolution.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dealsync/config.h"

namespace dealsync {
namespace {

constexpr size_t kMaxSecretBytes = 64 * 1024;

void TrimTrailingNewline(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();
  }
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return FailedPrecondition(what + ": cannot open " + path);
  }
  std::string secret(kMaxSecretBytes + 1, '\0');
  in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
  if (in.bad()) {
    return FailedPrecondition(what + ": cannot read " + path);
  }
  secret.resize(static_cast<size_t>(in.gcount()));
  if (secret.size() > kMaxSecretBytes) {
    return FailedPrecondition(what + ": " + path + " is larger than 64 KiB");
  }
  TrimTrailingNewline(secret);
  if (secret.empty()) {
    return FailedPrecondition(what + ": " + path + " is empty");
  }
  return secret;
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = where.file;
  if (where.line > 0) {
    out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  }
  out += ": ";
  if (!key_path.empty()) {
    out += key_path + ": ";
  }
  return out + message;
}

std::string CredentialPath(const CredentialRef& ref, const std::string& credentials_dir) {
  switch (ref.kind) {
    case CredentialRef::Kind::kEnv:
      return "";
    case CredentialRef::Kind::kFile:
      return ref.name;
    case CredentialRef::Kind::kSystemd:
      break;
  }
  // systemd's LoadCredential= exposes credentials under $CREDENTIALS_DIRECTORY.
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir != nullptr && *dir != '\0') {
    const std::string base = dir;
    const std::string plain = base + "/" + ref.name;
    const std::string prefixed = base + "/" + std::string(kUnitCredentialPrefix) + ref.name;
    std::error_code ec;
    if (!std::filesystem::exists(plain, ec) && std::filesystem::exists(prefixed, ec)) {
      return prefixed;
    }
    return plain;
  }
  return credentials_dir.empty() ? "" : credentials_dir + "/" + ref.name;
}

Result<std::string> ResolveCredential(const CredentialRef& ref,
                                      const std::string& credentials_dir) {
  const std::string what = "credential " + ref.Describe();
  if (ref.empty()) {
    return FailedPrecondition("no credential configured");
  }
  switch (ref.kind) {
    case CredentialRef::Kind::kEnv: {
      const char* value = std::getenv(ref.name.c_str());
      if (value == nullptr || *value == '\0') {
        return FailedPrecondition(what + ": environment variable " + ref.name +
                                  " is not set or empty");
      }
      return std::string(value);
    }
    case CredentialRef::Kind::kFile:
      return ReadSecretFile(ref.name, what);
    case CredentialRef::Kind::kSystemd: {
      const std::string path = CredentialPath(ref, credentials_dir);
      if (path.empty()) {
        return FailedPrecondition(what +
                                  ": $CREDENTIALS_DIRECTORY is not set and no credentials_dir "
                                  "is configured (LoadCredential= in the unit, or "
                                  "credentials_dir in dealsync.toml)");
      }
      return ReadSecretFile(path, what);
    }
  }
  return Internal("unknown credential kind");
}

std::optional<Stage> PipelineStageMap::ToCanonical(std::string_view native) const {
  for (const auto& [stage, natives] : native_by_stage) {
    for (const std::string& n : natives) {
      if (n == native) {
        return stage;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> PipelineStageMap::ToNative(Stage s) const {
  auto it = native_by_stage.find(s);
  if (it == native_by_stage.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second.front();
}

const SourceConfig* Config::FindSource(std::string_view id) const {
  if (id == vendor.id) {
    return &vendor;
  }
  for (const SourceConfig& partner : partners) {
    if (partner.id == id) {
      return &partner;
    }
  }
  return nullptr;
}

}  // namespace dealsync
