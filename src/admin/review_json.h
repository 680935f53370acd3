// Helpers of the review API: the JSON views of conflicts, records, push state
// and sync health it answers with.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dealsync/config.h"
#include "dealsync/engine.h"
#include "dealsync/http.h"
#include "dealsync/sync_records.h"
#include "src/admin/admin_json.h"

namespace dealsync::review {

using admin::JoinPath;
using admin::ParseTarget;
using admin::Target;

// The admin API's conflict JSON plus age_days, value_at_stake (reporting currency text).
nlohmann::json ConflictSummary(const Conflict& c, const CurrencyRates& rates, Timestamp now);
nlohmann::json RecordToJson(const Opportunity& o);
// One line of a conflict's history: what happened, who, when, why.
nlohmann::json HistoryEntry(const Conflict& c);
// What a person did to a link's deals (linked, not the same deal, push retried...).
nlohmann::json ActionToJson(const OperatorAction& a);
nlohmann::json RejectedToJson(const RejectedRecord& r);
// The pushes of the conflict's two records: queued (attempts, last error),
// dead-lettered, or none waiting (sent and acknowledged, or nothing to send).
nlohmann::json PushStateFor(SyncEngine& engine, const Config& config, const Conflict& c);
nlohmann::json OutboxToJson(const OutboxEntry& e, std::string_view state);

// The "ids" array of a bulk request ({"ids": [...]} with 1 to 500 items), or
// nullptr when `body` is not of that shape.
const nlohmann::json* BulkIds(const nlohmann::json& body);
// "<source>/<record>" split at its first '/' (a record id may hold more);
// nullopt when `id` is no string or either part is empty.
std::optional<std::pair<std::string, std::string>> SplitQualifiedId(const nlohmann::json& id);

// Money in minor units of `currency` as "1234.50 USD".
std::string MinorText(int64_t minor, const std::string& currency);

}  // namespace dealsync::review
