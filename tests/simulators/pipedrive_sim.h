// PipedriveSim: the Pipedrive API v2 deals endpoints, built from Pipedrive's
// public documentation (https://developers.pipedrive.com/docs/api/v1/Deals,
// v2 endpoints, and the generated client pipedrive/client-nodejs):
//   GET   /api/v2/deals        updated_since / updated_until (RFC 3339, whole
//                              seconds), limit <= 500, opaque cursor, sort_by,
//                              sort_direction, status, id filters
//   GET   /api/v2/deals/{id}
//   PATCH /api/v2/deals/{id}   strict v2 types (no string -> number coercion),
//                              custom fields only inside "custom_fields"
// v2 has no bulk deal update, so there is no batch route: one PATCH per deal.
// Every request needs the x-api-token header. update_time comes from the
// injected clock at every write and is kept (and compared) to whole seconds,
// as Pipedrive renders it. Every answer carries x-ratelimit-* headers for the
// per-token 2-second window.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/simulators/sim_core.h"

namespace dealsync::sim {

// Custom field keys are 40-hex-character hashes on Pipedrive; these fake ones
// are the keys config/examples/partners/pipedrive.toml maps.
inline constexpr char kPipedriveDealRegistrationIdKey[] =
    "0d3c9f1a7b2e4c5d6e7f8091a2b3c4d5e6f70819";
inline constexpr char kPipedriveVendorOpportunityIdKey[] =
    "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807";

// REQUIRES: `stages` and `currencies` non-empty (new deals take the first of each).
struct PipedriveSimConfig {
  std::string api_token = "pipedrive-api-token";
  int default_limit = 100;
  int max_limit = 500;
  int64_t pipeline_id = 1;  // the one pipeline; every stage below belongs to it
  std::vector<std::pair<int64_t, std::string>> stages{{1, "Lead In"},
                                                      {2, "Contact Made"},
                                                      {3, "Demo Scheduled"},
                                                      {4, "Proposal Made"},
                                                      {5, "Negotiations Started"}};
  std::vector<std::string> currencies{"EUR", "USD", "GBP"};
  // Custom field name -> its 40-hex key.
  std::map<std::string, std::string> custom_fields{
      {"Deal registration ID", kPipedriveDealRegistrationIdKey},
      {"Vendor opportunity ID", kPipedriveVendorOpportunityIdKey}};
  int rate_limit_per_2s = 80;
  bool enforce_rate_limit = false;  // answer 429 past it (off: tests run in zero time)
};

class PipedriveSim final : public Simulator {
 public:
  PipedriveSim(Clock& clock, Random& random, PipedriveSimConfig config = {});
  const PipedriveSimConfig& config() const { return config_; }

  // Native control shape: the v2 deal fields ("id"?, "title", "owner_id",
  // "person_id", "org_id", "pipeline_id", "stage_id", "value", "currency",
  // "status", "expected_close_date", "lost_reason", "custom_fields" by key,
  // "won_time"/"lost_time"/"close_time", "add_time"/"update_time",
  // "is_deleted"), validated like the API, plus optional "modified_at",
  // "visible_at", "created_at", "deleted". ControlView() output loads back.
  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  // The deal as the API renders it, plus "visible_at".
  Json ControlView(const SimRecord& r) const override;

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;
  std::string EndpointLabel(const HttpRequest& request, const RequestTarget& t) const override;

 private:
  // Why a request (or control edit) is refused.
  struct Problem {
    std::string rule;     // the violation's rule
    std::string message;  // the body's "error"
    bool schema = true;   // ERR_SCHEMA_VALIDATION_FAILED body, else the general error body
  };
  // Where a page ended, in the order the list was sorted.
  struct PageCursor {
    std::string sort_by;
    bool descending = false;
    std::pair<int64_t, int64_t> last;  // (sort key, id) of the last deal served
  };
  struct ListQuery {
    std::optional<Timestamp> since, until;
    int limit = 0;
    std::string sort_by = "id";
    bool descending = false;
    std::set<std::string> statuses;
    std::map<std::string, int64_t> equals;  // owner_id, stage_id, ... filters
    std::optional<std::set<int64_t>> ids;
    std::optional<std::set<std::string>> custom_keys;
    std::optional<PageCursor> after;
  };

  HttpResponse List(const HttpRequest& request, const RequestTarget& target);
  HttpResponse GetOne(const HttpRequest& request, const RequestTarget& target,
                      const std::string& id);
  HttpResponse Patch(const HttpRequest& request, const RequestTarget& target,
                     const std::string& id);
  // The general error body ({"success":false,"error":..,"errorCode":..}); records
  // a violation under `rule` unless `benign`.
  HttpResponse Error(const HttpRequest& request, const RequestTarget& target, int status,
                     const std::string& rule, const std::string& message, bool benign = false);
  HttpResponse Refuse(const HttpRequest& request, const RequestTarget& target, const Problem& p);
  // "Validation failed: <path>: <what>" with the ERR_SCHEMA_VALIDATION_FAILED code.
  static Problem Schema(const std::string& path, const std::string& what);
  // Rejects query parameters outside `known`, repeated ones and the documented
  // ones the simulator does not model.
  static std::optional<Problem> CheckParams(const RequestTarget& target,
                                            const std::set<std::string>& known);

  std::optional<Problem> ParseListQuery(const RequestTarget& target, ListQuery& q) const;
  std::optional<Problem> ParseCustomKeys(const RequestTarget& target,
                                         std::optional<std::set<std::string>>& out) const;
  // Types and property names of a deal body; `control` also admits the
  // read-only fields and system overrides of the control shape.
  std::optional<Problem> CheckSchema(const Json& body, bool control) const;
  // Stage, pipeline and currency references, and lost_reason's status rule.
  std::optional<Problem> CheckRules(const Json& body, const Json& current) const;
  // Applies the deal fields of `body`; a status change stamps won/lost/close times at `when`.
  void ApplyDeal(SimRecord& r, const Json& body, Timestamp when) const;
  Status ApplyControl(SimRecord& r, const Json& native) const;
  Json NewDealFields() const;
  Json Render(const SimRecord& r, const std::optional<std::set<std::string>>& custom_keys) const;
  // Visible, and if deleted then within the 30 days Pipedrive keeps deleted deals.
  bool Readable(const SimRecord& r) const;
  void AdvanceWindow();

  PipedriveSimConfig config_;
  std::set<std::string> field_keys_;
  std::map<std::string, PageCursor> cursors_;
  uint64_t next_cursor_ = 1;
  int64_t next_id_ = 1;
  Timestamp window_start_{};
  int window_used_ = 0;
};

}  // namespace dealsync::sim
