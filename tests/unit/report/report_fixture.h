// The fixed dataset behind the report tests, the golden files and the demo
// screenshot: two partners, linked and one-sided deals, three currencies (one
// without a rate), conflicts in every status, and hostile text.
#pragma once

#include "dealsync/report.h"

namespace dealsync::testing {

// 2026-11-23T12:00:00Z
Timestamp FixtureNow();
ReportInput MakeFixedReportInput();

}  // namespace dealsync::testing
