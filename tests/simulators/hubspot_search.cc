// HubSpotSim reads: the search endpoint (filters, sort, paging, 10,000 cap)
// and batch read. Split from hubspot_sim.cc by meaning.
#include <algorithm>
#include <charconv>

#include "tests/simulators/hubspot_sim.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

const std::set<std::string> kOperators{"EQ",
                                       "NEQ",
                                       "LT",
                                       "LTE",
                                       "GT",
                                       "GTE",
                                       "BETWEEN",
                                       "IN",
                                       "NOT_IN",
                                       "HAS_PROPERTY",
                                       "NOT_HAS_PROPERTY",
                                       "CONTAINS_TOKEN",
                                       "NOT_CONTAINS_TOKEN"};
const std::set<std::string> kSimulatedOperators{
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"};
const std::set<std::string> kTimeProperties{"hs_lastmodifieddate", "createdate", "closedate"};
const std::set<std::string> kNumberProperties{"hs_object_id", "amount"};
const std::vector<std::string> kDefaultProperties{
    "dealname",  "amount",     "closedate",           "pipeline",
    "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id"};

// A comparable key: numbers for times (epoch ms) and numeric properties.
Json Key(const std::string& property, const std::optional<std::string>& value) {
  if (!value || value->empty())
    return Json();
  if (kTimeProperties.count(property)) {
    if (auto ms = ParseInt(*value))
      return *ms;
    if (auto t = ParseIsoDateTime(*value))
      return ToEpochMs(*t);
    if (auto d = ParseIsoDate(*value))
      return ToEpochMs(*d);
    return Json();
  }
  if (kNumberProperties.count(property)) {
    double v = 0;
    auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
    return ec == std::errc() && p == value->data() + value->size() ? Json(v) : Json();
  }
  return *value;
}

std::optional<std::string> FilterValue(const Json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return std::to_string(v.get<int64_t>());
  if (v.is_number())
    return v.dump();
  return std::nullopt;
}

bool Matches(const Json& have, const std::string& op, const std::vector<Json>& want) {
  if (op == "HAS_PROPERTY")
    return !have.is_null();
  if (op == "NOT_HAS_PROPERTY")
    return have.is_null();
  if (op == "IN")
    return std::find(want.begin(), want.end(), have) != want.end();
  if (op == "NEQ")
    return have != want.front();
  if (have.is_null() || want.front().is_null())
    return false;
  if (op == "EQ")
    return have == want.front();
  if (op == "LT")
    return have < want.front();
  if (op == "LTE")
    return have <= want.front();
  if (op == "GT")
    return have > want.front();
  return have >= want.front();
}

struct Filter {
  std::string property;
  std::string op;
  std::vector<Json> values;
};

}  // namespace

std::optional<std::string> HubSpotSim::PropertyValue(const SimRecord& r,
                                                     const std::string& name) const {
  if (name == "hs_object_id")
    return r.id;
  if (name == "hs_lastmodifieddate")
    return TimeProperty(r.modified_at);
  if (name == "createdate")
    return TimeProperty(r.created_at);
  if (!r.fields.contains(name) || r.fields[name].is_null())
    return std::nullopt;
  return r.fields[name].get<std::string>();
}

Json HubSpotSim::Render(const SimRecord& r, const std::vector<std::string>& properties) const {
  Json props = Json::object();
  std::vector<std::string> names = properties;
  if (names.empty()) {
    names = kDefaultProperties;
    for (const auto& [k, v] : r.fields.items())
      names.push_back(k);
  }
  for (const char* always : {"hs_object_id", "createdate", "hs_lastmodifieddate"}) {
    names.push_back(always);
  }
  for (const auto& name : names) {
    if (!Known(name))
      continue;  // HubSpot silently omits unknown requested properties
    auto v = PropertyValue(r, name);
    props[name] = v ? Json(*v) : Json();
  }
  Json out = {{"id", r.id},
              {"properties", props},
              {"createdAt", IsoMillisZ(r.created_at)},
              {"updatedAt", IsoMillisZ(r.modified_at)},
              {"archived", r.deleted}};
  if (r.deleted)
    out["archivedAt"] = IsoMillisZ(r.deleted_at);
  return out;
}

HttpResponse HubSpotSim::Search(const HttpRequest& request, const RequestTarget& target,
                                const Json& body) {
  auto bad = [&](const std::string& message) {
    return Error(request, target, 400, "VALIDATION_ERROR", message);
  };
  for (const auto& [key, v] : body.items()) {
    static const std::set<std::string> kKeys{"filterGroups", "sorts", "properties",
                                             "limit",        "after", "query"};
    if (!kKeys.count(key))
      return bad("Invalid input JSON: Unrecognized field \"" + key + "\"");
  }
  // filterGroups: OR across groups, AND within one.
  std::vector<std::vector<Filter>> groups;
  const Json fg = body.value("filterGroups", Json::array());
  if (!fg.is_array() || fg.size() > 5)
    return bad("filterGroups: at most 5 groups allowed");
  size_t total_filters = 0;
  for (const auto& g : fg) {
    if (!g.is_object() || !g.contains("filters") || !g["filters"].is_array() ||
        g["filters"].size() > 6) {
      return bad("each filterGroup needs a \"filters\" array of at most 6 filters");
    }
    std::vector<Filter> group;
    for (const auto& f : g["filters"]) {
      ++total_filters;
      if (!f.is_object() || !f.contains("propertyName") || !f["propertyName"].is_string()) {
        return bad("filter needs a string propertyName");
      }
      Filter filter{f["propertyName"], f.value("operator", "EQ"), {}};
      if (!f.contains("operator") || !f["operator"].is_string() || !kOperators.count(filter.op)) {
        return bad(
            "filter operator must be one of EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, "
            "NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN");
      }
      if (!Known(filter.property)) {
        return bad("There was a problem with the request: Property \"" + filter.property +
                   "\" does not exist");
      }
      if (!kSimulatedOperators.count(filter.op)) {
        Violate(request, target, "sim.unsupported_operator", filter.op);
        return JsonResponse(400, {{"status", "error"}, {"message", "operator not simulated"}});
      }
      if (filter.op == "IN") {
        if (!f.contains("values") || !f["values"].is_array())
          return bad("IN needs \"values\"");
        for (const auto& v : f["values"]) {
          auto s = FilterValue(v);
          if (!s)
            return bad("filter values must be strings");
          filter.values.push_back(Key(filter.property, s));
        }
      } else if (filter.op != "HAS_PROPERTY" && filter.op != "NOT_HAS_PROPERTY") {
        auto s = f.contains("value") ? FilterValue(f["value"]) : std::nullopt;
        if (!s)
          return bad("filter \"value\" must be a string");
        Json key = Key(filter.property, s);
        if (key.is_null())
          return bad("filter value \"" + *s + "\" is not valid for " + filter.property);
        filter.values.push_back(key);
      }
      group.push_back(std::move(filter));
    }
    groups.push_back(std::move(group));
  }
  if (total_filters > 18)
    return bad("at most 18 filters are allowed in total");
  // One sort, on a known property.
  std::string sort_property = "hs_object_id";
  bool ascending = true;
  const Json sorts = body.value("sorts", Json::array());
  if (!sorts.is_array() || sorts.size() > 1)
    return bad("sorts: at most one sort is supported");
  for (const auto& s : sorts) {
    if (!s.is_object() || !s.contains("propertyName") || !s["propertyName"].is_string()) {
      return bad("sort needs a string propertyName");
    }
    sort_property = s["propertyName"];
    const std::string dir = s.value("direction", "ASCENDING");
    if (dir != "ASCENDING" && dir != "DESCENDING")
      return bad("direction must be ASCENDING or DESCENDING");
    if (!Known(sort_property))
      return bad("Property \"" + sort_property + "\" does not exist");
    ascending = dir == "ASCENDING";
  }
  std::vector<std::string> properties;
  if (body.contains("properties")) {
    if (!body["properties"].is_array())
      return bad("properties must be an array of strings");
    for (const auto& p : body["properties"]) {
      if (!p.is_string())
        return bad("properties must be an array of strings");
      properties.push_back(p);
    }
  }
  int limit = 10;
  if (body.contains("limit")) {
    if (!body["limit"].is_number_integer())
      return bad("limit must be an integer");
    limit = body["limit"].get<int>();
    if (limit < 1 || limit > config_.max_search_limit) {
      return bad("limit must be between 1 and " + std::to_string(config_.max_search_limit));
    }
  }
  int64_t after = 0;
  if (body.contains("after")) {
    auto a = FilterValue(body["after"]);
    auto n = a ? ParseInt(*a) : std::nullopt;
    if (!n)
      return bad("after must be a non-negative integer string");
    after = *n;
  }
  if (after + limit > config_.search_cap) {
    return bad("The search API cannot page beyond " + std::to_string(config_.search_cap) +
               " results (after=" + std::to_string(after) + ", limit=" + std::to_string(limit) +
               ")");
  }
  std::vector<const SimRecord*> hits;
  for (const SimRecord* r : records().Visible(Now())) {
    if (r->deleted)
      continue;
    const bool match =
        groups.empty() || std::any_of(groups.begin(), groups.end(), [&](auto& g) {
          return std::all_of(g.begin(), g.end(), [&](const Filter& f) {
            return Matches(Key(f.property, PropertyValue(*r, f.property)), f.op, f.values);
          });
        });
    if (match)
      hits.push_back(r);
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const SimRecord* a, const SimRecord* b) {
    const Json ka = Key(sort_property, PropertyValue(*a, sort_property));
    const Json kb = Key(sort_property, PropertyValue(*b, sort_property));
    if (ka != kb)
      return ascending ? ka < kb : kb < ka;
    return Key("hs_object_id", a->id) < Key("hs_object_id", b->id);
  });
  Json results = Json::array();
  for (size_t i = after; i < hits.size() && i < static_cast<size_t>(after + limit); ++i) {
    results.push_back(Render(*hits[i], properties.empty() ? kDefaultProperties : properties));
  }
  Json out = {{"total", hits.size()}, {"results", results}};
  if (static_cast<size_t>(after + limit) < hits.size()) {
    out["paging"] = {{"next", {{"after", std::to_string(after + limit)}}}};
  }
  return JsonResponse(200, out);
}

HttpResponse HubSpotSim::BatchRead(const HttpRequest& request, const RequestTarget& target,
                                   const Json& body) {
  if (!body.contains("inputs") || !body["inputs"].is_array()) {
    return Error(request, target, 400, "VALIDATION_ERROR", "inputs: must be an array");
  }
  if (body["inputs"].size() > static_cast<size_t>(config_.max_batch_inputs)) {
    return Error(request, target, 400, "VALIDATION_ERROR", "Too many inputs (max 100)");
  }
  std::vector<std::string> properties;
  for (const auto& p : body.value("properties", Json::array())) {
    if (!p.is_string()) {
      return Error(request, target, 400, "VALIDATION_ERROR", "properties must be strings");
    }
    properties.push_back(p);
  }
  const bool archived = target.Param("archived").value_or("false") == "true";
  const Timestamp started = Now();
  Json results = Json::array();
  Json missing = Json::array();
  for (const auto& in : body["inputs"]) {
    if (!in.is_object() || !in.contains("id") || !in["id"].is_string()) {
      return Error(request, target, 400, "VALIDATION_ERROR", "each input needs a string \"id\"");
    }
    const SimRecord* r = records().Find(in["id"]);
    if (r == nullptr || r->visible_at > Now() || r->deleted != archived) {
      missing.push_back(in["id"]);
    } else {
      results.push_back(Render(*r, properties.empty() ? kDefaultProperties : properties));
    }
  }
  Json out = {{"status", "COMPLETE"},
              {"results", results},
              {"startedAt", IsoMillisZ(started)},
              {"completedAt", IsoMillisZ(Now())}};
  if (missing.empty())
    return JsonResponse(200, out);
  out["numErrors"] = 1;
  out["errors"] = Json::array({{{"status", "error"},
                                {"category", "OBJECT_NOT_FOUND"},
                                {"message",
                                 "Could not get some DEAL objects, they may be deleted "
                                 "or not exist. Check that ids are valid."},
                                {"context", {{"ids", missing}}}}});
  return JsonResponse(207, out);
}

}  // namespace dealsync::sim
