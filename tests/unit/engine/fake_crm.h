// FakeCrm: an in-memory CRM behind the Connector interface, for engine tests.
// Incremental fetch by modified time with an overlap (records at the cursor's
// millisecond are delivered again), offset paging, absolute updates that stamp
// a new modified time, per-record scripted failures, and counters.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dealsync/connector.h"
#include "src/platform/fake_clock.h"

namespace dealsync::testing {

class FakeCrm final : public Connector {
 public:
  FakeCrm(std::string source, FakeClock& clock, size_t page_size = 3, size_t batch_size = 10)
      : source_(std::move(source)), clock_(clock), page_size_(page_size) {
    caps_.max_batch_size = batch_size;
  }

  const Capabilities& capabilities() const override { return caps_; }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override;
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) override;
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate> updates) override;

  // A user edit: applies `edit` and stamps the clock's time (+1 ms per write).
  template <typename F>
  void Edit(const std::string& id, F&& edit) {
    Opportunity& o = records_[id];
    o.source = source_;
    o.native_id = id;
    edit(o);
    Stamp(o);
  }
  void Put(Opportunity o);
  // Replaces the whole state as is (no new stamps), e.g. loaded from a file.
  void Load(std::map<std::string, Opportunity> records) { records_ = std::move(records); }
  const Opportunity& Get(const std::string& id) const { return records_.at(id); }
  bool Has(const std::string& id) const { return records_.count(id) > 0; }
  const std::map<std::string, Opportunity>& records() const { return records_; }

  // Updates for these ids fail with `status` until cleared.
  void FailUpdatesFor(const std::string& id, Status status) { failing_[id] = std::move(status); }
  void ClearFailures() { failing_.clear(); }
  // The next Update call fails as a whole.
  void FailNextBatch(Status status) { batch_failure_ = std::move(status); }
  // Every Update call fails as a whole with `status` until the clock reaches `until`.
  void FailUpdatesUntil(Timestamp until, Status status) {
    outage_until_ = until;
    outage_status_ = std::move(status);
  }
  // The next Update call applies nothing and answers outcomes that name other
  // records (an acknowledgement that does not acknowledge the records sent).
  void MisattributeNextOutcomes() { misattribute_next_ = true; }
  // Pushes the remote applied (successful outcomes), per native id.
  const std::map<std::string, int>& applied() const { return applied_; }
  size_t update_calls() const { return update_calls_; }
  const std::vector<RecordUpdate>& last_batch() const { return last_batch_; }

 private:
  void Stamp(Opportunity& o);

  std::string source_;
  FakeClock& clock_;
  size_t page_size_;
  Capabilities caps_;
  std::map<std::string, Opportunity> records_;
  std::map<std::string, Status> failing_;
  std::optional<Status> batch_failure_;
  Timestamp outage_until_{};
  Status outage_status_;
  bool misattribute_next_ = false;
  std::map<std::string, int> applied_;
  size_t update_calls_ = 0;
  std::vector<RecordUpdate> last_batch_;
  Timestamp last_stamp_{};
};

}  // namespace dealsync::testing
