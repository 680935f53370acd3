// GenericRestSim: a partner CRM with its own JSON API, in one of two shapes,
// from one record state:
//   kNorthwind (shape A): GET {base}/deals?updated_after=<ms>&limit=&cursor=,
//     GET/PATCH {base}/deals/{id}; X-Api-Key; epoch-ms dates; body cursor.
//   kContoso (shape B): POST {base}/oauth/token (client credentials),
//     GET {base}/v1/opportunities?modified_since=<ISO>&page=&per_page=,
//     GET {base}/v1/opportunities/{id}, POST {base}/v1/opportunities/batch
//     (<= 25 updates); bearer token; ISO dates; Link rel="next".
// Records are stored in one shape-neutral form (name, account, owner, stage,
// amount, currency, close_at, registration, vendor_ref); the control API uses
// that form. updated_at / lastModified come from the injected clock.
// Thread-safety: none.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/simulators/sim_core.h"

namespace dealsync::sim {

enum class RestShape { kNorthwind, kContoso };
Result<RestShape> ParseRestShape(std::string_view name);

struct GenericRestSimConfig {
  RestShape shape = RestShape::kNorthwind;
  std::string base_path;                              // e.g. "/api/v2"; "" serves at the root
  std::string public_base_url = "https://127.0.0.1";  // for Link headers (host sets it)
  std::string api_key = "northwind-api-key";          // kNorthwind
  std::string client_id = "contoso-client";           // kContoso
  std::string client_secret = "contoso-secret";
  std::chrono::seconds token_lifetime{3600};
  int default_page_size = 50;
  int max_page_size = 100;
  int max_batch_updates = 25;
  int close_offset_minutes = -300;  // kContoso renders closeDate at this UTC offset
  int rate_limit_per_minute = 600;
  std::vector<std::string> stages;  // empty: the shape's default picklist
};

class GenericRestSim final : public Simulator {
 public:
  GenericRestSim(Clock& clock, Random& random, GenericRestSimConfig config = {});
  const GenericRestSimConfig& config() const { return config_; }
  void set_public_base_url(std::string url) { config_.public_base_url = std::move(url); }
  std::string IssueToken();  // kContoso: a valid bearer token without the OAuth round trip

  // Control shape: {"id"?, "name", "account", "owner", "stage", "amount" (decimal
  // string), "currency", "close_at" (ISO datetime or date), "registration",
  // "vendor_ref", plus optional "modified_at"/"visible_at"/"created_at"/"deleted"}.
  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  // The record as this shape's API renders it, plus "visible_at".
  Json ControlView(const SimRecord& r) const override;

  void SetPublicBaseUrl(const std::string& url) override { config_.public_base_url = url; }

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;
  void ExpireTokens() override { tokens_.clear(); }
  std::string EndpointLabel(const HttpRequest& request, const RequestTarget& t) const override;

 private:
  HttpResponse ServeNorthwind(const HttpRequest& request, const RequestTarget& target,
                              const std::string& path);
  HttpResponse ServeContoso(const HttpRequest& request, const RequestTarget& target,
                            const std::string& path);
  HttpResponse NorthwindList(const HttpRequest& request, const RequestTarget& target);
  HttpResponse NorthwindPatch(const HttpRequest& request, const RequestTarget& target,
                              const std::string& id);
  HttpResponse ContosoToken(const HttpRequest& request, const RequestTarget& target);
  HttpResponse ContosoList(const HttpRequest& request, const RequestTarget& target);
  HttpResponse ContosoBatch(const HttpRequest& request, const RequestTarget& target);
  HttpResponse Error(const HttpRequest& request, const RequestTarget& target, int status,
                     const std::string& code, const std::string& message, bool benign = false);
  Json Render(const SimRecord& r) const;
  // Visible records with modified >= since, ordered by (modified, id).
  std::vector<const SimRecord*> ChangedSince(Timestamp since) const;
  bool ValidStage(const std::string& s) const;
  std::string RenderId(const std::string& id) const;

  GenericRestSimConfig config_;
  std::map<std::string, Timestamp> tokens_;
  uint64_t next_id_ = 1;
  Timestamp window_start_{};
  int window_used_ = 0;
};

}  // namespace dealsync::sim
