// Small methods of the config value types, and credential resolution.
#include <cstdlib>
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

std::string CredentialRef::Describe() const {
  switch (kind) {
    case Kind::kSystemd:
      return "credential:" + name;
    case Kind::kEnv:
      return "env:" + name;
    case Kind::kFile:
      return "file:" + name;
  }
  return "unknown";
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
      // systemd's LoadCredential= exposes credentials under $CREDENTIALS_DIRECTORY.
      const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
      std::string base = dir != nullptr && *dir != '\0' ? dir : credentials_dir;
      if (base.empty()) {
        return FailedPrecondition(what +
                                  ": $CREDENTIALS_DIRECTORY is not set and no credentials_dir "
                                  "is configured (LoadCredential= in the unit, or "
                                  "credentials_dir in dealsync.toml)");
      }
      return ReadSecretFile(base + "/" + ref.name, what);
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
