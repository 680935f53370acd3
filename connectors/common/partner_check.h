// Partner check: the onboarding gate behind `dealsyncctl partner check`.
//
// Builds the partner's connector and, through the Connector interface only
// (so it serves every connector):
//  1. walks the whole list from the beginning, up to max_pages, and fails when
//     paging does not end or does not advance;
//  2. shows how the first records map to the canonical model (canonical field,
//     native JSON pointer, native value, canonical value) and fails on rejects;
//  3. for the generic connector (whose update body is the mapped patch),
//     compares the JSON types of the update body with the types read at the
//     same pointers ("4" written where 4 was read fails);
//  4. reads one record back through the get endpoint;
//  5. with write_test_id, writes that record's current values back unchanged,
//     reads it again and compares, proving the write path (auth, method,
//     envelope, content type, result parsing) without changing data.
// Every failure names the field, pointer or step and says what to change. The
// exit code is 0 only when every step that ran passed.
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

struct PartnerCheckOptions {
  size_t sample_size = 3;     // records whose mapping is shown
  size_t max_pages = 10000;   // a real first sync's worth of pages
  std::string write_test_id;  // "" = nothing is written
};

// `transport` is the connector's full stack (auth, rate limit, retry) for `source`.
Awaitable<PartnerCheckResult> RunPartnerCheck(const SourceConfig& source,
                                              const ConnectorRegistry& registry,
                                              HttpTransport& transport, Clock& clock,
                                              PartnerCheckOptions options = {});

// What to change in the partner file for a failed list/get call (a hint line).
std::string PartnerCheckHint(const SourceConfig& source, const Status& failure);

}  // namespace dealsync
