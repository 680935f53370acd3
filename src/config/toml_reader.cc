// TableReader: typed access to toml++ tables with located errors.
#include "src/config/toml_reader.h"

#include <algorithm>

#include "src/config/units.h"

namespace dealsync::config_internal {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

SourceLocation ErrorSink::Where(const toml::source_region& region) const {
  return SourceLocation{file_, static_cast<int>(region.begin.line),
                        static_cast<int>(region.begin.column)};
}

void ErrorSink::Add(const toml::source_region& where, std::string key_path, std::string message) {
  Add(Where(where), std::move(key_path), std::move(message));
}

void ErrorSink::Add(const SourceLocation& where, std::string key_path, std::string message) {
  errors_.push_back(ConfigError{where, std::move(key_path), std::move(message)});
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string UnknownKeyMessage(std::string_view key, const std::vector<std::string>& candidates) {
  std::string message = "unknown key \"" + std::string(key) + "\"";
  const std::string* best = nullptr;
  size_t best_distance = std::max<size_t>(2, key.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    size_t d = EditDistance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = &candidate;
    }
  }
  if (best != nullptr) {
    message += " (did you mean \"" + *best + "\"?)";
  }
  return message;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty() || key.empty()) {
    return std::string(parent.empty() ? key : parent);
  }
  return std::string(parent) + "." + std::string(key);
}

const toml::node* TableReader::Get(std::string_view key) {
  known_.insert(std::string(key));
  return table_.get(key);
}

void TableReader::WrongType(std::string_view key, const toml::node& node,
                            std::string_view expected) {
  Error(key, node, "expected " + std::string(expected) + ", found " + std::string(TypeName(node)));
}

void TableReader::Error(std::string_view key, const toml::node& node, std::string message) {
  sink_.Add(node.source(), PathOf(key), std::move(message));
}

void TableReader::ErrorAtTable(std::string_view key, std::string message) {
  sink_.Add(table_.source(), PathOf(key), std::move(message));
}

std::optional<std::string> TableReader::String(std::string_view key) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (const auto* s = node->as_string()) {
    return s->get();
  }
  WrongType(key, *node, "a string");
  return std::nullopt;
}

std::optional<int64_t> TableReader::Int(std::string_view key, int64_t min, int64_t max) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const auto* i = node->as_integer();
  if (i == nullptr) {
    WrongType(key, *node, "an integer");
    return std::nullopt;
  }
  if (i->get() < min || i->get() > max) {
    Error(key, *node,
          "value " + std::to_string(i->get()) + " is out of range (expected " +
              std::to_string(min) + " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return i->get();
}

std::optional<bool> TableReader::Bool(std::string_view key) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (const auto* b = node->as_boolean()) {
    return b->get();
  }
  WrongType(key, *node, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> TableReader::Duration(std::string_view key,
                                                               bool allow_zero) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const auto* s = node->as_string();
  if (s == nullptr) {
    WrongType(key, *node, "a duration string such as \"30s\"");
    return std::nullopt;
  }
  Result<std::chrono::milliseconds> d = ParseDuration(s->get());
  if (!d.ok()) {
    Error(key, *node, d.status().message());
    return std::nullopt;
  }
  if (!allow_zero && d->count() == 0) {
    Error(key, *node, "duration must be greater than zero");
    return std::nullopt;
  }
  return *d;
}

std::optional<std::string> TableReader::Enum(std::string_view key,
                                             const std::vector<std::string>& choices) {
  const toml::node* node = Get(key);
  std::optional<std::string> value = node == nullptr ? std::nullopt : String(key);
  if (!value) {
    return std::nullopt;
  }
  if (std::find(choices.begin(), choices.end(), *value) == choices.end()) {
    std::string list;
    for (const std::string& c : choices) {
      list += (list.empty() ? "" : ", ") + c;
    }
    Error(key, *node, "invalid value \"" + *value + "\" (expected one of: " + list + ")");
    return std::nullopt;
  }
  return value;
}

const toml::table* TableReader::Table(std::string_view key) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    return nullptr;
  }
  if (const auto* t = node->as_table()) {
    return t;
  }
  WrongType(key, *node, "a table");
  return nullptr;
}

std::vector<std::string> TableReader::UnreadKeys() const {
  std::vector<std::string> unread;
  for (auto&& [k, v] : table_) {
    if (known_.find(k.str()) == known_.end()) {
      unread.emplace_back(k.str());
    }
  }
  return unread;
}

void TableReader::Finish(const std::vector<std::string>& extra_candidates) {
  std::vector<std::string> candidates(known_.begin(), known_.end());
  candidates.insert(candidates.end(), extra_candidates.begin(), extra_candidates.end());
  for (auto&& [k, v] : table_) {
    if (known_.find(k.str()) == known_.end()) {
      sink_.Add(k.source(), PathOf(k.str()), UnknownKeyMessage(k.str(), candidates));
    }
  }
}

}  // namespace dealsync::config_internal
