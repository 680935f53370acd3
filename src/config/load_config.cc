// LoadConfig: reads dealsync.toml, vendor.toml and partners.d/*.toml, collects
// every error from every file, checks cross-file rules (unique partner ids),
// and returns the errors sorted by file, line and column.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dealsync/connector.h"
#include "src/config/config_internal.h"

namespace dealsync {
namespace {

namespace fs = std::filesystem;
using config_internal::ErrorSink;

constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;

// Parses one file; syntax errors are reported at toml++'s position.
std::optional<toml::table> ParseFile(const std::string& path, std::vector<ConfigError>& errors) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    errors.push_back({{path, 0, 0}, "", "file not found"});
    return std::nullopt;
  }
  if (fs::file_size(path, ec) > kMaxConfigBytes) {
    errors.push_back({{path, 0, 0}, "", "file is larger than 1 MiB"});
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) {
    errors.push_back({{path, 0, 0}, "", "cannot read file"});
    return std::nullopt;
  }
  try {
    return toml::parse(content.str(), path);
  } catch (const toml::parse_error& e) {
    errors.push_back(
        {{path, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)},
         "",
         "TOML syntax error: " + std::string(e.description())});
    return std::nullopt;
  }
}

std::vector<std::string> PartnerFiles(const std::string& dir, std::vector<ConfigError>& errors) {
  std::vector<std::string> files;
  const fs::path partners = fs::path(dir) / "partners.d";
  std::error_code ec;
  if (!fs::is_directory(partners, ec)) {
    return files;  // a vendor with no partners yet is valid
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(partners, ec)) {
    if (entry.path().extension() == ".toml") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) {
    errors.push_back({{partners.string(), 0, 0}, "", "cannot list directory: " + ec.message()});
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Where a partner's `id` key is, for duplicate messages.
SourceLocation IdLocation(const toml::table& root, const std::string& file) {
  for (auto&& [key, value] : root) {
    if (key.str() == "id") {
      return {file, static_cast<int>(value.source().begin.line),
              static_cast<int>(value.source().begin.column)};
    }
  }
  return {file, 0, 0};
}

}  // namespace

ConfigLoadResult LoadConfig(const std::string& dir, const ConnectorRegistry& registry) {
  return LoadConfig(dir, registry, LoadOptions{});
}

ConfigLoadResult LoadConfig(const std::string& dir, const ConnectorRegistry& registry,
                            const LoadOptions& options) {
  ConfigLoadResult result;
  std::vector<ConfigError>& errors = result.errors;
  Config config;
  config.dir = dir;
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";

  const std::string daemon_file = prefix + "dealsync.toml";
  if (std::optional<toml::table> root = ParseFile(daemon_file, errors)) {
    ErrorSink sink(daemon_file, errors);
    config.daemon = config_internal::ReadDaemon(sink, *root, dir);
    if (errors.empty()) {
      result.daemon = config.daemon;
    }
  }

  const std::string vendor_file = prefix + "vendor.toml";
  if (std::optional<toml::table> root = ParseFile(vendor_file, errors)) {
    ErrorSink sink(vendor_file, errors);
    if (auto vendor =
            config_internal::ReadSource(sink, *root, Role::kVendor, config.daemon, dir, registry)) {
      config.vendor = std::move(*vendor);
    }
  }

  std::map<std::string, SourceLocation> first_definition;
  // Moves the errors a partner file added (from index `first`) aside.
  auto set_aside = [&](const std::string& file, size_t first, const toml::table* root) {
    FailedPartner failed;
    failed.file = file;
    failed.id = fs::path(file).stem().string();
    if (root != nullptr) {
      if (const auto* id = root->get_as<std::string>("id"); id != nullptr && !id->get().empty()) {
        failed.id = id->get();
      }
    }
    failed.errors.assign(errors.begin() + static_cast<std::ptrdiff_t>(first), errors.end());
    errors.resize(first);
    result.failed_partners.push_back(std::move(failed));
  };
  for (const std::string& file : PartnerFiles(dir, errors)) {
    const size_t errors_before = errors.size();
    std::optional<toml::table> root = ParseFile(file, errors);
    if (!root) {
      if (options.isolate_partners) {
        set_aside(file, errors_before, nullptr);
      }
      continue;
    }
    ErrorSink sink(file, errors);
    std::optional<SourceConfig> partner =
        config_internal::ReadSource(sink, *root, Role::kPartner, config.daemon, dir, registry);
    if (options.isolate_partners && errors.size() > errors_before) {
      set_aside(file, errors_before, &*root);
      continue;
    }
    if (!partner) {
      continue;
    }
    SourceLocation where = IdLocation(*root, file);
    auto [it, inserted] = first_definition.emplace(partner->id, where);
    if (!inserted) {
      sink.Add(where, "id",
               "duplicate partner id \"" + partner->id + "\" (already defined in " +
                   it->second.file + ":" + std::to_string(it->second.line) + ":" +
                   std::to_string(it->second.column) + ")");
      if (options.isolate_partners) {
        set_aside(file, errors_before, &*root);
      }
      continue;
    }
    config.partners.push_back(std::move(*partner));
  }
  if (errors.empty()) {
    config_internal::CheckUserPartners(config, errors);
  }

  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
  if (errors.empty()) {
    result.config = std::move(config);
  }
  return result;
}

}  // namespace dealsync
