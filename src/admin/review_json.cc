#include "src/admin/review_json.h"

#include "src/admin/admin_json.h"

namespace dealsync::review {

using nlohmann::json;

std::string MinorText(int64_t minor, const std::string& currency) {
  Result<Money> m = MoneyFromMinorUnits(minor, currency);
  return m.ok() ? FormatMoney(*m) : std::to_string(minor) + " (minor units) " + currency;
}

json ConflictSummary(const Conflict& c, const CurrencyRates& rates, Timestamp now) {
  json j = admin::ConflictToJson(c);
  const auto age = std::chrono::duration_cast<std::chrono::hours>(now - c.detected_at).count();
  j["age_days"] = age < 0 ? 0 : age / 24;
  j["value_at_stake"] = MinorText(c.value_at_stake_minor, rates.reporting_currency);
  if (!c.resolution_reason.empty()) {
    j["resolution_reason"] = c.resolution_reason;
  }
  return j;
}

json RecordToJson(const Opportunity& o) {
  json j = {{"source", o.source},
            {"native_id", o.native_id},
            {"name", o.name},
            {"account", o.account},
            {"owner", o.owner},
            {"deleted", o.deleted},
            {"registration_id", o.registration_id},
            {"modified_at", FormatTimestamp(o.modified_at)}};
  j["stage"] = o.stage ? json(std::string(StageName(*o.stage))) : json(nullptr);
  j["native_stage"] = o.native_stage;
  j["amount"] = o.amount ? json(FormatMoney(*o.amount)) : json(nullptr);
  j["close_date"] = o.close_date ? json(FormatDate(*o.close_date)) : json(nullptr);
  return j;
}

const json* BulkIds(const json& body) {
  auto ids = body.is_object() ? body.find("ids") : body.end();
  if (!body.is_object() || ids == body.end() || !ids->is_array() || ids->empty() ||
      ids->size() > 500) {
    return nullptr;
  }
  return &*ids;
}

std::optional<std::pair<std::string, std::string>> SplitQualifiedId(const json& id) {
  const std::string text = id.is_string() ? id.get<std::string>() : std::string();
  const size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
    return std::nullopt;
  }
  return std::pair{text.substr(0, slash), text.substr(slash + 1)};
}

json ActionToJson(const OperatorAction& a) {
  return {{"at", FormatTimestamp(a.at)},
          {"by", a.by},
          {"action", a.action},
          {"detail", a.detail},
          {"journal_seq", a.journal_seq}};
}

json RejectedToJson(const RejectedRecord& r) {
  return {{"id", r.source + "/" + r.native_id},
          {"source", r.source},
          {"native_id", r.native_id},
          {"message", r.message},
          {"rejected_at", FormatTimestamp(r.rejected_at)},
          {"modified_at", r.modified_at ? json(FormatTimestamp(*r.modified_at)) : json(nullptr)},
          {"journal_seq", r.journal_seq}};
}

json HistoryEntry(const Conflict& c) {
  json j = {{"conflict_id", c.id},
            {"field", std::string(FieldName(c.field))},
            {"detected_at", FormatTimestamp(c.detected_at)},
            {"base_value", c.base_value},
            {"vendor_value", c.vendor.value},
            {"vendor_changed_at", FormatTimestamp(c.vendor.modified_at)},
            {"vendor_changed_by", c.vendor.modified_by},
            {"partner_value", c.partner_change.value},
            {"partner_changed_at", FormatTimestamp(c.partner_change.modified_at)},
            {"partner_changed_by", c.partner_change.modified_by},
            {"rule", c.rule},
            {"status", std::string(ConflictStatusName(c.status))},
            {"outcome_value", c.outcome_value},
            {"explanation", c.explanation}};
  if (!c.resolved_by.empty()) {
    j["resolved_by"] = c.resolved_by;
  }
  if (c.resolved_at) {
    j["resolved_at"] = FormatTimestamp(*c.resolved_at);
  }
  if (!c.resolution_reason.empty()) {
    j["reason"] = c.resolution_reason;
  }
  return j;
}

json OutboxToJson(const OutboxEntry& e, std::string_view state) {
  json values = json::object();
  if (e.update.stage) {
    values["stage"] = std::string(StageName(*e.update.stage));
  }
  if (e.update.amount) {
    values["amount"] = FormatMoney(*e.update.amount);
  }
  if (e.update.close_date) {
    values["close_date"] = FormatDate(*e.update.close_date);
  }
  json j = {{"target", e.target}, {"native_id", e.update.native_id}, {"link_id", e.link_id},
            {"reason", e.reason}, {"attempts", e.attempts},          {"last_error", e.last_error},
            {"state", state},     {"trace_id", e.update.trace_id}};
  j["values"] = values;
  j["partner"] = e.link_id.substr(0, e.link_id.find('/'));
  j["id"] = e.target + "/" + e.update.native_id;
  j["first_failed_at"] =
      e.first_failed_at == Timestamp{} ? json(nullptr) : json(FormatTimestamp(e.first_failed_at));
  json history = json::array();
  for (const PushAttempt& a : e.history) {
    history.push_back({{"at", FormatTimestamp(a.at)}, {"error", a.error}});
  }
  j["history"] = history;
  return j;
}

json PushStateFor(SyncEngine& engine, const Config& config, const Conflict& c) {
  json out = json::array();
  auto mine = [&](const OutboxEntry& e) {
    return (e.target == config.vendor.id && e.update.native_id == c.vendor_id) ||
           (e.target == c.partner && e.update.native_id == c.partner_id);
  };
  if (auto plan = engine.PlanNextCycle(); plan.ok()) {
    for (const PlannedPush& p : plan->pushes) {
      if (mine(p.entry)) {
        out.push_back(OutboxToJson(p.entry, p.entry.attempts > 0 ? "retrying" : "queued"));
      }
    }
  }
  if (auto dead = engine.DeadLetters(""); dead.ok()) {
    for (const OutboxEntry& e : *dead) {
      if (mine(e)) {
        out.push_back(OutboxToJson(e, "dead_letter"));
      }
    }
  }
  return out;
}

}  // namespace dealsync::review
