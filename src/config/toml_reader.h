// Typed, located reading of toml++ tables with error collection. Every getter
// reports a wrong type or bad value as a ConfigError at the value's position
// and returns nullopt; the caller keeps its default only when the key is
// absent, never when it is bad. Finish() reports every key nobody asked for.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "dealsync/config.h"

namespace dealsync::config_internal {

// Collects errors for one file.
class ErrorSink {
 public:
  ErrorSink(std::string file, std::vector<ConfigError>& errors)
      : file_(std::move(file)), errors_(errors) {}

  const std::string& file() const { return file_; }
  SourceLocation Where(const toml::source_region& region) const;
  SourceLocation Where(const toml::node& node) const { return Where(node.source()); }
  void Add(const toml::source_region& where, std::string key_path, std::string message);
  void Add(const SourceLocation& where, std::string key_path, std::string message);
  size_t count() const { return errors_.size(); }

 private:
  std::string file_;
  std::vector<ConfigError>& errors_;
};

// "a string", "an integer", ... for messages.
std::string_view TypeName(const toml::node& node);
// `unknown key "x"` plus `(did you mean "y"?)` when a candidate is close.
std::string UnknownKeyMessage(std::string_view key, const std::vector<std::string>& candidates);
std::string JoinPath(std::string_view parent, std::string_view key);

class TableReader {
 public:
  TableReader(ErrorSink& sink, const toml::table& table, std::string path)
      : sink_(sink), table_(table), path_(std::move(path)) {}

  ErrorSink& sink() { return sink_; }
  const toml::table& table() const { return table_; }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return JoinPath(path_, key); }

  // The raw node (nullptr when absent); marks the key as known.
  const toml::node* Get(std::string_view key);
  // Marks keys as known without reading them.
  void Allow(std::string_view key) { known_.insert(std::string(key)); }

  std::optional<std::string> String(std::string_view key);
  std::optional<int64_t> Int(std::string_view key, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view key);
  std::optional<std::chrono::milliseconds> Duration(std::string_view key, bool allow_zero);
  std::optional<std::string> Enum(std::string_view key, const std::vector<std::string>& choices);
  // A sub-table (a [section] or an inline table); errors when it is another type.
  const toml::table* Table(std::string_view key);

  // Reports a type mismatch at the node.
  void WrongType(std::string_view key, const toml::node& node, std::string_view expected);
  void Error(std::string_view key, const toml::node& node, std::string message);
  void ErrorAtTable(std::string_view key, std::string message);

  // Reports every key not read or allowed, suggesting from `extra_candidates` too.
  void Finish(const std::vector<std::string>& extra_candidates = {});
  // Keys present but not read or allowed (for callers that handle them, e.g. options).
  std::vector<std::string> UnreadKeys() const;
  std::vector<std::string> KnownKeys() const { return {known_.begin(), known_.end()}; }

 private:
  ErrorSink& sink_;
  const toml::table& table_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace dealsync::config_internal
