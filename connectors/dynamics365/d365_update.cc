// Dynamics365Connector::Update: plan each record's writes from what was last
// read of it, then send them one by one or as one $batch of change sets.
#include <spdlog/spdlog.h>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"
#include "connectors/dynamics365/d365_batch.h"
#include "connectors/dynamics365/d365_connector.h"

namespace dealsync::connectors::dynamics365 {

using nlohmann::json;

namespace {

constexpr std::string_view kUpdateContext = "dynamics365 update";

struct Planned {
  size_t index = 0;  // in the update list
  std::string id;
  std::string etag;
  UpdatePlan plan;
};

}  // namespace

// One Update() call: the records, their outcomes and the helpers that fill them.
class UpdateRun {
 public:
  UpdateRun(Dynamics365Connector& c, std::vector<RecordUpdate> updates)
      : c_(c), updates_(std::move(updates)), outcomes_(updates_.size()) {
    for (size_t i = 0; i < updates_.size(); ++i) {
      outcomes_[i].native_id = updates_[i].native_id;
    }
  }

  Awaitable<Result<std::vector<UpdateOutcome>>> Run() {
    Status currencies = co_await c_.EnsureCurrencies("");
    if (!currencies.ok()) {
      co_return currencies.Annotate(kUpdateContext);
    }
    std::vector<Planned> planned;
    for (size_t i = 0; i < updates_.size(); ++i) {
      auto p = co_await PlanOne(i);
      if (p) {
        planned.push_back(std::move(*p));
      }
    }
    if (c_.settings_.batch && planned.size() > 1) {
      const size_t size = static_cast<size_t>(c_.settings_.batch_size);
      for (size_t start = 0; start < planned.size(); start += size) {
        std::vector<Planned> chunk(
            planned.begin() + static_cast<std::ptrdiff_t>(start),
            planned.begin() + static_cast<std::ptrdiff_t>(std::min(planned.size(), start + size)));
        co_await SendBatch(std::move(chunk));
      }
    } else {
      for (Planned& p : planned) {
        co_await SendOne(std::move(p));
      }
    }
    if (!updates_.empty() && !any_response_ && !last_call_error_.ok()) {
      co_return last_call_error_;  // nothing reached the API: a failed call
    }
    co_return outcomes_;
  }

 private:
  // The row's state, the plan; nullopt when the outcome is already decided.
  Awaitable<std::optional<Planned>> PlanOne(size_t i) {
    const RecordUpdate& u = updates_[i];
    UpdateOutcome& out = outcomes_[i];
    if (c_.changed_remotely_.count(u.native_id) != 0) {
      out.status = Aborted(std::string(kUpdateContext) + ": " + u.native_id +
                           ": changed in Dynamics 365 since it was read; waiting for the change "
                           "to be read and reconciled");
      co_return std::nullopt;
    }
    auto it = c_.rows_.find(u.native_id);
    if (it == c_.rows_.end()) {
      auto row = co_await c_.ReadRowById(u.native_id);
      if (!row.ok()) {
        out.status = row.status();
        NoteCallError(row.status());
        co_return std::nullopt;
      }
      any_response_ = true;
      if (!row->has_value()) {
        out.status = NotFound(std::string(kUpdateContext) + ": opportunity " + u.native_id +
                              " does not exist");
        co_return std::nullopt;
      }
      auto state = ReadRowState(**row, c_.settings_);
      if (!state.ok()) {
        out.status = Unavailable(std::string(kUpdateContext) + ": " + state.status().message());
        co_return std::nullopt;
      }
      it = c_.rows_.emplace(u.native_id, std::move(*state)).first;
    }
    auto plan = PlanUpdate(u, it->second, c_.settings_, c_.stages_, c_.allow_reopen_,
                           [this](const std::string& iso) { return c_.CurrencyIdOf(iso); });
    if (!plan.ok()) {
      out.status = plan.status().Annotate(std::string(kUpdateContext) + ": " + u.native_id);
      co_return std::nullopt;
    }
    if (plan->empty()) {
      out.status = Status::Ok();  // already holds the target values
      co_return std::nullopt;
    }
    co_return Planned{i, u.native_id, it->second.etag, std::move(*plan)};
  }

  void NoteCallError(const Status& s) { last_call_error_ = s; }

  std::string PatchUrl(const std::string& id) const {
    return c_.ApiUrl("/opportunities(" + id + ")?$select=" + UrlEncode("modifiedon,statecode"));
  }
  std::string ActionUrl(const Planned& p) const {
    return c_.ApiUrl(p.plan.close == UpdatePlan::Close::kWin ? "/WinOpportunity"
                                                             : "/LoseOpportunity");
  }
  std::string ActionBody(const Planned& p) const {
    return CloseActionBody(p.id, c_.settings_, p.plan.close == UpdatePlan::Close::kWin).dump();
  }
  HttpHeaders PatchHeaders(const Planned& p) const {
    return {{"If-Match", p.etag}, {"Prefer", "return=representation"}};
  }

  // A PATCH answered 2xx: remember the new etag, report modifiedon.
  void PatchSucceeded(const Planned& p, const HttpResponse& r) {
    UpdateOutcome& out = outcomes_[p.index];
    json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_discarded() && body.is_object()) {
      if (auto etag = StringOf(body.value("@odata.etag", json())); etag) {
        c_.rows_[p.id].etag = *etag;
      }
      if (auto m = StringOf(body.value("modifiedon", json())); m) {
        if (auto t = ParseTimestamp(*m); t.ok()) {
          out.modified_at = *t;
        }
      }
    }
    if (p.plan.patch.contains("statecode")) {
      c_.rows_[p.id].statecode = 0;
    }
    if (p.plan.patch.contains("transactioncurrencyid@odata.bind")) {
      c_.rows_.erase(p.id);  // the currency id is read again with the row
    }
  }

  void Failed(const Planned& p, const Status& s) {
    outcomes_[p.index].status = s;
    if (s.code() == StatusCode::kAborted) {
      // If-Match failed: someone edited the row. Never retry with a fresh etag
      // here; the edit must be read and reconciled first.
      c_.rows_.erase(p.id);
      c_.changed_remotely_.insert(p.id);
      c_.log_->info("dynamics365 update {}: changed since read (412); re-read before writing",
                    p.id);
    }
  }

  Awaitable<void> SendOne(Planned p) {
    const std::string context = std::string(kUpdateContext) + ": " + p.id;
    Result<HttpResponse> r =
        co_await c_.SendJson("PATCH", PatchUrl(p.id), p.plan.patch.dump(), PatchHeaders(p));
    if (!r.ok()) {
      NoteCallError(r.status());
      Failed(p, r.status().Annotate(context));
      co_return;
    }
    any_response_ = true;
    if (!r->ok()) {
      Failed(p, ODataError(*r, context));
      co_return;
    }
    PatchSucceeded(p, *r);
    if (p.plan.close != UpdatePlan::Close::kNone) {
      Result<HttpResponse> a = co_await c_.SendJson("POST", ActionUrl(p), ActionBody(p), {});
      if (!a.ok()) {
        Failed(p, a.status().Annotate(context));
        co_return;
      }
      if (!a->ok()) {
        Failed(p, ODataError(*a, context));
        co_return;
      }
      c_.rows_.erase(p.id);  // closed: its next version is read again
      outcomes_[p.index].modified_at.reset();
    }
    outcomes_[p.index].status = Status::Ok();
  }

  Awaitable<void> SendBatch(std::vector<Planned> chunk) {
    std::vector<ChangeSet> sets;
    for (const Planned& p : chunk) {
      ChangeSet cs;
      HttpHeaders patch_headers = {{"Content-Type", "application/json"}};
      for (auto& h : PatchHeaders(p)) {
        patch_headers.push_back(h);
      }
      cs.push_back({"PATCH", PatchUrl(p.id), patch_headers, p.plan.patch.dump()});
      if (p.plan.close != UpdatePlan::Close::kNone) {
        cs.push_back({"POST", ActionUrl(p), {{"Content-Type", "application/json"}}, ActionBody(p)});
      }
      sets.push_back(std::move(cs));
    }
    const std::string boundary = "batch_dealsync_" + std::to_string(++c_.batch_serial_);
    HttpRequest request;
    request.method = "POST";
    request.url = c_.ApiUrl("/$batch");
    request.timeout = c_.timeout_;
    request.headers = {{"Accept", "application/json"},
                       {"OData-MaxVersion", "4.0"},
                       {"OData-Version", "4.0"},
                       {"Prefer", "odata.continue-on-error"},
                       {"Content-Type", "multipart/mixed; boundary=" + boundary}};
    request.body = BuildBatchBody(sets, boundary);
    const std::string context = std::string(kUpdateContext) + " $batch";
    Result<HttpResponse> r = co_await c_.transport_.Send(std::move(request));
    Status whole;
    if (!r.ok()) {
      NoteCallError(r.status());
      whole = r.status().Annotate(context);
    } else if (!r->ok()) {
      any_response_ = true;
      whole = ODataError(*r, context);
      NoteCallError(whole);
    }
    std::vector<std::vector<EmbeddedResponse>> results;
    if (whole.ok()) {
      any_response_ = true;
      auto parsed = ParseBatchResponse(r->header("Content-Type").value_or(""), r->body);
      if (!parsed.ok()) {
        whole = parsed.status().Annotate(context);
      } else if (parsed->size() != chunk.size()) {
        whole = Unavailable(context + ": " + std::to_string(parsed->size()) +
                            " change set results for " + std::to_string(chunk.size()));
      } else {
        results = std::move(*parsed);
      }
    }
    for (size_t k = 0; k < chunk.size(); ++k) {
      const Planned& p = chunk[k];
      const std::string record_context = std::string(kUpdateContext) + ": " + p.id;
      if (!whole.ok()) {
        Failed(p, whole);
        continue;
      }
      const std::vector<EmbeddedResponse>& set = results[k];
      const size_t expected = p.plan.close == UpdatePlan::Close::kNone ? 1 : 2;
      if (set.size() == 1 && !set[0].response.ok()) {
        Failed(p, ODataError(set[0].response, record_context));  // the change set rolled back
        continue;
      }
      if (set.size() != expected) {
        Failed(p,
               Unavailable(record_context + ": " + std::to_string(set.size()) +
                           " responses in its change set, expected " + std::to_string(expected)));
        continue;
      }
      PatchSucceeded(p, set[0].response);
      if (expected == 2) {
        c_.rows_.erase(p.id);
        outcomes_[p.index].modified_at.reset();
      }
      outcomes_[p.index].status = Status::Ok();
    }
  }

  Dynamics365Connector& c_;
  std::vector<RecordUpdate> updates_;
  std::vector<UpdateOutcome> outcomes_;
  bool any_response_ = false;
  Status last_call_error_;
};

Awaitable<Result<std::vector<UpdateOutcome>>> Dynamics365Connector::Update(
    std::vector<RecordUpdate> updates) {
  UpdateRun run(*this, std::move(updates));
  co_return co_await run.Run();
}

}  // namespace dealsync::connectors::dynamics365
