#include "tests/unit/engine/fake_crm.h"

#include <algorithm>
#include <charconv>

namespace dealsync::testing {

namespace {

// Cursor "<since epoch ms>:<offset>"; "" = from the beginning.
std::pair<int64_t, size_t> ParseCursor(const std::string& cursor) {
  int64_t since = 0;
  size_t offset = 0;
  size_t colon = cursor.find(':');
  if (colon != std::string::npos) {
    std::from_chars(cursor.data(), cursor.data() + colon, since);
    std::from_chars(cursor.data() + colon + 1, cursor.data() + cursor.size(), offset);
  }
  return {since, offset};
}

}  // namespace

void FakeCrm::Stamp(Opportunity& o) {
  Timestamp now = clock_.Now();
  if (now <= last_stamp_) {
    now = last_stamp_ + std::chrono::milliseconds(1);
  }
  last_stamp_ = now;
  o.modified_at = now;
  o.native_payload = "{\"id\":\"" + o.native_id + "\"}";
}

void FakeCrm::Put(Opportunity o) {
  o.source = source_;
  Stamp(o);
  records_[o.native_id] = std::move(o);
}

Awaitable<Result<FetchPage>> FakeCrm::FetchChanges(std::string cursor) {
  auto [since, offset] = ParseCursor(cursor);
  std::vector<const Opportunity*> matching;
  for (const auto& [id, o] : records_) {
    if (EpochMs(o.modified_at) >= since) {
      matching.push_back(&o);
    }
  }
  std::sort(matching.begin(), matching.end(), [](const Opportunity* a, const Opportunity* b) {
    return std::tie(a->modified_at, a->native_id) < std::tie(b->modified_at, b->native_id);
  });
  FetchPage page;
  for (size_t i = offset; i < matching.size() && page.records.size() < page_size_; ++i) {
    page.records.push_back(*matching[i]);
  }
  const size_t consumed = offset + page.records.size();
  page.has_more = consumed < matching.size();
  if (page.has_more) {
    page.next_cursor = std::to_string(since) + ":" + std::to_string(consumed);
  } else {
    // Overlap: the next poll starts again at the newest millisecond seen.
    const int64_t newest = matching.empty() ? since : EpochMs(matching.back()->modified_at);
    page.next_cursor = std::to_string(newest) + ":0";
  }
  co_return page;
}

Awaitable<Result<std::vector<Opportunity>>> FakeCrm::FetchByIds(std::vector<std::string> ids) {
  std::vector<Opportunity> out;
  for (const std::string& id : ids) {
    if (auto it = records_.find(id); it != records_.end()) {
      out.push_back(it->second);
    }
  }
  co_return out;
}

Awaitable<Result<std::vector<UpdateOutcome>>> FakeCrm::Update(std::vector<RecordUpdate> updates) {
  ++update_calls_;
  last_batch_ = updates;
  if (batch_failure_) {
    Status s = *batch_failure_;
    batch_failure_.reset();
    co_return s;
  }
  if (clock_.Now() < outage_until_) {
    co_return outage_status_;
  }
  std::vector<UpdateOutcome> out;
  if (misattribute_next_) {
    misattribute_next_ = false;
    for (const RecordUpdate& u : updates) {
      out.push_back({"not-" + u.native_id, Status::Ok(), std::nullopt});
    }
    co_return out;
  }
  for (const RecordUpdate& u : updates) {
    UpdateOutcome outcome;
    outcome.native_id = u.native_id;
    auto rec = records_.find(u.native_id);
    if (auto f = failing_.find(u.native_id); f != failing_.end()) {
      outcome.status = f->second;
    } else if (rec == records_.end()) {
      outcome.status = NotFound("no record " + u.native_id);
    } else {
      Opportunity& o = rec->second;
      if (u.stage)
        o.stage = u.stage;
      if (u.amount)
        o.amount = u.amount;
      if (u.close_date)
        o.close_date = u.close_date;
      Stamp(o);
      outcome.modified_at = o.modified_at;
      ++applied_[u.native_id];
    }
    out.push_back(std::move(outcome));
  }
  co_return out;
}

}  // namespace dealsync::testing
