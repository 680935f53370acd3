#include "src/engine/records_json.h"

#include <nlohmann/json.hpp>

#include "src/engine/field_values.h"

namespace dealsync {

using nlohmann::json;

// ---- sync_records.h ---------------------------------------------------------

std::string FieldValueText(const Opportunity& o, Field f) {
  switch (f) {
    case Field::kStage:
      return o.stage ? std::string(StageName(*o.stage)) : "";
    case Field::kAmount:
      return o.amount ? FormatMoney(*o.amount) : "";
    case Field::kCloseDate:
      return o.close_date ? FormatDate(*o.close_date) : "";
  }
  return "";
}

Status SetFieldFromText(Opportunity& o, Field f, std::string_view text) {
  switch (f) {
    case Field::kStage: {
      if (text.empty()) {
        o.stage.reset();
        return Status::Ok();
      }
      std::optional<Stage> s = ParseStage(text);
      if (!s) {
        return InvalidArgument("unknown stage \"" + std::string(text) + "\"");
      }
      o.stage = *s;
      return Status::Ok();
    }
    case Field::kAmount: {
      if (text.empty()) {
        o.amount.reset();
        return Status::Ok();
      }
      std::optional<Money> m = ParseMoneyText(text);
      if (!m) {
        return InvalidArgument("amount \"" + std::string(text) +
                               "\" is not \"<decimal> <ISO 4217 code>\"");
      }
      o.amount = *m;
      return Status::Ok();
    }
    case Field::kCloseDate: {
      if (text.empty()) {
        o.close_date.reset();
        return Status::Ok();
      }
      Result<CalendarDate> d = ParseDate(text);
      if (!d.ok()) {
        return d.status();
      }
      o.close_date = *d;
      return Status::Ok();
    }
  }
  return InvalidArgument("unknown field");
}

namespace {

constexpr std::array<Field, 3> kFields = {Field::kStage, Field::kAmount, Field::kCloseDate};

int64_t Ms(Timestamp t) {
  return EpochMs(t);
}
Timestamp FromMs(const json& j) {
  return TimestampFromEpochMs(j.get<int64_t>());
}

// Runs `decode` and turns any JSON/type exception into kDataLoss naming `what`.
template <typename T, typename F>
Result<T> Decode(std::string_view text, std::string_view what, F&& decode) {
  try {
    json j = json::parse(text);
    return decode(j);
  } catch (const std::exception& e) {
    return DataLoss("stored " + std::string(what) + " is corrupt: " + e.what());
  }
}

json OpportunityToJson(const Opportunity& o) {
  json j = {{"source", o.source},
            {"native_id", o.native_id},
            {"registration_id", o.registration_id},
            {"counterpart_id", o.counterpart_id},
            {"counterpart_source", o.counterpart_source},
            {"name", o.name},
            {"account", o.account},
            {"owner", o.owner},
            {"pipeline", o.pipeline},
            {"native_stage", o.native_stage},
            {"modified_at", Ms(o.modified_at)},
            {"deleted", o.deleted},
            {"payload", o.native_payload}};
  for (Field f : kFields) {
    j[std::string(FieldName(f))] = FieldValueText(o, f);
  }
  return j;
}

Opportunity OpportunityFromJson(const json& j) {
  Opportunity o;
  o.source = j.at("source").get<std::string>();
  o.native_id = j.at("native_id").get<std::string>();
  o.registration_id = j.at("registration_id").get<std::string>();
  o.counterpart_id = j.at("counterpart_id").get<std::string>();
  o.counterpart_source = j.value("counterpart_source", std::string());
  o.name = j.at("name").get<std::string>();
  o.account = j.at("account").get<std::string>();
  o.owner = j.at("owner").get<std::string>();
  o.pipeline = j.at("pipeline").get<std::string>();
  o.native_stage = j.at("native_stage").get<std::string>();
  o.modified_at = FromMs(j.at("modified_at"));
  o.deleted = j.at("deleted").get<bool>();
  o.native_payload = j.at("payload").get<std::string>();
  for (Field f : kFields) {
    Status s = SetFieldFromText(o, f, j.at(std::string(FieldName(f))).get<std::string>());
    if (!s.ok()) {
      throw std::runtime_error(s.message());
    }
  }
  return o;
}

json ValuesToJson(const std::array<std::string, 3>& v) {
  return {{"stage", v[0]}, {"amount", v[1]}, {"close_date", v[2]}};
}
std::array<std::string, 3> ValuesFromJson(const json& j) {
  return {j.at("stage").get<std::string>(), j.at("amount").get<std::string>(),
          j.at("close_date").get<std::string>()};
}

json ChangeToJson(const FieldChange& c) {
  return {{"value", c.value},
          {"modified_at", Ms(c.modified_at)},
          {"modified_by", c.modified_by},
          {"journal_seq", c.journal_seq}};
}
FieldChange ChangeFromJson(const json& j) {
  return {j.at("value").get<std::string>(), FromMs(j.at("modified_at")),
          j.at("modified_by").get<std::string>(), j.at("journal_seq").get<uint64_t>()};
}

}  // namespace

std::string_view JournalKindName(JournalKind k) {
  switch (k) {
    case JournalKind::kChange:
      return "change";
    case JournalKind::kDelete:
      return "delete";
    case JournalKind::kReject:
      return "reject";
    case JournalKind::kPushed:
      return "pushed";
    case JournalKind::kWarning:
      return "warning";
    case JournalKind::kAction:
      return "action";
  }
  return "unknown";
}

std::string EncodeRecord(const StoredRecord& r) {
  json stamps = json::array();
  for (const FieldStamp& s : r.changed) {
    stamps.push_back({{"seq", s.journal_seq}, {"at", Ms(s.modified_at)}, {"by", s.modified_by}});
  }
  return json{{"opp", OpportunityToJson(r.opp)}, {"seq", r.journal_seq}, {"changed", stamps},
              {"pushed_trace", r.pushed_trace},  {"sent", r.sent},       {"echo", r.echo}}
      .dump();
}

Result<StoredRecord> DecodeRecord(std::string_view text) {
  return Decode<StoredRecord>(text, "record", [](const json& j) {
    StoredRecord r;
    r.opp = OpportunityFromJson(j.at("opp"));
    r.journal_seq = j.at("seq").get<uint64_t>();
    const json& stamps = j.at("changed");
    for (size_t i = 0; i < r.changed.size() && i < stamps.size(); ++i) {
      r.changed[i] = {stamps[i].at("seq").get<uint64_t>(), FromMs(stamps[i].at("at")),
                      stamps[i].at("by").get<std::string>()};
    }
    r.pushed_trace = j.at("pushed_trace").get<std::string>();
    r.sent = j.at("sent").get<std::array<std::string, 3>>();
    r.echo = j.at("echo").get<std::array<bool, 3>>();
    return r;
  });
}

std::string EncodeJournal(const JournalEntry& e) {
  json j{{"seq", e.seq},
         {"recorded_at", Ms(e.recorded_at)},
         {"source", e.source},
         {"native_id", e.native_id},
         {"kind", JournalKindName(e.kind)},
         {"modified_at", Ms(e.modified_at)},
         {"before", ValuesToJson(e.before)},
         {"after", ValuesToJson(e.after)},
         {"payload", e.native_payload},
         {"message", e.message},
         {"trace_id", e.trace_id}};
  if (!e.by.empty()) {
    j["by"] = e.by;
  }
  return j.dump();
}

Result<JournalEntry> DecodeJournal(std::string_view text) {
  return Decode<JournalEntry>(text, "journal entry", [](const json& j) {
    JournalEntry e;
    e.seq = j.at("seq").get<uint64_t>();
    e.recorded_at = FromMs(j.at("recorded_at"));
    e.source = j.at("source").get<std::string>();
    e.native_id = j.at("native_id").get<std::string>();
    const std::string kind = j.at("kind").get<std::string>();
    for (JournalKind k : {JournalKind::kChange, JournalKind::kDelete, JournalKind::kReject,
                          JournalKind::kPushed, JournalKind::kWarning, JournalKind::kAction}) {
      if (JournalKindName(k) == kind) {
        e.kind = k;
      }
    }
    e.modified_at = FromMs(j.at("modified_at"));
    e.before = ValuesFromJson(j.at("before"));
    e.after = ValuesFromJson(j.at("after"));
    e.native_payload = j.at("payload").get<std::string>();
    e.message = j.at("message").get<std::string>();
    e.trace_id = j.at("trace_id").get<std::string>();
    e.by = j.value("by", std::string());
    return e;
  });
}

std::string EncodeLink(const Link& l) {
  return json{{"id", l.id},
              {"partner", l.partner},
              {"vendor_id", l.vendor_id},
              {"partner_id", l.partner_id},
              {"key_kind", l.key_kind},
              {"key_value", l.key_value},
              {"created_at", Ms(l.created_at)}}
      .dump();
}

Result<Link> DecodeLink(std::string_view text) {
  return Decode<Link>(text, "link", [](const json& j) {
    return Link{j.at("id").get<std::string>(),
                j.at("partner").get<std::string>(),
                j.at("vendor_id").get<std::string>(),
                j.at("partner_id").get<std::string>(),
                j.at("key_kind").get<std::string>(),
                j.at("key_value").get<std::string>(),
                FromMs(j.at("created_at"))};
  });
}

std::string EncodeConflict(const Conflict& c) {
  json j = {{"id", c.id},
            {"link_id", c.link_id},
            {"partner", c.partner},
            {"field", FieldName(c.field)},
            {"deal_name", c.deal_name},
            {"account", c.account},
            {"vendor_id", c.vendor_id},
            {"partner_id", c.partner_id},
            {"base_value", c.base_value},
            {"vendor", ChangeToJson(c.vendor)},
            {"partner_change", ChangeToJson(c.partner_change)},
            {"rule", c.rule},
            {"outcome_value", c.outcome_value},
            {"explanation", c.explanation},
            {"flags", c.flags},
            {"status", ConflictStatusName(c.status)},
            {"detected_at", Ms(c.detected_at)},
            {"resolved_by", c.resolved_by},
            {"value_at_stake_minor", c.value_at_stake_minor}};
  j["resolved_at"] = c.resolved_at ? json(Ms(*c.resolved_at)) : json(nullptr);
  if (!c.resolution_reason.empty()) {
    j["resolution_reason"] = c.resolution_reason;
  }
  return j.dump();
}

Result<Conflict> DecodeConflict(std::string_view text) {
  return Decode<Conflict>(text, "conflict", [](const json& j) {
    Conflict c;
    c.id = j.at("id").get<std::string>();
    c.link_id = j.at("link_id").get<std::string>();
    c.partner = j.at("partner").get<std::string>();
    std::optional<Field> f = ParseField(j.at("field").get<std::string>());
    if (!f) {
      throw std::runtime_error("unknown field");
    }
    c.field = *f;
    c.deal_name = j.at("deal_name").get<std::string>();
    c.account = j.at("account").get<std::string>();
    c.vendor_id = j.at("vendor_id").get<std::string>();
    c.partner_id = j.at("partner_id").get<std::string>();
    c.base_value = j.at("base_value").get<std::string>();
    c.vendor = ChangeFromJson(j.at("vendor"));
    c.partner_change = ChangeFromJson(j.at("partner_change"));
    c.rule = j.at("rule").get<std::string>();
    c.outcome_value = j.at("outcome_value").get<std::string>();
    c.explanation = j.at("explanation").get<std::string>();
    c.flags = j.at("flags").get<std::vector<std::string>>();
    std::optional<ConflictStatus> st = ParseConflictStatus(j.at("status").get<std::string>());
    if (!st) {
      throw std::runtime_error("unknown status");
    }
    c.status = *st;
    c.detected_at = FromMs(j.at("detected_at"));
    c.resolved_by = j.at("resolved_by").get<std::string>();
    if (!j.at("resolved_at").is_null()) {
      c.resolved_at = FromMs(j.at("resolved_at"));
    }
    c.value_at_stake_minor = j.at("value_at_stake_minor").get<int64_t>();
    c.resolution_reason = j.value("resolution_reason", std::string());
    return c;
  });
}

std::string EncodeBase(const BaseValue& b) {
  return json{{"value", b.value}, {"agreed_at", Ms(b.agreed_at)}}.dump();
}

Result<BaseValue> DecodeBase(std::string_view text) {
  return Decode<BaseValue>(text, "base value", [](const json& j) {
    return BaseValue{j.at("value").get<std::string>(), FromMs(j.at("agreed_at"))};
  });
}

namespace {
json EncodeHistory(const std::vector<PushAttempt>& history) {
  json out = json::array();
  for (const PushAttempt& a : history) {
    out.push_back({{"at", Ms(a.at)}, {"error", a.error}});
  }
  return out;
}
}  // namespace

std::string EncodeOutbox(const StoredOutbox& o) {
  const OutboxEntry& e = o.entry;
  Opportunity values;
  values.stage = e.update.stage;
  values.amount = e.update.amount;
  values.close_date = e.update.close_date;
  json fields = json::object();
  for (Field f : kFields) {
    std::string v = FieldValueText(values, f);
    if (!v.empty()) {
      fields[std::string(FieldName(f))] = v;
    }
  }
  return json{{"key", e.key},
              {"target", e.target},
              {"native_id", e.update.native_id},
              {"pipeline", e.update.pipeline},
              {"fields", fields},
              {"trace_id", e.update.trace_id},
              {"link_id", e.link_id},
              {"reason", e.reason},
              {"attempts", e.attempts},
              {"not_before", Ms(e.not_before)},
              {"last_error", e.last_error},
              {"target_seq", o.target_seq},
              {"queued_at", Ms(o.queued_at)},
              {"edited_at", Ms(o.edited_at)},
              {"first_failed_at", Ms(e.first_failed_at)},
              {"history", EncodeHistory(e.history)}}
      .dump();
}

Result<StoredOutbox> DecodeOutbox(std::string_view text) {
  return Decode<StoredOutbox>(text, "outbox entry", [](const json& j) {
    StoredOutbox o;
    OutboxEntry& e = o.entry;
    e.key = j.at("key").get<std::string>();
    e.target = j.at("target").get<std::string>();
    e.update.native_id = j.at("native_id").get<std::string>();
    e.update.pipeline = j.at("pipeline").get<std::string>();
    Opportunity values;
    for (const auto& [name, value] : j.at("fields").items()) {
      std::optional<Field> f = ParseField(name);
      if (!f) {
        throw std::runtime_error("unknown field " + name);
      }
      Status s = SetFieldFromText(values, *f, value.get<std::string>());
      if (!s.ok()) {
        throw std::runtime_error(s.message());
      }
    }
    e.update.stage = values.stage;
    e.update.amount = values.amount;
    e.update.close_date = values.close_date;
    e.update.trace_id = j.at("trace_id").get<std::string>();
    e.link_id = j.at("link_id").get<std::string>();
    e.reason = j.at("reason").get<std::string>();
    e.attempts = j.at("attempts").get<int>();
    e.not_before = FromMs(j.at("not_before"));
    e.last_error = j.at("last_error").get<std::string>();
    o.target_seq = j.at("target_seq").get<uint64_t>();
    o.queued_at = FromMs(j.at("queued_at"));
    if (j.contains("edited_at")) {  // absent in entries queued by older versions
      o.edited_at = FromMs(j.at("edited_at"));
    }
    // Entries written before the outbox kept a failure history have neither key.
    if (j.contains("first_failed_at")) {
      e.first_failed_at = FromMs(j.at("first_failed_at"));
    }
    if (j.contains("history")) {
      for (const json& a : j.at("history")) {
        e.history.push_back({FromMs(a.at("at")), a.at("error").get<std::string>()});
      }
    }
    return o;
  });
}

std::string EncodeAmbiguity(const Ambiguity& a) {
  return json{{"source", a.source},
              {"native_id", a.native_id},
              {"key_kind", a.key_kind},
              {"key_value", a.key_value},
              {"candidates", a.candidates}}
      .dump();
}

Result<Ambiguity> DecodeAmbiguity(std::string_view text) {
  return Decode<Ambiguity>(text, "ambiguity", [](const json& j) {
    return Ambiguity{j.at("source").get<std::string>(), j.at("native_id").get<std::string>(),
                     j.at("key_kind").get<std::string>(), j.at("key_value").get<std::string>(),
                     j.at("candidates").get<std::vector<std::string>>()};
  });
}

std::string EncodeRejected(const RejectedRecord& r) {
  json j = {{"source", r.source},
            {"native_id", r.native_id},
            {"message", r.message},
            {"rejected_at", Ms(r.rejected_at)},
            {"journal_seq", r.journal_seq}};
  if (r.modified_at) {
    j["modified_at"] = Ms(*r.modified_at);
  }
  return j.dump();
}

Result<RejectedRecord> DecodeRejected(std::string_view text) {
  return Decode<RejectedRecord>(text, "rejected record", [](const json& j) {
    RejectedRecord r;
    r.source = j.at("source").get<std::string>();
    r.native_id = j.at("native_id").get<std::string>();
    r.message = j.at("message").get<std::string>();
    r.rejected_at = FromMs(j.at("rejected_at"));
    if (j.contains("modified_at")) {
      r.modified_at = FromMs(j.at("modified_at"));
    }
    r.journal_seq = j.at("journal_seq").get<uint64_t>();
    return r;
  });
}

std::string EncodeAction(const OperatorAction& a) {
  return json{{"at", Ms(a.at)},
              {"by", a.by},
              {"action", a.action},
              {"detail", a.detail},
              {"journal_seq", a.journal_seq}}
      .dump();
}

Result<OperatorAction> DecodeAction(std::string_view text) {
  return Decode<OperatorAction>(text, "operator action", [](const json& j) {
    return OperatorAction{FromMs(j.at("at")), j.at("by").get<std::string>(),
                          j.at("action").get<std::string>(), j.at("detail").get<std::string>(),
                          j.at("journal_seq").get<uint64_t>()};
  });
}

}  // namespace dealsync
