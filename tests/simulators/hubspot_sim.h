// HubSpotSim: the HubSpot CRM v3 deals endpoints dealsync uses.
//   POST /crm/v3/objects/deals/search        filters, one sort, limit <= 200, after,
//                                            400 past the 10,000-result cap
//   POST /crm/v3/objects/deals/batch/read    <= 100 inputs, 207 for missing ids
//   POST /crm/v3/objects/deals/batch/update  <= 100 inputs, objectWriteTraceId,
//                                            207 multi-status for per-record errors
// Auth is a private-app bearer token. hs_lastmodifieddate is assigned from the
// injected clock on every write. Archived deals are invisible to search (as on
// HubSpot). Every answer carries the X-HubSpot-RateLimit-* headers.
// Thread-safety: none.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/simulators/sim_core.h"

namespace dealsync::sim {

struct HubSpotSimConfig {
  std::string private_app_token = "pat-na1-sim-token";
  std::vector<std::string> custom_properties{"vendor_registration_id", "vendor_opportunity_id"};
  // Pipeline id -> its dealstage ids.
  std::map<std::string, std::vector<std::string>> pipelines{
      {"default",
       {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
        "contractsent", "closedwon", "closedlost"}}};
  std::vector<std::string> currencies{"USD", "EUR", "GBP"};
  int search_cap = 10'000;
  int max_search_limit = 200;
  int max_batch_inputs = 100;
  int64_t daily_limit = 250'000;
  int ten_second_limit = 190;
  bool enforce_ten_second_limit = false;  // answer 429 past it (off: tests run in zero time)
};

class HubSpotSim final : public Simulator {
 public:
  HubSpotSim(Clock& clock, Random& random, HubSpotSimConfig config = {});
  const HubSpotSimConfig& config() const { return config_; }

  // Native control shape: {"id"?, "properties": {"dealname": .., ...}, "archived"?,
  // "modified_at"?, "visible_at"?, "created_at"?}.
  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  Json ControlView(const SimRecord& r) const override;

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;

 private:
  HttpResponse Search(const HttpRequest& request, const RequestTarget& target, const Json& body);
  HttpResponse BatchRead(const HttpRequest& request, const RequestTarget& target, const Json& body);
  HttpResponse BatchUpdate(const HttpRequest& request, const RequestTarget& target,
                           const Json& body);
  // {"status":"error","message":..,"correlationId":..,"category":..}; records a
  // violation unless `benign`.
  HttpResponse Error(const HttpRequest& request, const RequestTarget& target, int status,
                     const std::string& category, const std::string& message, bool benign = false);
  // Checks one property write; returns the HubSpot error code or "".
  std::string CheckProperty(const SimRecord* r, const Json& props, const std::string& name,
                            const Json& value) const;
  Json Render(const SimRecord& r, const std::vector<std::string>& properties) const;
  std::optional<std::string> PropertyValue(const SimRecord& r, const std::string& name) const;
  bool Known(const std::string& name) const { return known_.count(name) > 0; }
  std::string CorrelationId();
  static std::string TimeProperty(Timestamp t);

  HubSpotSimConfig config_;
  std::set<std::string> known_;
  uint64_t next_id_ = 1001;
  int64_t daily_used_ = 0;
  Timestamp window_start_{};
  int window_used_ = 0;
};

}  // namespace dealsync::sim
