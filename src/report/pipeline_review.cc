#include "src/report/pipeline_review.h"

#include <algorithm>
#include <map>
#include <set>

namespace dealsync::report_internal {
namespace {

using std::chrono::days;
using std::chrono::floor;

int64_t DaysBetween(Timestamp from, Timestamp to) {
  return floor<days>(to - from).count();
}

CalendarDate Today(Timestamp now) {
  return CalendarDate::FromSysDays(floor<days>(now));
}

int64_t DaysBetween(const CalendarDate& from, const CalendarDate& to) {
  return (to.ToSysDays() - from.ToSysDays()).count();
}

std::string DateOf(Timestamp t) {
  return FormatDate(CalendarDate::FromSysDays(floor<days>(t)));
}

std::string StageText(std::optional<Stage> s) {
  return s ? std::string(StageName(*s)) : std::string("no stage");
}

bool IsOpen(const Opportunity& o) {
  return !o.stage || !IsTerminal(*o.stage);
}

using RecordIndex = std::map<std::string, const Opportunity*, std::less<>>;

RecordIndex IndexById(const std::vector<const Opportunity*>& records) {
  RecordIndex index;
  for (const Opportunity* r : records) {
    index.emplace(r->native_id, r);
  }
  return index;
}

const Opportunity* Find(const RecordIndex& index, const std::string& id) {
  auto it = index.find(id);
  return it == index.end() ? nullptr : it->second;
}

// Lists open deals of one side that have sat in their stage too long.
void AddStalled(const ReportInput& input, const std::vector<const Opportunity*>& records,
                const std::string& side, const std::map<std::string, std::string>& other_ids,
                ReportingConverter& money, std::vector<DealLine>& out) {
  for (const Opportunity* r : records) {
    if (!IsOpen(*r)) {
      continue;
    }
    auto entered_it = input.stage_entered_at.find(StageEntryKey(r->source, r->native_id));
    const Timestamp entered =
        entered_it == input.stage_entered_at.end() ? r->modified_at : entered_it->second;
    if (input.now - entered <= input.stalled_after) {
      continue;
    }
    auto other = other_ids.find(r->native_id);
    DealLine line = MakeDealLine(*r, side, other == other_ids.end() ? "" : other->second, money);
    line.days = DaysBetween(entered, input.now);
    line.detail = "in " + StageText(r->stage) + " for " + std::to_string(line.days) +
                  " days, unchanged since " + DateOf(entered);
    out.push_back(std::move(line));
  }
}

// Lists open deals of one side whose close date has already passed.
void AddPastDue(const ReportInput& input, const std::vector<const Opportunity*>& records,
                const std::string& side, const std::map<std::string, std::string>& other_ids,
                ReportingConverter& money, std::vector<DealLine>& out) {
  const CalendarDate today = Today(input.now);
  for (const Opportunity* r : records) {
    if (!IsOpen(*r) || !r->close_date || !(*r->close_date < today)) {
      continue;
    }
    auto other = other_ids.find(r->native_id);
    DealLine line = MakeDealLine(*r, side, other == other_ids.end() ? "" : other->second, money);
    line.days = DaysBetween(*r->close_date, today);
    line.detail = "close date " + FormatDate(*r->close_date) + " passed " +
                  std::to_string(line.days) + " days ago; still open in " + StageText(r->stage);
    out.push_back(std::move(line));
  }
}

const FieldChange& ChangeOf(const Conflict& c, bool vendor_side) {
  return vendor_side ? c.vendor : c.partner_change;
}

DealLine ConflictDealLine(const Conflict& c, bool vendor_side, const RecordIndex& vendor_index,
                          const RecordIndex& partner_index, ReportingConverter& money) {
  const std::string& own_id = vendor_side ? c.vendor_id : c.partner_id;
  const std::string& other_id = vendor_side ? c.partner_id : c.vendor_id;
  const Opportunity* record = Find(vendor_side ? vendor_index : partner_index, own_id);
  DealLine line;
  if (record != nullptr) {
    line = MakeDealLine(*record, vendor_side ? "vendor" : "partner", other_id, money);
  } else {
    line.side = vendor_side ? "vendor" : "partner";
    line.native_id = own_id;
    line.other_id = other_id;
  }
  line.name = c.deal_name;
  line.account = c.account;
  return line;
}

// Describes a stage move as a skip or regression; "" when it is neither.
std::string ClassifyStageMove(Stage from, Stage to, int skip_threshold) {
  if (IsTerminal(from) && to != from) {
    return IsTerminal(to) ? "closed outcome changed" : "reopened";
  }
  if (!IsTerminal(to) && StageOrdinal(to) < StageOrdinal(from)) {
    return "moved back " + std::to_string(StageOrdinal(from) - StageOrdinal(to)) + " stage(s)";
  }
  const int jump = StageOrdinal(to) - StageOrdinal(from);
  if (to != Stage::kClosedLost && jump > skip_threshold) {
    return "skipped " + std::to_string(jump - 1) + " stage(s)";
  }
  return "";
}

void AddConflictFindings(const Conflict& c, const ReportPartnerInfo& partner,
                         const RecordIndex& vendor_index, const RecordIndex& partner_index,
                         ReportingConverter& money, PartnerReview& review) {
  for (bool vendor_side : {true, false}) {
    const FieldChange& change = ChangeOf(c, vendor_side);
    const std::string who = vendor_side ? "vendor" : "partner";
    const std::string when =
        change.modified_at == Timestamp{} ? "" : " on " + DateOf(change.modified_at);
    if (c.field == Field::kStage) {
      std::optional<Stage> from = ParseStage(c.base_value);
      std::optional<Stage> to = ParseStage(change.value);
      if (!from || !to || *from == *to) {
        continue;
      }
      const std::string kind = ClassifyStageMove(*from, *to, partner.skip_flag_threshold);
      if (kind.empty()) {
        continue;
      }
      DealLine line = ConflictDealLine(c, vendor_side, vendor_index, partner_index, money);
      line.stage = *to;
      line.detail = who + " moved stage " + std::string(StageName(*from)) + " -> " +
                    std::string(StageName(*to)) + when + " (" + kind + ")";
      review.stage_moves.push_back(std::move(line));
    } else if (c.field == Field::kCloseDate) {
      Result<CalendarDate> from = ParseDate(c.base_value);
      Result<CalendarDate> to = ParseDate(change.value);
      if (!from.ok() || !to.ok() || !(*from < *to)) {
        continue;
      }
      DealLine line = ConflictDealLine(c, vendor_side, vendor_index, partner_index, money);
      line.close_date = *to;
      line.days = DaysBetween(*from, *to);
      line.detail = who + " moved close date " + FormatDate(*from) + " -> " + FormatDate(*to) +
                    when + " (" + std::to_string(line.days) + " days later)";
      review.slipped.push_back(std::move(line));
    }
  }
}

template <typename Less>
void SortLines(std::vector<DealLine>& lines, Less less) {
  std::stable_sort(lines.begin(), lines.end(), less);
}

bool ByDaysThenName(const DealLine& a, const DealLine& b) {
  if (a.days != b.days) {
    return a.days > b.days;
  }
  return std::tie(a.name, a.side, a.native_id) < std::tie(b.name, b.side, b.native_id);
}

bool ByAmountThenName(const DealLine& a, const DealLine& b) {
  const int64_t av = a.amount_minor.value_or(-1);
  const int64_t bv = b.amount_minor.value_or(-1);
  if (av != bv) {
    return av > bv;
  }
  return std::tie(a.name, a.native_id) < std::tie(b.name, b.native_id);
}

}  // namespace

DealLine MakeDealLine(const Opportunity& record, std::string side, std::string other_id,
                      ReportingConverter& money) {
  DealLine line;
  line.side = std::move(side);
  line.native_id = record.native_id;
  line.other_id = std::move(other_id);
  line.name = record.name;
  line.account = record.account;
  line.stage = record.stage;
  line.amount = record.amount;
  line.amount_minor = money.ToMinor(record.amount);
  line.close_date = record.close_date;
  return line;
}

void FinishRates(SideMetrics& m) {
  const int closed = m.won_deals + m.lost_deals;
  m.win_rate_bp.reset();
  m.average_won_minor.reset();
  if (closed > 0) {
    m.win_rate_bp = DivRound(int64_t{m.won_deals} * 10000, closed);
  }
  if (m.won_deals > 0) {
    m.average_won_minor = DivRound(m.won_minor, m.won_deals);
  }
}

SideMetrics ComputeSideMetrics(const std::vector<const Opportunity*>& records,
                               std::optional<int64_t> target_minor, ReportingConverter& money) {
  SideMetrics m;
  int64_t weighted_percent_minor = 0;  // sum of amount x percent; divided by 100 once at the end
  for (const Opportunity* r : records) {
    ++m.deals;
    const std::optional<int64_t> amount = money.ToMinor(r->amount);
    if (!amount) {
      ++m.unpriced;
    }
    if (r->stage) {
      const int stage_index = static_cast<int>(*r->stage);
      ++m.in_stage[stage_index];
      if (*r->stage != Stage::kClosedLost) {
        for (int i = 0; i <= std::min(stage_index, static_cast<int>(Stage::kClosedWon)); ++i) {
          ++m.reached[i];
        }
      }
    }
    if (r->stage == Stage::kClosedWon) {
      ++m.won_deals;
      m.won_minor += amount.value_or(0);
    } else if (r->stage == Stage::kClosedLost) {
      ++m.lost_deals;
    } else {
      ++m.open_deals;
      m.pipeline_minor += amount.value_or(0);
      const int percent = r->stage ? DefaultProbabilityPercent(*r->stage) : 0;
      weighted_percent_minor += amount.value_or(0) * percent;
    }
  }
  m.weighted_minor = DivRound(weighted_percent_minor, 100);
  FinishRates(m);
  if (target_minor && *target_minor > 0) {
    m.coverage_bp = DivRound(m.pipeline_minor * 10000, *target_minor);
  }
  return m;
}

void AccumulateSideMetrics(const SideMetrics& part, SideMetrics& total) {
  total.deals += part.deals;
  total.open_deals += part.open_deals;
  total.pipeline_minor += part.pipeline_minor;
  total.weighted_minor += part.weighted_minor;
  total.won_deals += part.won_deals;
  total.lost_deals += part.lost_deals;
  total.won_minor += part.won_minor;
  total.unpriced += part.unpriced;
  for (int i = 0; i < kStageCount; ++i) {
    total.in_stage[i] += part.in_stage[i];
    total.reached[i] += part.reached[i];
  }
  FinishRates(total);
}

PartnerReview BuildPartnerReview(const ReportInput& input, const ReportPartnerInfo& partner,
                                 const std::vector<const Conflict*>& conflicts,
                                 std::optional<int64_t> target_minor, ReportingConverter& money) {
  PartnerReview review;
  review.id = partner.id;
  review.name = partner.name;

  std::map<std::string, std::string> partner_by_vendor;  // linked ids, both directions
  std::map<std::string, std::string> vendor_by_partner;
  for (const Link& link : input.links) {
    if (link.partner == partner.id) {
      partner_by_vendor.emplace(link.vendor_id, link.partner_id);
      vendor_by_partner.emplace(link.partner_id, link.vendor_id);
    }
  }
  std::vector<const Opportunity*> vendor_records;
  for (const Opportunity& r : input.vendor_records) {
    if (!r.deleted && partner_by_vendor.count(r.native_id) > 0) {
      vendor_records.push_back(&r);
    }
  }
  std::vector<const Opportunity*> partner_records;
  for (const Opportunity& r : input.partner_records) {
    if (!r.deleted && r.source == partner.id) {
      partner_records.push_back(&r);
      if (vendor_by_partner.count(r.native_id) == 0) {
        review.only_partner.push_back(MakeDealLine(r, "partner", "", money));
        review.only_partner.back().detail =
            "not registered with the vendor / no linked vendor deal";
      }
    }
  }
  review.linked_deals = static_cast<int>(partner_by_vendor.size());
  review.vendor = ComputeSideMetrics(vendor_records, target_minor, money);
  review.partner = ComputeSideMetrics(partner_records, target_minor, money);
  review.pipeline_diff_minor = review.partner.pipeline_minor - review.vendor.pipeline_minor;
  review.weighted_diff_minor = review.partner.weighted_minor - review.vendor.weighted_minor;

  AddStalled(input, vendor_records, "vendor", partner_by_vendor, money, review.stalled);
  AddStalled(input, partner_records, "partner", vendor_by_partner, money, review.stalled);
  const RecordIndex vendor_index = IndexById(vendor_records);
  const RecordIndex partner_index = IndexById(partner_records);
  for (const Conflict* c : conflicts) {
    switch (c->status) {
      case ConflictStatus::kHeldForReview:
        ++review.held_conflicts;
        break;
      case ConflictStatus::kAutoResolved:
        ++review.auto_resolved_conflicts;
        break;
      case ConflictStatus::kResolvedByOperator:
        ++review.operator_resolved_conflicts;
        break;
    }
    AddConflictFindings(*c, partner, vendor_index, partner_index, money, review);
  }
  AddPastDue(input, vendor_records, "vendor", partner_by_vendor, money, review.slipped);
  AddPastDue(input, partner_records, "partner", vendor_by_partner, money, review.slipped);

  SortLines(review.only_partner, ByAmountThenName);
  SortLines(review.stalled, ByDaysThenName);
  SortLines(review.slipped, ByDaysThenName);
  return review;
}

}  // namespace dealsync::report_internal
