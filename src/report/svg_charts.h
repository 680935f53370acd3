// Inline SVG charts for the HTML report. Integer geometry, no scripts, text
// escaped; each chart carries a <title> and role="img" for screen readers.
#pragma once

#include <string>
#include <vector>

#include "dealsync/report_model.h"

namespace dealsync::report_internal {

// Horizontal paired bars: each partner's open pipeline as the vendor sees it
// and as the partner sees it (reporting currency).
std::string PipelineByPartnerSvg(const std::vector<PartnerReview>& partners,
                                 const std::string& currency);

// Vertical paired bars: deals in each stage, vendor view vs partner view.
std::string StageDistributionSvg(const SideMetrics& vendor, const SideMetrics& partner,
                                 const std::string& title);

// "1.2M", "350k", "980" — a short axis/bar label for minor units.
std::string ShortAmount(int64_t minor, const std::string& currency);

}  // namespace dealsync::report_internal
