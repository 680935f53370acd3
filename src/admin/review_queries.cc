// ReviewApi's read-only routes beyond conflicts and links: one-sided deals,
// ambiguous matches, per-partner sync health, queued pushes, dead letters and
// report downloads.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "dealsync/report.h"
#include "src/admin/admin_json.h"
#include "src/admin/review_api.h"
#include "src/admin/review_json.h"

namespace dealsync {

using admin::ErrorFromStatus;
using admin::JsonError;
using admin::JsonResponse;
using nlohmann::json;

namespace {

// The partner filter of a list route: "" (all the principal may see) or one
// partner the principal may see.
Result<std::string> PartnerParam(std::string_view query, const Principal& who) {
  auto params = admin::QueryParams(query, {"partner"});
  if (!params.ok()) {
    return params.status();
  }
  std::string partner = (*params)["partner"];
  if (!partner.empty() && !who.SeesPartner(partner)) {
    return Status(StatusCode::kPermissionDenied,
                  "user \"" + who.name + "\" may not see partner \"" + partner + "\"");
  }
  return partner;
}

bool Wanted(const std::string& partner, std::string_view filter, const Principal& who) {
  return who.SeesPartner(partner) && (filter.empty() || filter == partner);
}

std::string PartnerOfEntry(const OutboxEntry& e) {
  return PartnerOfId(e.link_id);
}

std::string SecondsAgo(Timestamp now, std::optional<Timestamp> t) {
  return t ? std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - *t).count())
           : std::string();
}

}  // namespace

HttpResponse ReviewApi::Unlinked(std::string_view query, const Principal& who) {
  auto partner = PartnerParam(query, who);
  if (!partner.ok()) {
    return ErrorFromStatus(partner.status());
  }
  const Config& config = deps_.config();
  json out = json::array();
  auto add = [&](const std::string& source) -> Status {
    auto records = deps_.engine.UnlinkedRecords(source);
    if (!records.ok()) {
      return records.status();
    }
    for (const Opportunity& o : *records) {
      if (!o.deleted) {
        out.push_back(review::RecordToJson(o));
      }
    }
    return Status::Ok();
  };
  // The vendor's unlinked deals belong to no partner: only users who see every
  // partner see them (a partner's channel manager must not see the vendor's other deals).
  if (who.SeesAllPartners() && (partner->empty() || *partner == config.vendor.id)) {
    if (Status s = add(config.vendor.id); !s.ok()) {
      return ErrorFromStatus(s);
    }
  }
  for (const SourceConfig& p : config.partners) {
    if (Wanted(p.id, *partner, who)) {
      if (Status s = add(p.id); !s.ok()) {
        return ErrorFromStatus(s);
      }
    }
  }
  return JsonResponse(200, {{"records", out}});
}

HttpResponse ReviewApi::Ambiguities(const Principal& who) {
  auto all = deps_.engine.ListAmbiguities();
  if (!all.ok()) {
    return ErrorFromStatus(all.status());
  }
  const Config& config = deps_.config();
  json out = json::array();
  for (const LinkAmbiguity& a : *all) {
    // Visible when the record's side is visible; candidates of unseen partners are dropped.
    const bool vendor_side = a.source == config.vendor.id;
    if (vendor_side ? !who.SeesAllPartners() && a.candidates.empty() : !who.SeesPartner(a.source)) {
      continue;
    }
    json candidates = json::array();
    for (const std::string& c : a.candidates) {
      const std::string source = c.substr(0, c.find('/'));
      if (source == config.vendor.id || who.SeesPartner(source)) {
        candidates.push_back(c);
      }
    }
    if (vendor_side && !who.SeesAllPartners() && candidates.empty()) {
      continue;
    }
    out.push_back({{"source", a.source},
                   {"native_id", a.native_id},
                   {"key_kind", a.key_kind},
                   {"key_value", a.key_value},
                   {"candidates", candidates}});
  }
  return JsonResponse(200, {{"ambiguities", out}});
}

HttpResponse ReviewApi::Partners(const Principal& who) {
  const Config& config = deps_.config();
  const Timestamp now = deps_.clock.Now();
  std::map<std::string, SourceHealth> health;
  for (SourceHealth& h : deps_.backend.Sources()) {
    health[h.id] = std::move(h);
  }
  // Counts per source from the engine's gauges: no scan per request. Queued
  // pushes and dead letters are those to the source; links and held conflicts
  // those of the partner.
  Result<EngineCounters> counters = deps_.engine.Counters();
  if (!counters.ok()) {
    return ErrorFromStatus(counters.status());
  }
  auto put_counts = [&](json& j, const std::string& id) {
    const SourceCounters c = counters->Of(id);
    j["held_conflicts"] = c.conflicts_held;
    j["queued_pushes"] = c.outbox_depth;
    j["dead_letters"] = c.dead_letters;
    j["links"] = c.links;
    j["rejected_records"] = c.rejected_records;
  };
  auto health_json = [&](const std::string& id) {
    json j = {{"id", id}};
    auto it = health.find(id);
    if (it == health.end()) {
      j["running"] = false;
      return j;
    }
    const SourceHealth& h = it->second;
    j["running"] = !h.failed;
    j["failed"] = h.failed;
    j["poll_interval_seconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(h.poll_interval).count();
    j["last_successful_poll"] =
        h.last_successful_poll ? json(FormatTimestamp(*h.last_successful_poll)) : json(nullptr);
    j["lag_seconds"] = SecondsAgo(now, h.last_successful_poll);
    j["last_successful_push"] =
        h.last_successful_push ? json(FormatTimestamp(*h.last_successful_push)) : json(nullptr);
    j["last_error"] = h.last_error;
    j["api_calls"] = h.api_calls;
    j["failed_calls"] = h.failed_calls;
    j["error_rate_percent"] = h.api_calls == 0 ? 0.0
                                               : 100.0 * static_cast<double>(h.failed_calls) /
                                                     static_cast<double>(h.api_calls);
    j["rate_limit_waits"] = h.rate_limit_waits;
    j["api_budget"] =
        std::to_string(h.rate_limit.requests) + " requests per " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(h.rate_limit.per).count()) +
        "s";
    j["api_quota_used"] = h.quota_used ? json(*h.quota_used) : json(nullptr);
    j["api_quota_limit"] = h.quota_limit ? json(*h.quota_limit) : json(nullptr);
    return j;
  };
  json partners = json::array();
  for (const SourceConfig& p : config.partners) {
    if (!who.SeesPartner(p.id)) {
      continue;
    }
    json j = health_json(p.id);
    j["name"] = p.name;
    j["connector"] = p.connector;
    put_counts(j, p.id);
    partners.push_back(std::move(j));
  }
  // A partner whose file did not load is in no config, but ops and channel
  // managers must see that it is not syncing, and why.
  for (const auto& [id, h] : health) {
    const bool configured = std::any_of(config.partners.begin(), config.partners.end(),
                                        [&id = id](const SourceConfig& p) { return p.id == id; });
    if (h.failed && id != config.vendor.id && !configured && who.SeesPartner(id)) {
      json j = health_json(id);
      j["name"] = id;
      j["connector"] = "";
      put_counts(j, id);
      partners.push_back(std::move(j));
    }
  }
  json out = {{"partners", partners}};
  if (who.SeesAllPartners()) {
    json v = health_json(config.vendor.id);
    v["name"] = config.vendor.name;
    v["connector"] = config.vendor.connector;
    put_counts(v, config.vendor.id);
    out["vendor"] = v;
  }
  return JsonResponse(200, out);
}

HttpResponse ReviewApi::Outbox(std::string_view query, const Principal& who) {
  auto partner = PartnerParam(query, who);
  if (!partner.ok()) {
    return ErrorFromStatus(partner.status());
  }
  auto plan = deps_.engine.PlanNextCycle();
  if (!plan.ok()) {
    return ErrorFromStatus(plan.status());
  }
  json out = json::array();
  for (const PlannedPush& p : plan->pushes) {
    if (Wanted(PartnerOfEntry(p.entry), *partner, who)) {
      out.push_back(review::OutboxToJson(p.entry, p.entry.attempts > 0 ? "retrying" : "queued"));
    }
  }
  return JsonResponse(200, {{"pushes", out}});
}

HttpResponse ReviewApi::DeadLetters(std::string_view query, const Principal& who) {
  auto params = admin::QueryParams(query, {"partner", "target"});
  if (!params.ok()) {
    return ErrorFromStatus(params.status());
  }
  const std::string partner = (*params)["partner"];
  if (!partner.empty() && !who.SeesPartner(partner)) {
    return JsonError(403, "permission_denied",
                     "user \"" + who.name + "\" may not see partner \"" + partner + "\"");
  }
  auto dead = deps_.backend.ListDeadLetters((*params)["target"]);
  if (!dead.ok()) {
    return ErrorFromStatus(dead.status());
  }
  json out = json::array();
  for (const OutboxEntry& e : *dead) {
    if (Wanted(PartnerOfEntry(e), partner, who)) {
      json j = review::OutboxToJson(e, "dead_letter");
      j["reason_queued"] = e.reason;
      out.push_back(std::move(j));
    }
  }
  return JsonResponse(200, {{"dead_letters", out}});
}

HttpResponse ReviewApi::Report(const std::string& scope, std::string_view query,
                               const Principal& who) {
  auto params = admin::QueryParams(query, {"format", "bom"});
  if (!params.ok()) {
    return ErrorFromStatus(params.status());
  }
  const std::string partner = scope == "all" ? "" : scope;
  if (partner.empty() ? !who.SeesAllPartners() : !who.SeesPartner(partner)) {
    return JsonError(403, "permission_denied",
                     "user \"" + who.name + "\" may not see the report of \"" + scope + "\"");
  }
  const std::string format = (*params)["format"].empty() ? "html" : (*params)["format"];
  const bool bom = (*params)["bom"] == "1" || (*params)["bom"] == "true";
  const Config& config = deps_.config();
  auto input = LoadReportInput(deps_.engine, config, deps_.clock.Now());
  if (!input.ok()) {
    return ErrorFromStatus(input.status());
  }
  auto report = BuildReport(*input, ReportOptions{partner});
  if (!report.ok()) {
    return ErrorFromStatus(report.status());
  }
  HttpResponse r;
  r.status = 200;
  std::string ext;
  std::string type;
  if (format == "html") {
    r.body = RenderReportHtml(*report);
    ext = "html";
    type = "text/html; charset=utf-8";
  } else if (format == "csv" || format == "pipeline-csv") {
    r.body = std::string(bom ? kUtf8ByteOrderMark : "") +
             (format == "csv" ? RenderConflictsCsv(*report) : RenderPipelineCsv(*report));
    ext = format == "csv" ? "conflicts.csv" : "pipeline.csv";
    type = "text/csv; charset=utf-8";
  } else if (format == "json") {
    r.body = RenderReportJson(*report);
    ext = "json";
    type = "application/json";
  } else {
    return JsonError(400, "invalid_argument",
                     "format must be html, csv, pipeline-csv or json, got \"" + format + "\"");
  }
  r.headers = {{"Content-Type", type},
               {"Cache-Control", "no-store"},
               {"Content-Disposition", "attachment; filename=\"dealsync-" +
                                           (partner.empty() ? "all" : partner) + "." + ext + "\""}};
  return r;
}

}  // namespace dealsync
