// Connector-specific options: every key of a source file outside the common
// schema must be an entry of the connector's OptionTable.
#include <algorithm>

#include "src/config/config_internal.h"
#include "src/config/units.h"

namespace dealsync::config_internal {
namespace {

using Type = OptionSpec::Type;

const OptionSpec* FindSpec(const OptionTable& table, std::string_view key) {
  for (const OptionSpec& spec : table) {
    if (spec.key == key) {
      return &spec;
    }
  }
  return nullptr;
}

bool IsPrefixOfOption(const OptionTable& table, const std::string& path) {
  return std::any_of(table.begin(), table.end(),
                     [&](const OptionSpec& s) { return s.key.rfind(path + ".", 0) == 0; });
}

std::optional<OptionValue> Convert(ErrorSink& sink, const OptionSpec& spec, const toml::node& node,
                                   const std::string& path) {
  OptionValue out;
  out.where = sink.Where(node);
  auto wrong = [&](std::string_view expected) {
    sink.Add(node.source(), path,
             "expected " + std::string(expected) + ", found " + std::string(TypeName(node)));
    return std::nullopt;
  };
  switch (spec.type) {
    case Type::kString:
    case Type::kEnum:
    case Type::kJsonPointer: {
      const auto* s = node.as_string();
      if (s == nullptr) {
        return wrong("a string");
      }
      if (spec.type == Type::kEnum &&
          std::find(spec.choices.begin(), spec.choices.end(), s->get()) == spec.choices.end()) {
        std::string list;
        for (const std::string& c : spec.choices) {
          list += (list.empty() ? "" : ", ") + c;
        }
        sink.Add(node.source(), path,
                 "invalid value \"" + s->get() + "\" (expected one of: " + list + ")");
        return std::nullopt;
      }
      if (spec.type == Type::kJsonPointer && !s->get().empty() && s->get().front() != '/') {
        sink.Add(node.source(), path,
                 "invalid JSON pointer \"" + s->get() +
                     "\" (expected \"\" or a path starting "
                     "with \"/\")");
        return std::nullopt;
      }
      out.value = s->get();
      return out;
    }
    case Type::kInt: {
      const auto* i = node.as_integer();
      if (i == nullptr) {
        return wrong("an integer");
      }
      out.value = i->get();
      return out;
    }
    case Type::kBool: {
      const auto* b = node.as_boolean();
      if (b == nullptr) {
        return wrong("a boolean (true or false)");
      }
      out.value = b->get();
      return out;
    }
    case Type::kDuration: {
      const auto* s = node.as_string();
      if (s == nullptr) {
        return wrong("a duration string such as \"30s\"");
      }
      Result<std::chrono::milliseconds> d = ParseDuration(s->get());
      if (!d.ok()) {
        sink.Add(node.source(), path, d.status().message());
        return std::nullopt;
      }
      out.value = *d;
      return out;
    }
    case Type::kStringList: {
      const auto* array = node.as_array();
      if (array == nullptr) {
        return wrong("an array of strings");
      }
      std::vector<std::string> items;
      for (const toml::node& item : *array) {
        const auto* s = item.as_string();
        if (s == nullptr) {
          sink.Add(item.source(), path,
                   "expected an array of strings, found " + std::string(TypeName(item)) + " in it");
          return std::nullopt;
        }
        items.push_back(s->get());
      }
      out.value = std::move(items);
      return out;
    }
  }
  return std::nullopt;
}

// Visits `node` at dotted `path`, descending into tables that are not options themselves.
void Flatten(ErrorSink& sink, const OptionTable& table, const toml::source_region& key_at,
             const std::string& path, const toml::node& node,
             const std::vector<std::string>& candidates, ConnectorOptions& options) {
  if (const OptionSpec* spec = FindSpec(table, path)) {
    if (std::optional<OptionValue> value = Convert(sink, *spec, node, path)) {
      options[path] = std::move(*value);
    }
    return;
  }
  if (const auto* sub = node.as_table(); sub != nullptr && IsPrefixOfOption(table, path)) {
    for (auto&& [key, value] : *sub) {
      Flatten(sink, table, key.source(), path + "." + std::string(key.str()), value, candidates,
              options);
    }
    return;
  }
  const size_t dot = path.rfind('.');
  sink.Add(key_at, path,
           UnknownKeyMessage(dot == std::string::npos ? path : path.substr(dot + 1), candidates));
}

}  // namespace

void ReadConnectorOptions(TableReader& root, const ConnectorFactory& factory,
                          ConnectorOptions& options) {
  const OptionTable& table = factory.options();
  const std::vector<std::string> unread = root.UnreadKeys();
  // Suggestions: the common keys plus every option path and its last part.
  std::vector<std::string> candidates = root.KnownKeys();
  for (const OptionSpec& spec : table) {
    candidates.push_back(spec.key);
    candidates.push_back(spec.key.substr(spec.key.rfind('.') + 1));
  }
  for (const std::string& key : unread) {
    root.Allow(key);
  }
  for (auto&& [key, value] : root.table()) {
    if (std::find(unread.begin(), unread.end(), key.str()) != unread.end()) {
      Flatten(root.sink(), table, key.source(), std::string(key.str()), value, candidates, options);
    }
  }
  for (const OptionSpec& spec : table) {
    if (spec.required && options.find(spec.key) == options.end()) {
      root.sink().Add(root.table().source(), spec.key,
                      "missing required key \"" + spec.key + "\" for connector \"" +
                          std::string(factory.name()) + "\" (" + spec.description + ")");
    }
  }
}

}  // namespace dealsync::config_internal
