// [fields], [stages] and [link]: how native records map to the canonical model.
#include <algorithm>
#include <set>

#include "src/config/config_internal.h"
#include "src/config/units.h"

namespace dealsync::config_internal {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

// RFC 6901: "" (the whole record) or "/"-separated tokens with ~0 / ~1 escapes.
bool IsJsonPointer(std::string_view p) {
  if (p.empty()) {
    return true;
  }
  if (p.front() != '/') {
    return false;
  }
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '~' && (i + 1 == p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

void ReadOneField(TableReader& fields, std::string_view name, const toml::node& node,
                  const std::vector<std::string>& formats, FieldMap& out) {
  FieldMapping mapping;
  mapping.where = fields.sink().Where(node);
  const toml::node* pointer_node = &node;
  std::string pointer_path = fields.PathOf(name);
  if (const auto* s = node.as_string()) {
    mapping.pointer = s->get();
  } else if (const auto* table = node.as_table()) {
    TableReader t(fields.sink(), *table, fields.PathOf(name));
    pointer_node = t.Get("pointer");
    pointer_path = t.PathOf("pointer");
    if (pointer_node == nullptr) {
      t.ErrorAtTable("pointer", "missing key \"pointer\" (a JSON pointer such as \"/amount\")");
    } else if (auto p = t.String("pointer")) {
      mapping.pointer = *p;
    } else {
      pointer_node = nullptr;
    }
    if (auto format = t.Enum("format", formats)) {
      mapping.format = *format;
    }
    t.Finish();
    if (pointer_node == nullptr) {
      return;
    }
  } else {
    fields.WrongType(name, node,
                     "a JSON pointer string or { pointer = \"...\", format = \"...\" }");
    return;
  }
  if (mapping.pointer.empty() || !IsJsonPointer(mapping.pointer)) {
    fields.sink().Add(pointer_node->source(), pointer_path,
                      "invalid JSON pointer \"" + mapping.pointer +
                          "\" (expected a path starting with \"/\", e.g. \"/properties/amount\")");
    return;
  }
  out[std::string(name)] = std::move(mapping);
}

// Canonical stages a [statuses] value decides (their [stages] lists are optional).
std::set<Stage> StagesByStatus(const std::map<std::string, std::optional<Stage>>& statuses) {
  std::set<Stage> out;
  for (const auto& [native, stage] : statuses) {
    if (stage) {
      out.insert(*stage);
    }
  }
  return out;
}

void ReadPipelineStages(TableReader& t, const std::set<Stage>& optional, PipelineStageMap& map) {
  std::map<std::string, std::string> stage_by_native;  // for duplicate detection
  for (auto&& [key, value] : t.table()) {
    std::string_view name = key.str();
    std::optional<Stage> stage = ParseStage(name);
    t.Allow(name);
    if (!stage) {
      std::vector<std::string> names;
      for (Stage s : AllStages()) {
        names.emplace_back(StageName(s));
      }
      t.sink().Add(key.source(), t.PathOf(name),
                   "unknown canonical stage \"" + std::string(name) +
                       "\" (expected one of: " + Join(names) + ")");
      continue;
    }
    const auto* array = value.as_array();
    if (array == nullptr) {
      t.WrongType(name, value, "an array of native stage values");
      continue;
    }
    if (array->empty()) {
      t.Error(name, value,
              "empty list: give at least one native value (the first is written back)");
      continue;
    }
    std::vector<std::string> natives;
    for (const toml::node& item : *array) {
      const auto* native = item.as_string();
      if (native == nullptr) {
        t.WrongType(name, item, "a string native stage value");
        continue;
      }
      auto [it, inserted] = stage_by_native.emplace(native->get(), std::string(name));
      if (!inserted) {
        t.Error(name, item,
                "native value \"" + native->get() + "\" is already mapped to " + it->second +
                    " (a native value must map to one canonical stage)");
        continue;
      }
      natives.push_back(native->get());
    }
    if (!natives.empty()) {
      map.native_by_stage[*stage] = std::move(natives);
    }
  }
  for (Stage s : AllStages()) {
    if (t.table().get(StageName(s)) == nullptr && !optional.contains(s)) {
      t.ErrorAtTable("", "canonical stage \"" + std::string(StageName(s)) +
                             "\" is not mapped (add " + std::string(StageName(s)) +
                             " = [\"<native value>\", ...])");
    }
  }
}

}  // namespace

void ReadFields(TableReader& t, FieldMap& fields) {
  for (auto&& [key, value] : t.table()) {
    std::string_view name = key.str();
    t.Allow(name);
    const MappedFieldRule* rule = FindMappedFieldRule(name);
    if (rule == nullptr) {
      std::vector<std::string> names;
      for (const MappedFieldRule& r : MappedFieldRules()) {
        names.emplace_back(r.name);
      }
      std::sort(names.begin(), names.end());
      t.sink().Add(key.source(), t.PathOf(name),
                   "unknown canonical field \"" + std::string(name) +
                       "\" (expected one of: " + Join(names) + ")");
      continue;
    }
    ReadOneField(t, name, value,
                 std::vector<std::string>(rule->formats.begin(), rule->formats.end()), fields);
  }
}

void ReadStatuses(TableReader& t, std::map<std::string, std::optional<Stage>>& statuses) {
  for (auto&& [key, value] : t.table()) {
    const std::string native(key.str());
    t.Allow(native);
    const auto* text = value.as_string();
    std::optional<Stage> stage = text ? ParseStage(text->get()) : std::nullopt;
    if (text && text->get() == "open") {
      statuses[native] = std::nullopt;
    } else if (stage && IsTerminal(*stage)) {
      statuses[native] = *stage;
    } else {
      t.Error(native, value,
              "expected \"open\" (the stage comes from the stage field), \"closed_won\" or "
              "\"closed_lost\", e.g. won = \"closed_won\"");
    }
  }
  if (statuses.empty()) {
    t.ErrorAtTable("",
                   "empty [statuses]: map each native status value, e.g. open = \"open\", "
                   "won = \"closed_won\", lost = \"closed_lost\"");
  }
}

void ReadCurrencies(TableReader& t, std::map<std::string, std::string>& currencies) {
  for (auto&& [key, value] : t.table()) {
    const std::string native(key.str());
    t.Allow(native);
    const auto* code = value.as_string();
    if (code == nullptr || !CurrencyMinorDigits(code->get())) {
      t.Error(native, value,
              "expected an ISO 4217 currency code such as \"EUR\" (what the native value " +
                  native + " stands for)");
      continue;
    }
    currencies[native] = code->get();
  }
}

void ReadStages(TableReader& root, const std::map<std::string, std::optional<Stage>>& statuses,
                StageMaps& stages) {
  const std::set<Stage> optional = StagesByStatus(statuses);
  const toml::node* node = root.Get("stages");
  if (node == nullptr) {
    root.ErrorAtTable("stages",
                      "missing [stages] table (map every canonical stage to native "
                      "values, e.g. qualified = [\"Qualified\"])");
    return;
  }
  const toml::table* table = root.Table("stages");
  if (table == nullptr) {
    return;
  }
  TableReader t(root.sink(), *table, "stages");
  // [stages.<pipeline>] sub-tables, or canonical keys directly for a CRM without pipelines.
  bool any_pipeline = false;
  bool any_direct = false;
  for (auto&& [key, value] : *table) {
    (value.is_table() ? any_pipeline : any_direct) = true;
  }
  if (any_pipeline && any_direct) {
    t.ErrorAtTable("", "mixes stage lists and [stages.<pipeline>] tables; use one form");
    return;
  }
  if (!any_pipeline) {
    ReadPipelineStages(t, optional, stages[""]);
    return;
  }
  for (auto&& [key, value] : *table) {
    TableReader pipeline(root.sink(), *value.as_table(), t.PathOf(key.str()));
    ReadPipelineStages(pipeline, optional, stages[std::string(key.str())]);
  }
}

void ReadLink(TableReader& t, LinkConfig& link) {
  if (auto v = t.Bool("by_registration_id")) {
    link.by_registration_id = *v;
  }
  if (auto v = t.Bool("by_counterpart_id")) {
    link.by_counterpart_id = *v;
  }
  if (auto v = t.Bool("by_match_key")) {
    link.by_match_key = *v;
  }
  if (auto band = t.String("amount_band")) {
    Result<int64_t> ppm = ParsePercentPpm(*band);
    if (ppm.ok()) {
      link.amount_band_ppm = *ppm;
    } else {
      t.Error("amount_band", *t.Get("amount_band"), ppm.status().message());
    }
  }
  t.Finish();
}

}  // namespace dealsync::config_internal
