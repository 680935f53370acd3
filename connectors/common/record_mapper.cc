#include "connectors/common/record_mapper.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "connectors/common/json_util.h"
#include "dealsync/money_exact.h"

namespace dealsync::connectors {

using nlohmann::json;

namespace {

std::string Located(const FieldMapping& m, std::string_view field, std::string_view message) {
  std::string prefix;
  if (!m.where.file.empty()) {
    prefix = m.where.file + ":" + std::to_string(m.where.line) + ":" +
             std::to_string(m.where.column) + ": ";
  }
  return prefix + "fields." + std::string(field) + ": " + std::string(message);
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) {
      out += sep;
    }
    out += p;
  }
  return out;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Integer from a JSON integer or a numeric string (epoch values).
std::optional<int64_t> IntegerOf(const json& v) {
  if (v.is_number_integer()) {
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<int64_t>(d)) == d) {
      return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }
  if (v.is_string()) {
    return ParseInt64(v.get<std::string>());
  }
  return std::nullopt;
}

bool IsBlank(const json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().empty());
}

const PipelineStageMap* StageMapFor(const StageMaps& maps, const std::string& pipeline) {
  if (auto it = maps.find(pipeline); it != maps.end()) {
    return &it->second;
  }
  if (auto it = maps.find(""); it != maps.end()) {
    return &it->second;
  }
  if (maps.size() == 1) {
    return &maps.begin()->second;
  }
  return nullptr;
}

std::string KnownNativeStages(const PipelineStageMap& map) {
  std::vector<std::string> names;
  for (const auto& [stage, values] : map.native_by_stage) {
    names.insert(names.end(), values.begin(), values.end());
  }
  return Join(names, ", ");
}

}  // namespace

Result<RecordMapper> RecordMapper::Create(const SourceConfig& config, const FieldMap& defaults) {
  return Create(config, defaults, StageMaps{});
}

Result<RecordMapper> RecordMapper::Create(const SourceConfig& config, const FieldMap& defaults,
                                          const StageMaps& default_stages) {
  RecordMapper mapper;
  mapper.source_ = config.id;
  mapper.default_currency_ = Upper(config.currency);
  mapper.fields_ = defaults;
  for (const auto& [name, mapping] : config.fields) {
    mapper.fields_[name] = mapping;
  }
  mapper.stages_ = config.stages.empty() ? default_stages : config.stages;
  mapper.statuses_ = config.statuses;
  mapper.currencies_ = config.currencies;

  std::vector<std::string> errors;
  for (const auto& [name, mapping] : mapper.fields_) {
    const MappedFieldRule* rule = FindMappedFieldRule(name);
    if (rule == nullptr) {
      std::vector<std::string> known;
      for (const MappedFieldRule& r : MappedFieldRules()) {
        known.emplace_back(r.name);
      }
      errors.push_back(
          Located(mapping, name, "unknown canonical field (known: " + Join(known, ", ") + ")"));
      continue;
    }
    if (!mapping.format.empty() && std::find(rule->formats.begin(), rule->formats.end(),
                                             mapping.format) == rule->formats.end()) {
      std::vector<std::string> allowed(rule->formats.begin(), rule->formats.end());
      errors.push_back(Located(mapping, name,
                               "format \"" + mapping.format +
                                   "\" does not apply (use one of: " + Join(allowed, ", ") + ")"));
    }
    auto pointer = ParsePointer(mapping.pointer);
    if (!pointer.ok() || mapping.pointer.empty()) {
      errors.push_back(Located(
          mapping, name,
          pointer.ok() ? "empty JSON pointer (write e.g. \"/id\")" : pointer.status().message()));
      continue;
    }
    mapper.pointers_.emplace_back(name, *pointer);
  }
  if (mapper.fields_.find("id") == mapper.fields_.end()) {
    errors.push_back("fields.id: required (the JSON pointer to the record's id)");
  }
  if (mapper.fields_.count("stage") != 0 && mapper.stages_.empty()) {
    errors.push_back("stages: stage is mapped but no [stages] map is configured");
  }
  if (!mapper.statuses_.empty() && mapper.fields_.count("status") == 0) {
    errors.push_back(
        "statuses: [statuses] is set but fields.status is not mapped (add status = "
        "\"/status\" under [fields]: the JSON pointer of the open/won/lost field)");
  }
  auto zone = TimeZone::Load(config.time_zone);
  if (!zone.ok()) {
    errors.push_back("time_zone: " + zone.status().message());
  } else {
    mapper.zone_ = *zone;
  }
  if (!errors.empty()) {
    return InvalidArgument(Join(errors, "\n"));
  }
  return mapper;
}

const FieldMapping* RecordMapper::Find(std::string_view canonical_field) const {
  auto it = fields_.find(std::string(canonical_field));
  return it == fields_.end() ? nullptr : &it->second;
}

std::string RecordMapper::ApiName(std::string_view canonical_field) const {
  const FieldMapping* m = Find(canonical_field);
  if (m == nullptr) {
    return "";
  }
  auto tokens = PointerTokens(m->pointer);
  return tokens.empty() ? "" : tokens.back();
}

std::vector<std::string> RecordMapper::ApiNames() const {
  std::vector<std::string> names;
  for (const auto& [field, mapping] : fields_) {
    std::string name = ApiName(field);
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

const json* RecordMapper::ValueOf(const json& native, std::string_view field) const {
  for (const auto& [name, pointer] : pointers_) {
    if (name == field) {
      return FindAt(native, pointer);
    }
  }
  return nullptr;
}

Result<Opportunity> RecordMapper::ToCanonical(const json& native) const {
  if (!native.is_object()) {
    return InvalidArgument("record is not a JSON object: " + Excerpt(native));
  }
  Opportunity out;
  out.source = source_;
  const json* id = ValueOf(native, "id");
  std::optional<std::string> id_text = id ? StringOf(*id) : std::nullopt;
  if (!id_text || id_text->empty()) {
    return InvalidArgument("id: missing or not a string at " + Find("id")->pointer);
  }
  out.native_id = *id_text;

  struct TextField {
    std::string_view name;
    std::string Opportunity::*member;
  };
  static constexpr std::array<TextField, 7> kText = {{
      {"registration_id", &Opportunity::registration_id},
      {"counterpart_id", &Opportunity::counterpart_id},
      {"counterpart_source", &Opportunity::counterpart_source},
      {"name", &Opportunity::name},
      {"account", &Opportunity::account},
      {"owner", &Opportunity::owner},
      {"pipeline", &Opportunity::pipeline},
  }};
  for (const auto& field : kText) {
    const json* v = ValueOf(native, field.name);
    if (v == nullptr || v->is_null()) {
      continue;
    }
    auto text = StringOf(*v);
    if (!text) {
      return InvalidArgument(std::string(field.name) + ": value " + Excerpt(*v) + " at " +
                             Find(field.name)->pointer + " is not a string");
    }
    out.*field.member = *text;
  }
  // Deleted first: a deleted record's status may name no stage.
  if (const json* del = ValueOf(native, "deleted"); del != nullptr && !del->is_null()) {
    if (del->is_boolean()) {
      out.deleted = del->get<bool>();
    } else if (del->is_string() && (*del == "true" || *del == "false")) {
      out.deleted = *del == "true";
    } else if (*del == 0 || *del == 1 || *del == "0" || *del == "1") {
      out.deleted = *del == 1 || *del == "1";  // SuiteCRM writes "0" / "1"
    } else {
      return InvalidArgument("deleted: value " + Excerpt(*del) + " at " + Find("deleted")->pointer +
                             " is not a boolean");
    }
  }
  DEALSYNC_RETURN_IF_ERROR(ReadStage(native, out));
  DEALSYNC_RETURN_IF_ERROR(ReadAmount(native, out));
  DEALSYNC_RETURN_IF_ERROR(ReadDates(native, out));
  out.native_payload = native.dump();
  return out;
}

Result<bool> RecordMapper::ReadStatus(const json& native, Opportunity& out) const {
  if (statuses_.empty()) {
    return false;
  }
  const json* v = ValueOf(native, "status");
  const std::string& pointer = Find("status")->pointer;
  auto text = v == nullptr ? std::nullopt : StringOf(*v);
  if (!text) {
    return InvalidArgument(
        "status: " + (v == nullptr ? std::string("no value") : "value " + Excerpt(*v)) + " at " +
        pointer + ", which [statuses] needs to tell open from won/lost");
  }
  auto it = statuses_.find(*text);
  if (it == statuses_.end() && out.deleted) {
    return false;  // e.g. Pipedrive's "deleted": the stage field still says where it was
  }
  if (it == statuses_.end()) {
    std::vector<std::string> known;
    for (const auto& [name, stage] : statuses_) {
      known.push_back(name);
    }
    return InvalidArgument("status: value \"" + *text + "\" at " + pointer +
                           " is not in [statuses] (known: " + Join(known, ", ") + ")");
  }
  if (!it->second) {
    return false;  // open: the stage field says which stage
  }
  out.stage = *it->second;
  out.native_stage = *text;
  return true;
}

Status RecordMapper::ReadStage(const json& native, Opportunity& out) const {
  auto decided = ReadStatus(native, out);
  if (!decided.ok()) {
    return decided.status();
  }
  if (*decided) {
    return Status::Ok();
  }
  const json* v = ValueOf(native, "stage");
  if (v == nullptr || IsBlank(*v)) {
    return Status::Ok();
  }
  auto text = StringOf(*v);
  const std::string& pointer = Find("stage")->pointer;
  if (!text) {
    return InvalidArgument("stage: value " + Excerpt(*v) + " at " + pointer + " is not a string");
  }
  out.native_stage = *text;
  const PipelineStageMap* map = StageMapFor(stages_, out.pipeline);
  if (map == nullptr) {
    return InvalidArgument("stage: pipeline \"" + out.pipeline + "\" has no [stages." +
                           out.pipeline + "] map");
  }
  for (const auto& [stage, values] : map->native_by_stage) {
    if (std::find(values.begin(), values.end(), *text) != values.end()) {
      out.stage = stage;
      return Status::Ok();
    }
  }
  return InvalidArgument("stage: value \"" + *text + "\" at " + pointer +
                         " is not in [stages] (known: " + KnownNativeStages(*map) + ")");
}

Result<std::string> RecordMapper::ReadCurrency(const json& native) const {
  const json* c = ValueOf(native, "currency");
  if (c == nullptr || IsBlank(*c)) {
    if (default_currency_.empty()) {
      return InvalidArgument(
          Find("currency") != nullptr
              ? "currency: the record has no value at " + Find("currency")->pointer +
                    " and the source states no currency (set currency = \"EUR\" in the file "
                    "only if every deal without one is in EUR)"
              : "amount: record has no currency and the source sets no default currency");
    }
    return default_currency_;
  }
  const std::string& pointer = Find("currency")->pointer;
  auto code = StringOf(*c);
  if (!code) {
    return InvalidArgument("currency: value " + Excerpt(*c) + " at " + pointer +
                           " is not a string");
  }
  if (auto mapped = currencies_.find(*code); mapped != currencies_.end()) {
    return mapped->second;
  }
  std::string upper = Upper(*code);
  if (!CurrencyMinorDigits(upper)) {
    return InvalidArgument(
        "currency: value \"" + *code + "\" at " + pointer + " is not an ISO 4217 code" +
        (currencies_.empty() ? std::string(" (if it is a currency id, say what it "
                                           "stands for under [currencies], e.g. \"") +
                                   *code + "\" = \"EUR\")"
                             : std::string(" and not in [currencies]")));
  }
  return upper;
}

Status RecordMapper::ReadAmount(const json& native, Opportunity& out) const {
  const json* v = ValueOf(native, "amount");
  if (v == nullptr || IsBlank(*v)) {
    return Status::Ok();
  }
  const FieldMapping& m = *Find("amount");
  Result<std::string> read_currency = ReadCurrency(native);
  if (!read_currency.ok()) {
    return read_currency.status();
  }
  const std::string& currency = *read_currency;
  Result<Money> money = InvalidArgument("unreachable");
  if (m.format == "minor_units") {
    auto minor = IntegerOf(*v);
    if (!minor) {
      return InvalidArgument("amount: value " + Excerpt(*v) + " at " + m.pointer +
                             " is not an integer count of minor units");
    }
    money = MoneyFromMinorUnits(*minor, currency);
  } else if (v->is_string() && m.format != "number") {
    money = ParseMoneyExact(v->get<std::string>(), currency);
  } else if (v->is_number() && m.format != "decimal_string") {
    // nlohmann prints a double as its shortest round-trip decimal text.
    money = ParseMoneyNumberExact(v->dump(), currency);
  } else {
    return InvalidArgument("amount: value " + Excerpt(*v) + " at " + m.pointer + " is not a " +
                           (m.format.empty() ? std::string("decimal") : m.format));
  }
  if (!money.ok()) {
    return InvalidArgument("amount: value " + Excerpt(*v) + " at " + m.pointer + ": " +
                           money.status().message());
  }
  out.amount = *money;
  return Status::Ok();
}

Status RecordMapper::ReadDates(const json& native, Opportunity& out) const {
  if (const json* v = ValueOf(native, "close_date"); v != nullptr && !IsBlank(*v)) {
    const FieldMapping& m = *Find("close_date");
    Result<CalendarDate> date = InvalidArgument("unreachable");
    if (m.format == "epoch_ms" || m.format == "epoch_s") {
      auto n = IntegerOf(*v);
      date = n ? DateFromEpochMs(m.format == "epoch_s" ? *n * 1000 : *n, zone_)
               : Result<CalendarDate>(InvalidArgument("not an integer"));
    } else if (v->is_string()) {
      date = DateFromIsoDateOrDateTime(v->get<std::string>(), zone_);
    } else if (v->is_number_integer()) {  // unformatted epoch ms, as HubSpot sometimes sends
      date = DateFromEpochMs(v->get<int64_t>(), zone_);
    } else {
      date = InvalidArgument("not a date");
    }
    if (!date.ok()) {
      return InvalidArgument("close_date: value " + Excerpt(*v) + " at " + m.pointer + ": " +
                             date.status().message());
    }
    out.close_date = *date;
  }
  const json* v = ValueOf(native, "modified_at");
  if (v == nullptr) {
    return Status::Ok();
  }
  const FieldMapping& m = *Find("modified_at");
  Result<Timestamp> ts = InvalidArgument("missing");
  if (m.format == "epoch_ms" || m.format == "epoch_s") {
    auto n = IntegerOf(*v);
    if (n) {
      ts = TimestampFromEpochMs(m.format == "epoch_s" ? *n * 1000 : *n);
    }
  } else if (v->is_string()) {
    ts = ParseTimestamp(v->get<std::string>());
  }
  if (!ts.ok()) {
    return InvalidArgument("modified_at: value " + Excerpt(*v) + " at " + m.pointer + ": " +
                           ts.status().message());
  }
  out.modified_at = *ts;
  return Status::Ok();
}

Result<json> RecordMapper::ToNativePatch(const RecordUpdate& update) const {
  json patch = json::object();
  auto pointer_of = [&](std::string_view field) -> const json::json_pointer* {
    for (const auto& [name, pointer] : pointers_) {
      if (name == field) {
        return &pointer;
      }
    }
    return nullptr;
  };
  auto require = [&](std::string_view field) -> Result<const json::json_pointer*> {
    const json::json_pointer* p = pointer_of(field);
    if (p == nullptr) {
      return FailedPrecondition(std::string(field) + ": not mapped in [fields], cannot write it");
    }
    return p;
  };
  DEALSYNC_RETURN_IF_ERROR(WriteStage(update, patch));
  if (update.amount) {
    auto p = require("amount");
    DEALSYNC_RETURN_IF_ERROR(p.status());
    const Money& money = *update.amount;
    const std::string& format = Find("amount")->format;
    if (format == "minor_units") {
      patch[**p] = money.minor;
    } else if (format == "number") {
      // The exact decimal text becomes a JSON number; a double holds it exactly
      // up to 15 significant digits, beyond any deal amount.
      patch[**p] = json::parse(FormatDecimal(money));
    } else {
      patch[**p] = FormatDecimal(money);
    }
    if (const json::json_pointer* c = pointer_of("currency")) {
      // A currency held as an id goes back as the id that stands for it.
      std::string native = money.currency;
      for (const auto& [id, code] : currencies_) {
        if (code == money.currency) {
          native = id;
          break;
        }
      }
      patch[*c] = native;
    } else if (money.currency != default_currency_) {
      return FailedPrecondition("amount: currency " + money.currency +
                                " differs from the source's currency " + default_currency_ +
                                " and no currency field is mapped (never converted silently)");
    }
  }
  if (update.close_date) {
    auto p = require("close_date");
    DEALSYNC_RETURN_IF_ERROR(p.status());
    const std::string& format = Find("close_date")->format;
    // Datetime formats get the first instant of the day in the source's zone,
    // so reading the value back yields the same calendar date.
    Timestamp start = zone_.StartOfDay(*update.close_date);
    if (format == "iso_datetime") {
      patch[**p] = FormatTimestamp(start);
    } else if (format == "epoch_ms") {
      patch[**p] = EpochMs(start);
    } else if (format == "epoch_s") {
      patch[**p] = EpochMs(start) / 1000;
    } else {
      patch[**p] = FormatDate(*update.close_date);
    }
  }
  return patch;
}

// The native stage value(s) for a canonical stage: with [statuses], a won or
// lost stage is the status value alone; an open stage is the "open" status
// plus the stage field. A stage mapped as "number" is written as a number.
Status RecordMapper::WriteStage(const RecordUpdate& update, json& patch) const {
  if (!update.stage) {
    return Status::Ok();
  }
  if (!statuses_.empty()) {
    const json::json_pointer status(Find("status")->pointer);
    for (const auto& [native, stage] : statuses_) {
      if (stage == update.stage) {
        patch[status] = native;
        return Status::Ok();
      }
    }
    for (const auto& [native, stage] : statuses_) {
      if (!stage) {
        patch[status] = native;
        break;
      }
    }
  }
  const FieldMapping* mapping = Find("stage");
  if (mapping == nullptr) {
    return FailedPrecondition("stage: not mapped in [fields], cannot write it");
  }
  const PipelineStageMap* map = StageMapFor(stages_, update.pipeline);
  std::optional<std::string> native;
  if (map != nullptr) {
    auto it = map->native_by_stage.find(*update.stage);
    if (it != map->native_by_stage.end() && !it->second.empty()) {
      native = it->second.front();
    }
  }
  if (!native) {
    return FailedPrecondition("stage: " + std::string(StageName(*update.stage)) +
                              " has no native value in pipeline \"" + update.pipeline + "\"");
  }
  const json::json_pointer pointer(mapping->pointer);
  if (mapping->format == "number") {
    auto number = ParseInt64(*native);
    if (!number) {
      return FailedPrecondition("stage: native value \"" + *native + "\" for " +
                                std::string(StageName(*update.stage)) +
                                " is not an integer, but fields.stage has format = \"number\"");
    }
    patch[pointer] = *number;
  } else {
    patch[pointer] = *native;
  }
  return Status::Ok();
}

}  // namespace dealsync::connectors
