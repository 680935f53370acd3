// SalesforceSim: SOQL query/queryAll with locators, getDeleted and the
// composite retrieve. Split from salesforce_sim.cc by meaning (reads).
#include <algorithm>
#include <charconv>

#include "tests/simulators/salesforce_sim.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

constexpr auto kDeletedWindow = std::chrono::days(15);

// A comparable key for one field: epoch ms for datetimes, else the JSON value.
Json SortKey(const Json& value, SoqlType type) {
  if (type == SoqlType::kDateTime && value.is_string()) {
    auto t = ParseIsoDateTime(value.get<std::string>());
    return t ? Json(ToEpochMs(*t)) : Json();
  }
  return value;
}

Json LiteralKey(const SoqlLiteral& lit) {
  if (lit.is_null)
    return Json();
  switch (lit.type) {
    case SoqlType::kDateTime:
      return ToEpochMs(lit.time);
    case SoqlType::kBool:
      return lit.boolean;
    case SoqlType::kCurrency:
      return lit.number;
    default:
      return lit.text;
  }
}

bool Compare(const Json& a, const std::string& op, const Json& b) {
  if (op == "=")
    return a == b;
  if (op == "!=")
    return a != b;
  if (a.is_null() || b.is_null())
    return false;  // SOQL: null never orders
  if (op == "<")
    return a < b;
  if (op == "<=")
    return a <= b;
  if (op == ">")
    return a > b;
  return a >= b;
}

}  // namespace

Json SalesforceSim::FieldValue(const SimRecord& r, const std::string& field) const {
  if (field == "Id")
    return r.id;
  if (field == "IsDeleted")
    return r.deleted;
  if (field == "SystemModstamp" || field == "LastModifiedDate") {
    return SalesforceDateTime(r.modified_at);
  }
  if (field == "CreatedDate")
    return SalesforceDateTime(r.created_at);
  if (const size_t dot = field.find('.'); dot != std::string::npos) {
    const Json& rel =
        r.fields.contains(field.substr(0, dot)) ? r.fields[field.substr(0, dot)] : Json();
    return rel.is_object() && rel.contains(field.substr(dot + 1)) ? rel[field.substr(dot + 1)]
                                                                  : Json();
  }
  return r.fields.contains(field) ? r.fields[field] : Json();
}

Json SalesforceSim::Render(const SimRecord& r, const std::vector<std::string>& select) const {
  Json out = {{"attributes", {{"type", "Opportunity"}, {"url", RecordUrl(r.id)}}}};
  for (const auto& field : select) {
    if (const size_t dot = field.find('.'); dot != std::string::npos) {
      const std::string rel = field.substr(0, dot);
      const Json value = FieldValue(r, field);
      if (!r.fields.contains(rel) || r.fields[rel].is_null()) {
        out[rel] = nullptr;
        continue;
      }
      if (!out.contains(rel) || out[rel].is_null()) {
        out[rel] = {{"attributes", {{"type", rel == "Owner" ? "User" : rel}}}};
      }
      out[rel][field.substr(dot + 1)] = value;
    } else {
      out[field] = FieldValue(r, field);
    }
  }
  return out;
}

int SalesforceSim::PageSize(const HttpRequest& request) const {
  int size = config_.page_size;
  // Sforce-Query-Options: batchSize=N is a hint between 200 and 2000.
  if (auto opt = FindHeader(request.headers, "Sforce-Query-Options")) {
    const size_t eq = opt->find("batchSize=");
    if (eq != std::string_view::npos) {
      int n = 0;
      const char* begin = opt->data() + eq + 10;
      std::from_chars(begin, opt->data() + opt->size(), n);
      size = std::clamp(n, 200, 2000);
    }
  }
  return size;
}

HttpResponse SalesforceSim::Query(const HttpRequest& request, const RequestTarget& target,
                                  bool all_rows) {
  auto q = target.Param("q");
  if (!q || q->empty() || target.CountParam("q") != 1) {
    return Error(request, target, 400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  auto parsed = ParseSoql(*q, catalog_);
  if (auto* err = std::get_if<SoqlError>(&parsed)) {
    Violate(request, target, err->unsupported ? "sim.unsupported_soql" : err->error_code,
            err->message + " in: " + *q);
    return JsonResponse(400,
                        Json::array({{{"message", err->message}, {"errorCode", err->error_code}}}));
  }
  const SoqlQuery& query = std::get<SoqlQuery>(parsed);
  std::vector<const SimRecord*> rows;
  for (const SimRecord* r : records().Visible(Now())) {
    if (r->deleted && !all_rows)
      continue;
    const bool match = std::all_of(query.where.begin(), query.where.end(), [&](const auto& c) {
      const Json value = SortKey(FieldValue(*r, c.field), catalog_.at(c.field));
      if (c.op == "IN") {
        return std::any_of(c.values.begin(), c.values.end(),
                           [&](const auto& lit) { return value == LiteralKey(lit); });
      }
      return Compare(value, c.op, LiteralKey(c.values.front()));
    });
    if (match)
      rows.push_back(r);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const SimRecord* a, const SimRecord* b) {
    for (const auto& o : query.order_by) {
      const SoqlType type = catalog_.at(o.field);
      const Json ka = SortKey(FieldValue(*a, o.field), type);
      const Json kb = SortKey(FieldValue(*b, o.field), type);
      if (ka != kb)
        return o.ascending ? ka < kb : kb < ka;
    }
    return false;
  });
  if (query.limit && rows.size() > static_cast<size_t>(*query.limit)) {
    rows.resize(*query.limit);
  }
  Locator locator{query.select, {}, Now(), next_locator_};
  for (const SimRecord* r : rows)
    locator.ids.push_back(r->id);
  char id[32];
  std::snprintf(id, sizeof id, "01gSM%013llu", static_cast<unsigned long long>(next_locator_++));
  // The real API keeps a bounded number of open cursors per user: the oldest goes.
  while (static_cast<int>(locators_.size()) >= config_.max_open_locators) {
    auto oldest = std::min_element(locators_.begin(), locators_.end(), [](auto& a, auto& b) {
      return a.second.serial < b.second.serial;
    });
    locators_.erase(oldest);
  }
  auto& stored = locators_[id] = std::move(locator);
  return Page(id, stored, 0, PageSize(request));
}

HttpResponse SalesforceSim::Page(const std::string& locator_id, Locator& locator, size_t offset,
                                 int page_size) {
  Json records_out = Json::array();
  const size_t end = std::min(locator.ids.size(), offset + page_size);
  for (size_t i = offset; i < end; ++i) {
    const SimRecord* r = records().Find(locator.ids[i]);
    if (r != nullptr)
      records_out.push_back(Render(*r, locator.select));
  }
  Json out = {{"totalSize", locator.ids.size()}, {"done", end >= locator.ids.size()}};
  if (end < locator.ids.size()) {
    out["nextRecordsUrl"] =
        "/services/data/" + api_version_ + "/query/" + locator_id + "-" + std::to_string(end);
    locator.last_used = Now();
  } else {
    locators_.erase(locator_id);
  }
  out["records"] = std::move(records_out);
  return JsonResponse(200, out);
}

HttpResponse SalesforceSim::QueryMore(const HttpRequest& request, const RequestTarget& target,
                                      std::string_view locator_and_offset) {
  const size_t dash = locator_and_offset.rfind('-');
  size_t offset = 0;
  const std::string locator_id(locator_and_offset.substr(0, dash));
  auto it = locators_.find(locator_id);
  const bool offset_ok =
      dash != std::string_view::npos &&
      std::from_chars(locator_and_offset.data() + dash + 1,
                      locator_and_offset.data() + locator_and_offset.size(), offset)
              .ec == std::errc();
  if (it == locators_.end() || !offset_ok || offset > it->second.ids.size()) {
    // Unknown or garbled locators are a client bug; expiry is not.
    return Error(request, target, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  }
  if (Now() - it->second.last_used > config_.locator_lifetime) {
    locators_.erase(it);
    return Error(request, target, 400, "INVALID_QUERY_LOCATOR", "invalid query locator", true);
  }
  return Page(locator_id, it->second, offset, PageSize(request));
}

HttpResponse SalesforceSim::Deleted(const HttpRequest& request, const RequestTarget& target) {
  auto start_text = target.Param("start");
  auto end_text = target.Param("end");
  if (!start_text || !end_text) {
    return Error(request, target, 400, "MISSING_ARGUMENT",
                 "Both start and end dates must be specified");
  }
  auto start = ParseIsoDateTime(*start_text);
  auto end = ParseIsoDateTime(*end_text);
  if (!start || !end) {
    return Error(request, target, 400, "INVALID_REPLICATION_DATE",
                 "start and end must be ISO 8601 dateTime values");
  }
  const Timestamp earliest = Now() - kDeletedWindow;
  if (*start < earliest) {
    return Error(request, target, 400, "INVALID_REPLICATION_DATE",
                 "startDate cannot be more than 15 days ago");
  }
  if (*end <= *start) {
    return Error(request, target, 400, "INVALID_REPLICATION_DATE",
                 "startDate must chronologically precede endDate");
  }
  // latestDateCovered: the end, rounded down to the minute and never in the future.
  const Timestamp covered =
      std::chrono::floor<std::chrono::minutes>(std::min(*end, Timestamp(Now())));
  Json deleted = Json::array();
  for (const SimRecord* r : records().Visible(Now())) {
    if (r->deleted && r->deleted_at >= *start && r->deleted_at <= covered) {
      deleted.push_back({{"id", r->id}, {"deletedDate", SalesforceDateTime(r->deleted_at)}});
    }
  }
  return JsonResponse(200,
                      {{"deletedRecords", deleted},
                       {"earliestDateAvailable",
                        SalesforceDateTime(std::chrono::floor<std::chrono::minutes>(earliest))},
                       {"latestDateCovered", SalesforceDateTime(covered)}});
}

HttpResponse SalesforceSim::Retrieve(const HttpRequest& request, const RequestTarget& target) {
  auto ids = target.Param("ids");
  auto fields = target.Param("fields");
  if (!ids || ids->empty() || !fields || fields->empty()) {
    return Error(request, target, 400, "MISSING_ARGUMENT", "ids and fields are required");
  }
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
      const size_t comma = std::min(s.find(',', pos), s.size());
      out.push_back(s.substr(pos, comma - pos));
      pos = comma + 1;
    }
    return out;
  };
  const auto id_list = split(*ids);
  if (id_list.size() > 2000) {
    return Error(request, target, 400, "EXCEEDED_ID_LIMIT", "too many ids (max 2000)");
  }
  std::vector<std::string> field_list;
  for (const auto& f : split(*fields)) {
    if (!catalog_.count(f) || f.find('.') != std::string::npos) {
      return Error(request, target, 400, "INVALID_FIELD",
                   "No such column '" + f + "' on entity 'Opportunity'");
    }
    field_list.push_back(f);
  }
  Json out = Json::array();
  for (const auto& id : id_list) {
    const SimRecord* r = records().Find(id);
    if (r == nullptr || r->deleted || r->visible_at > Now()) {
      out.push_back(nullptr);
    } else {
      out.push_back(Render(*r, field_list));
    }
  }
  return JsonResponse(200, out);
}

}  // namespace dealsync::sim
