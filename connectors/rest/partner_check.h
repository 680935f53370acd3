// Partner check: the onboarding loop behind `dealsyncctl partner check`.
//
// Builds the partner's connector, fetches the first page of its list endpoint,
// shows how the first records map to the canonical model (canonical field,
// native JSON pointer, native value, canonical value), reads one record back
// through the get endpoint, and shows the update body that *would* be sent -
// without sending it. Every failure names the field, pointer and value and
// says what to change in the partner file. Nothing destructive is tried.
//
// Works for every connector (it only uses the Connector interface and the
// shared RecordMapper); it lives beside the rest connector because that is the
// one partners configure by hand.
// Thread-safety: one call at a time per transport.
#pragma once

#include <cstddef>
#include <string>

#include "dealsync/asio.h"
#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/http.h"

namespace dealsync {

// Exit codes of `dealsyncctl partner check` (78 = EX_CONFIG, as for dealsyncd).
inline constexpr int kPartnerCheckOk = 0;
inline constexpr int kPartnerCheckFailed = 1;
inline constexpr int kPartnerCheckConfigInvalid = 78;

struct PartnerCheckResult {
  int exit_code = kPartnerCheckOk;
  std::string report;  // human-readable, several lines; never contains a secret
};

// `transport` is the connector's full stack (auth, rate limit, retry) for `source`.
Awaitable<PartnerCheckResult> RunPartnerCheck(const SourceConfig& source,
                                              const ConnectorRegistry& registry,
                                              HttpTransport& transport, Clock& clock,
                                              size_t sample_size = 3);

// What to change in the partner file for a failed list/get call (a hint line).
std::string PartnerCheckHint(const SourceConfig& source, const Status& failure);

}  // namespace dealsync
