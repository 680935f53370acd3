// The joint pipeline review of one partner: both sides' metrics and the lists
// of deals worth discussing. Pure functions over the report input.
#pragma once

#include <string>
#include <vector>

#include "dealsync/report.h"
#include "src/report/report_money.h"

namespace dealsync::report_internal {

// Metrics of one side over `records` (deleted records must already be removed).
// `target_minor` is the pipeline target in the reporting currency, if any.
SideMetrics ComputeSideMetrics(const std::vector<const Opportunity*>& records,
                               std::optional<int64_t> target_minor, ReportingConverter& money);

// Adds `part` into `total` (counts and money; rates recomputed; coverage left empty).
void AccumulateSideMetrics(const SideMetrics& part, SideMetrics& total);
void FinishRates(SideMetrics& metrics);

// Builds the review of `partner`; conflicts are every conflict of this partner.
PartnerReview BuildPartnerReview(const ReportInput& input, const ReportPartnerInfo& partner,
                                 const std::vector<const Conflict*>& conflicts,
                                 std::optional<int64_t> target_minor, ReportingConverter& money);

// A deal line for `record` (amount converted, detail left empty).
DealLine MakeDealLine(const Opportunity& record, std::string side, std::string other_id,
                      ReportingConverter& money);

}  // namespace dealsync::report_internal
