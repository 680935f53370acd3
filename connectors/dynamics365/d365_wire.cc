#include "connectors/dynamics365/d365_wire.h"

#include <algorithm>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"

namespace dealsync::connectors::dynamics365 {

using nlohmann::json;

namespace {

constexpr std::string_view kFormatted = "@OData.Community.Display.V1.FormattedValue";

std::string StageColumn(const Settings& s) {
  return s.stage_field == StageField::kStepName ? "stepname" : "salesstage";
}

std::optional<std::string> Text(const json& row, const std::string& key) {
  const json* v = FindKey(row, key);
  return v == nullptr ? std::nullopt : StringOf(*v);
}

std::string Formatted(const json& row, const std::string& lookup) {
  return Text(row, lookup + std::string(kFormatted)).value_or("");
}

}  // namespace

Result<Cursor> Cursor::Decode(std::string_view text) {
  auto state = DecodeCursor(text, "dynamics365");
  if (!state.ok()) {
    return state.status();
  }
  Cursor c;
  if (const json* v = FindKey(*state, "next"); v && v->is_string()) {
    c.next_url = v->get<std::string>();
  }
  if (const json* v = FindKey(*state, "delta"); v && v->is_string()) {
    c.delta_link = v->get<std::string>();
  }
  if (const json* v = FindKey(*state, "wm"); v && v->is_number_integer()) {
    c.watermark = TimestampFromEpochMs(v->get<int64_t>());
  }
  return c;
}

std::string Cursor::Encode() const {
  json state = json::object();
  if (!next_url.empty()) {
    state["next"] = next_url;
  }
  if (!delta_link.empty()) {
    state["delta"] = delta_link;
  }
  if (watermark) {
    state["wm"] = EpochMs(*watermark);
  }
  return EncodeCursor(state);
}

std::vector<std::string> SelectColumns(const Settings& s) {
  std::vector<std::string> cols = {"opportunityid",
                                   "name",
                                   "statecode",
                                   "statuscode",
                                   StageColumn(s),
                                   "estimatedvalue",
                                   "estimatedclosedate",
                                   "modifiedon",
                                   "_transactioncurrencyid_value",
                                   "_parentaccountid_value",
                                   "_ownerid_value"};
  for (const std::string* extra : {&s.registration_column, &s.counterpart_column}) {
    if (!extra->empty() && std::find(cols.begin(), cols.end(), *extra) == cols.end()) {
      cols.push_back(*extra);
    }
  }
  return cols;
}

std::string ReadPreferHeader(const Settings& s) {
  std::string prefer;
  if (s.change_tracking) {
    prefer = "odata.track-changes,";
  }
  prefer += "odata.maxpagesize=" + std::to_string(s.page_size) +
            ",odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"";
  return prefer;
}

std::string ODataDateTime(Timestamp t) {
  std::string iso = FormatTimestamp(std::chrono::floor<std::chrono::seconds>(t));
  // "2026-11-23T10:00:00.000Z" -> "2026-11-23T10:00:00Z"
  if (auto dot = iso.find('.'); dot != std::string::npos) {
    iso = iso.substr(0, dot) + "Z";
  }
  return iso;
}

std::string InitialQuery(const Settings& s, std::optional<Timestamp> filter_from) {
  std::string select;
  for (const auto& c : SelectColumns(s)) {
    select += (select.empty() ? "" : ",") + c;
  }
  std::string q = "?$select=" + UrlEncode(select);
  if (filter_from) {
    q += "&$filter=" + UrlEncode("modifiedon ge " + ODataDateTime(*filter_from));
    q += "&$orderby=" + UrlEncode("modifiedon asc,opportunityid asc");
  }
  return q;
}

bool IsDeletedEntity(const json& entry) {
  const json* context = FindKey(entry, "@odata.context");
  if (context && context->is_string() &&
      context->get<std::string>().find("$deletedEntity") != std::string::npos) {
    return true;
  }
  return FindKey(entry, "reason") != nullptr && FindKey(entry, "opportunityid") == nullptr &&
         FindKey(entry, "id") != nullptr;
}

Result<Opportunity> ReadDeleted(const json& entry, std::string_view source, Timestamp now) {
  const json* id = FindKey(entry, "id");
  if (id == nullptr || !id->is_string() || id->get<std::string>().empty()) {
    return InvalidArgument("$deletedEntity without an \"id\": " + Excerpt(entry));
  }
  Opportunity o;
  o.source = std::string(source);
  o.native_id = id->get<std::string>();
  o.deleted = true;
  o.modified_at = now;  // Dataverse reports no time for a removal: when it was seen
  o.native_payload = entry.dump();
  return o;
}

Result<Opportunity> ReadRow(const json& row, const RowContext& ctx) {
  if (!row.is_object()) {
    return InvalidArgument("row is not a JSON object");
  }
  const Settings& s = *ctx.settings;
  Opportunity o;
  o.source = ctx.source;
  o.native_payload = row.dump();
  auto id = Text(row, "opportunityid");
  if (!id || id->empty()) {
    return InvalidArgument("id: opportunityid missing");
  }
  o.native_id = *id;
  o.name = Text(row, "name").value_or("");
  o.account = Formatted(row, "_parentaccountid_value");
  o.owner = Formatted(row, "_ownerid_value");
  if (!s.registration_column.empty()) {
    o.registration_id = Text(row, s.registration_column).value_or("");
  }
  if (!s.counterpart_column.empty()) {
    o.counterpart_id = Text(row, s.counterpart_column).value_or("");
  }

  const json* state = FindKey(row, "statecode");
  if (state == nullptr || !state->is_number_integer()) {
    return InvalidArgument("stage: statecode " + (state ? Excerpt(*state) : "missing") +
                           " is not 0 (Open), 1 (Won) or 2 (Lost)");
  }
  const int64_t statecode = state->get<int64_t>();
  if (statecode == 1) {
    o.native_stage = std::string(kWonStage);
  } else if (statecode == 2) {
    o.native_stage = std::string(kLostStage);
  } else if (statecode == 0) {
    const std::string column = StageColumn(s);
    const json* v = FindKey(row, column);
    if (v == nullptr || v->is_null()) {
      return InvalidArgument("stage: open opportunity has no " + column);
    }
    o.native_stage = StringOf(*v).value_or("");
  } else {
    return InvalidArgument("stage: statecode " + std::to_string(statecode) +
                           " is not 0 (Open), 1 (Won) or 2 (Lost)");
  }
  const PipelineStageMap* map = nullptr;
  if (auto it = ctx.stages->find(""); it != ctx.stages->end()) {
    map = &it->second;
  } else if (ctx.stages->size() == 1) {
    map = &ctx.stages->begin()->second;
  }
  if (map == nullptr) {
    return InvalidArgument("stage: no [stages] map");
  }
  o.stage = CanonicalStage(*map, o.native_stage);
  if (!o.stage) {
    std::string known;
    for (const auto& [stage, values] : map->native_by_stage) {
      for (const auto& v : values) {
        known += (known.empty() ? "" : ", ") + v;
      }
    }
    return InvalidArgument("stage: value \"" + o.native_stage + "\" (" +
                           (statecode == 0 ? StageColumn(s) : "statecode") +
                           ") is not in [stages] (known: " + known + ")");
  }

  std::string currency = ctx.default_currency;
  if (auto cid = Text(row, "_transactioncurrencyid_value"); cid && !cid->empty()) {
    auto iso = ctx.currency_iso ? ctx.currency_iso(*cid) : std::nullopt;
    if (!iso) {
      return InvalidArgument("currency: transactioncurrencyid " + *cid +
                             " is not a known transactioncurrency");
    }
    currency = *iso;
  }
  if (const json* v = FindKey(row, "estimatedvalue"); v && !v->is_null()) {
    if (!v->is_number()) {
      return InvalidArgument("amount: estimatedvalue " + Excerpt(*v) + " is not a number");
    }
    if (currency.empty()) {
      return InvalidArgument("currency: row has no transactioncurrencyid and no currency is set");
    }
    auto money = ParseMoneyNumber(v->dump(), currency);
    if (!money.ok()) {
      return money.status().Annotate("amount: estimatedvalue");
    }
    o.amount = *money;
  }
  if (const json* v = FindKey(row, "estimatedclosedate"); v && !v->is_null()) {
    if (!v->is_string()) {
      return InvalidArgument("close_date: estimatedclosedate " + Excerpt(*v) + " is not a date");
    }
    // Date Only columns come as "2026-12-01"; a User Local column as a UTC
    // datetime, taken as the date in the source's time zone.
    auto date = DateFromIsoDateOrDateTime(v->get<std::string>(), *ctx.zone);
    if (!date.ok()) {
      return date.status().Annotate("close_date: estimatedclosedate");
    }
    o.close_date = *date;
  }
  auto modified = Text(row, "modifiedon");
  if (!modified) {
    return InvalidArgument("modified_at: modifiedon missing");
  }
  auto t = ParseTimestamp(*modified);
  if (!t.ok()) {
    return t.status().Annotate("modified_at: modifiedon");
  }
  o.modified_at = *t;
  return o;
}

Result<RowState> ReadRowState(const json& row, const Settings& s) {
  RowState r;
  auto etag = Text(row, "@odata.etag");
  if (!etag || etag->empty()) {
    return InvalidArgument("row has no @odata.etag");
  }
  r.etag = *etag;
  const json* state = FindKey(row, "statecode");
  if (state == nullptr || !state->is_number_integer()) {
    return InvalidArgument("row has no statecode");
  }
  r.statecode = state->get<int>();
  if (const json* v = FindKey(row, StageColumn(s))) {
    r.stage_value = *v;
  }
  r.currency_id = Text(row, "_transactioncurrencyid_value").value_or("");
  return r;
}

Result<UpdatePlan> PlanUpdate(
    const RecordUpdate& update, const RowState& row, const Settings& s, const StageMaps& stages,
    bool allow_reopen,
    const std::function<std::optional<std::string>(const std::string&)>& currency_id_of_iso) {
  UpdatePlan plan;
  bool reopen = false;
  const std::string column = StageColumn(s);
  if (update.stage) {
    const Stage target = *update.stage;
    const int wanted_state = target == Stage::kClosedWon ? 1 : target == Stage::kClosedLost ? 2 : 0;
    if (wanted_state != row.statecode) {
      if (row.statecode != 0) {
        if (!allow_reopen) {
          return FailedPrecondition("stage: the opportunity is closed (statecode " +
                                    std::to_string(row.statecode) +
                                    ") and the policy does not allow reopening");
        }
        reopen = true;
      }
      if (wanted_state == 1) {
        plan.close = UpdatePlan::Close::kWin;
      } else if (wanted_state == 2) {
        plan.close = UpdatePlan::Close::kLose;
      }
    }
    if (wanted_state == 0) {
      const PipelineStageMap* map = nullptr;
      if (auto it = stages.find(""); it != stages.end()) {
        map = &it->second;
      } else if (stages.size() == 1) {
        map = &stages.begin()->second;
      }
      auto native = map ? NativeStage(*map, target) : std::nullopt;
      if (!native) {
        return FailedPrecondition("stage: " + std::string(StageName(target)) +
                                  " has no native value in [stages]");
      }
      if (s.stage_field == StageField::kSalesStage) {
        auto n = ParseInt64(*native);
        if (!n) {
          return FailedPrecondition("stage: [stages] value \"" + *native +
                                    "\" is not a salesstage option value (an integer)");
        }
        plan.patch[column] = *n;
      } else {
        plan.patch[column] = *native;
      }
    }
  }
  if (update.amount) {
    plan.patch["estimatedvalue"] = json::parse(FormatDecimal(*update.amount));
    auto id = currency_id_of_iso(update.amount->currency);
    if (!id) {
      return FailedPrecondition("amount: currency " + update.amount->currency +
                                " is not a transactioncurrency of the org (add it in Settings > "
                                "Currencies; amounts are never converted)");
    }
    if (*id != row.currency_id) {
      plan.patch["transactioncurrencyid@odata.bind"] = "/transactioncurrencies(" + *id + ")";
    }
  }
  if (update.close_date) {
    plan.patch["estimatedclosedate"] = FormatDate(*update.close_date);
  }
  if (row.statecode != 0 && !reopen && !plan.patch.empty()) {
    return FailedPrecondition(
        "the opportunity is closed and Dataverse keeps closed opportunities read-only; "
        "reopening needs a policy that allows it");
  }
  if (reopen) {
    plan.patch["statecode"] = 0;
    plan.patch["statuscode"] = 1;  // In Progress
  }
  if (plan.close != UpdatePlan::Close::kNone && plan.patch.empty()) {
    plan.patch[column] = row.stage_value;  // concurrency guard: a no-op write under If-Match
  }
  return plan;
}

json CloseActionBody(const std::string& opportunity_id, const Settings& s, bool won) {
  return json{{"Status", won ? s.won_status : s.lost_status},
              {"OpportunityClose",
               {{"subject", s.close_subject},
                {"opportunityid@odata.bind", "/opportunities(" + opportunity_id + ")"}}}};
}

std::optional<Stage> CanonicalStage(const PipelineStageMap& map, std::string_view native) {
  for (const auto& [stage, values] : map.native_by_stage) {
    if (std::find(values.begin(), values.end(), native) != values.end()) {
      return stage;
    }
  }
  return std::nullopt;
}

std::optional<std::string> NativeStage(const PipelineStageMap& map, Stage stage) {
  auto it = map.native_by_stage.find(stage);
  if (it == map.native_by_stage.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second.front();
}

std::string ODataErrorCode(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return "";
  }
  const json* error = FindKey(doc, "error");
  if (error == nullptr || !error->is_object()) {
    return "";
  }
  return Text(*error, "code").value_or("");
}

Status ODataError(const HttpResponse& response, std::string_view context) {
  Status s = ErrorFromResponse(response, context);
  const std::string code = ODataErrorCode(response.body);
  if (code == kErrorRequestCount || code == kErrorExecutionTime ||
      code == kErrorConcurrentRequests) {
    Status out(StatusCode::kResourceExhausted, s.message());
    if (s.retry_after()) {
      out.WithRetryAfter(*s.retry_after());
    }
    return out;
  }
  if (code == kErrorConcurrency) {
    return Status(StatusCode::kAborted, s.message());
  }
  return s;
}

}  // namespace dealsync::connectors::dynamics365
