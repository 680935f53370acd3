// ReviewApi: the channel managers' JSON API behind the review workspace, as a
// pure function of (request, signed-in principal). Every route checks the
// principal's role and partner scope itself; a partner-limited user never
// receives another partner's data (lists are filtered, single items answer 404).
//
//   GET    /api/v1/conflicts?status=&partner=&field=&q=&min_age_days=&min_value=
//                                   sorted by value at stake (largest first)
//   GET    /api/v1/conflicts/{id}   + both records, the link's conflict history, push state
//   POST   /api/v1/conflicts/{id}/resolve  {"take":"vendor"|"partner"|"value","value","reason"}
//   POST   /api/v1/conflicts/resolve       {"ids":[...],"take",...,"reason"}  (bulk)
//   GET    /api/v1/links?partner=
//   POST   /api/v1/links                   {"partner","vendor_id","partner_id"}
//   DELETE /api/v1/links/{id}              "not the same deal" (never re-made automatically)
//   POST   /api/v1/links/not-same-deal     {"partner","vendor_id","partner_id"}: two unlinked
//                                          records (e.g. an ambiguous match) are never paired
//   GET    /api/v1/unlinked?partner=       deals only one side has
//   GET    /api/v1/ambiguities             records whose link key matched several
//   GET    /api/v1/partners                per partner sync health and counts
//   GET    /api/v1/outbox?partner=         queued pushes
//   GET    /api/v1/deadletters?partner=&target=   pushes that gave up, with the full error
//   POST   /api/v1/deadletters/{target}/{record}/retry   queue it again, due now
//   DELETE /api/v1/deadletters/{target}/{record}         discard it (journaled under the user)
//   POST   /api/v1/deadletters/retry|discard  {"ids":["<target>/<record>",...]}   (bulk)
//   GET    /api/v1/rejects?partner=        records refused as unreadable, with the reason
//   POST   /api/v1/rejects/reread          {"ids":["<source>/<record>",...]}: read them again
//                                          (after the partner file was fixed); 202
//   POST   /api/v1/sources/{id}/rewind     role admin (then AdminApi's route)
//   GET    /api/v1/reports/{partner|all}?format=html|csv|pipeline-csv|json[&bom=1]
//
// Mutations need role resolver (or admin); "by" is always the principal's name,
// so every action is recorded under the person who did it.
// Thread-safety: as the engine (one thread).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/engine.h"
#include "dealsync/http.h"
#include "src/admin/admin_api.h"
#include "src/admin/auth.h"

namespace dealsync {

struct ReviewDeps {
  AdminBackend& backend;  // mutations go through it (the daemon wakes pushers, logs)
  SyncEngine& engine;     // reads
  std::function<const Config&()> config;
  Clock& clock;
};

class ReviewApi {
 public:
  explicit ReviewApi(ReviewDeps deps) : deps_(std::move(deps)) {}

  // nullopt when the path is not one of ReviewApi's routes.
  std::optional<HttpResponse> Handle(const HttpRequest& request, const Principal& who);

 private:
  HttpResponse ListConflicts(std::string_view query, const Principal& who);
  HttpResponse ConflictDetail(const std::string& id, const Principal& who);
  HttpResponse Resolve(const std::string& id, const std::string& body, const Principal& who);
  HttpResponse ResolveMany(const std::string& body, const Principal& who);
  HttpResponse Links(const HttpRequest& request, std::string_view query, const Principal& who);
  HttpResponse BreakLink(const std::string& id, const Principal& who);
  HttpResponse NotSameDeal(const std::string& body, const Principal& who);
  HttpResponse Unlinked(std::string_view query, const Principal& who);
  HttpResponse Ambiguities(const Principal& who);
  HttpResponse Partners(const Principal& who);
  HttpResponse Outbox(std::string_view query, const Principal& who);
  HttpResponse DeadLetters(std::string_view query, const Principal& who);
  // /api/v1/deadletters/... (review_deadletters.cc).
  HttpResponse DeadLetterRoute(const HttpRequest& request, const std::vector<std::string>& seg,
                               std::string_view query, const Principal& who);
  // A dead letter `who` may act on: its link's partner is one `who` sees.
  Status DeadLetterAction(const std::string& target, const std::string& record, bool retry,
                          const Principal& who);
  // /api/v1/rejects... (review_rejects.cc).
  HttpResponse RejectRoute(const HttpRequest& request, const std::vector<std::string>& seg,
                           std::string_view query, const Principal& who);
  HttpResponse Rejects(std::string_view query, const Principal& who);
  HttpResponse Reread(const std::string& body, const Principal& who);
  // Whether `who` may see records of `source` (the vendor's: only users who see every partner).
  bool SeesSource(std::string_view source, const Principal& who);
  HttpResponse Report(const std::string& partner, std::string_view query, const Principal& who);

  ReviewDeps deps_;
};

// The partner a conflict or link id belongs to (its first '/' component).
std::string PartnerOfId(std::string_view id);

}  // namespace dealsync
