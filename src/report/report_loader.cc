// LoadReportInput: reads what a report needs from the SyncEngine, once.
#include <filesystem>

#include "dealsync/config.h"
#include "dealsync/engine.h"
#include "dealsync/report.h"

namespace dealsync {
namespace {

Status CollectRecords(SyncEngine& engine, const std::string& source,
                      std::vector<Opportunity>& out) {
  return engine
      .ScanRecords(source,
                   [&out](const Opportunity& record) {
                     out.push_back(record);
                     return true;
                   })
      .Annotate("reading records of " + source);
}

}  // namespace

Result<ReportInput> LoadReportInput(SyncEngine& engine, const Config& config, Timestamp now) {
  ReportInput input;
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(config.dir, ec);
  input.config_dir = ec ? config.dir : dir.lexically_normal().string();
  while (input.config_dir.size() > 1 && input.config_dir.back() == '/') {
    input.config_dir.pop_back();
  }
  input.rates = config.daemon.rates;
  input.stalled_after = config.daemon.stalled_after;
  input.pipeline_target = config.daemon.pipeline_target;
  input.now = now;
  DEALSYNC_RETURN_IF_ERROR(CollectRecords(engine, config.vendor.id, input.vendor_records));
  for (const SourceConfig& partner : config.partners) {
    input.partners.push_back({partner.id, partner.name.empty() ? partner.id : partner.name,
                              partner.policy.stage.skip_flag_threshold});
    Result<std::vector<Link>> links = engine.ListLinks(partner.id);
    if (!links.ok()) {
      return links.status().Annotate("reading links of " + partner.id);
    }
    input.links.insert(input.links.end(), links->begin(), links->end());
    DEALSYNC_RETURN_IF_ERROR(CollectRecords(engine, partner.id, input.partner_records));
  }
  Result<std::vector<Conflict>> conflicts = engine.ListConflicts(ConflictFilter{});
  if (!conflicts.ok()) {
    return conflicts.status().Annotate("reading conflicts");
  }
  input.conflicts = std::move(*conflicts);
  // Stage-entry times: the engine exposes no per-stage history, so each record's
  // modified_at stands in (BuildReport's fallback); nothing to add here.
  return input;
}

}  // namespace dealsync
