#include "connectors/common/overlap_window.h"

#include <algorithm>
#include <vector>

namespace dealsync::connectors {

using nlohmann::json;

namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

void Mix(uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  h ^= 0xff;  // field separator: ("ab","c") and ("a","bc") differ
  h *= kFnvPrime;
}

}  // namespace

uint64_t ContentHash(const Opportunity& r) {
  uint64_t h = kFnvOffset;
  Mix(h, r.native_id);
  Mix(h, r.registration_id);
  Mix(h, r.counterpart_id);
  Mix(h, r.name);
  Mix(h, r.account);
  Mix(h, r.owner);
  Mix(h, r.pipeline);
  Mix(h, r.stage ? StageName(*r.stage) : "-");
  Mix(h, r.native_stage);
  Mix(h, r.amount ? FormatMoney(*r.amount) : "-");
  Mix(h, r.close_date ? FormatDate(*r.close_date) : "-");
  Mix(h, r.deleted ? "deleted" : "live");
  return h == 0 ? 1 : h;  // 0 means "unknown" in a cursor
}

uint64_t HashText(std::string_view text) {
  uint64_t h = kFnvOffset;
  Mix(h, text);
  return h == 0 ? 1 : h;
}

OverlapWindow OverlapWindow::StartingAt(Timestamp since) {
  OverlapWindow w;
  w.from_ms_ = std::max<int64_t>(0, EpochMs(since));
  return w;
}

Timestamp OverlapWindow::BeginPass(Timestamp now) {
  if (!pass_started_ms_) {
    pass_started_ms_ = EpochMs(now);
    pass_upper_ms_ = EpochMs(now);
  }
  return since();
}

std::string FutureModifiedWarning(Timestamp modified, Timestamp now,
                                  std::chrono::milliseconds skew) {
  return "modified time " + FormatTimestamp(modified) + " is more than " +
         std::to_string(skew.count() / 1000) + "s ahead of this host's clock (" +
         FormatTimestamp(now) +
         "); the record is applied, but it does not advance the incremental cursor";
}

OverlapWindow::Admission OverlapWindow::Admit(const std::string& id, Timestamp modified,
                                              uint64_t hash, Timestamp now,
                                              const OverlapSettings& settings) {
  Admission out;
  const int64_t ms = EpochMs(modified);
  auto it = seen_.find(id);
  if (it != seen_.end() &&
      (ms < it->second.modified_ms ||
       (ms == it->second.modified_ms && hash != 0 && hash == it->second.hash))) {
    out.deliver = false;  // the same version again, or an older one
    return out;
  }
  const int64_t limit_ms = EpochMs(now) + settings.clock_skew.count();
  if (ms > limit_ms) {
    out.warning = FutureModifiedWarning(modified, now, settings.clock_skew);
  } else {
    pass_upper_ms_ = std::max(pass_upper_ms_, ms);
  }
  // Only versions a later pass can read again need remembering: every later
  // pass starts at or after (this pass's start - overlap).
  const int64_t keep_from = *pass_started_ms_ - settings.overlap.count();
  if (ms >= keep_from) {
    seen_[id] = Seen{ms, hash};
    if (seen_.size() > settings.max_keys) {
      // Down to 90% so that pruning stays amortised O(1) per record.
      Prune(from_ms_, settings.max_keys - settings.max_keys / 10);
    }
  } else if (it != seen_.end()) {
    seen_.erase(it);
  }
  return out;
}

void OverlapWindow::FinishPass(const OverlapSettings& settings) {
  if (pass_started_ms_) {
    from_ms_ = std::max(from_ms_, std::max<int64_t>(0, pass_upper_ms_ - settings.overlap.count()));
  }
  pass_started_ms_.reset();
  pass_upper_ms_ = 0;
  Prune(from_ms_, settings.max_keys);
}

void OverlapWindow::RememberWithoutHash(const std::string& id, int64_t modified_ms) {
  seen_[id] = Seen{modified_ms, 0};
}

void OverlapWindow::Prune(int64_t keep_from_ms, size_t max_keys) {
  std::erase_if(seen_, [&](const auto& entry) { return entry.second.modified_ms < keep_from_ms; });
  if (seen_.size() <= max_keys) {
    return;
  }
  // Keep the newest max_keys versions, ordered by (modified, id) so the bound is exact.
  std::vector<std::pair<int64_t, std::string>> by_age;
  by_age.reserve(seen_.size());
  for (const auto& [id, s] : seen_) {
    by_age.emplace_back(s.modified_ms, id);
  }
  const size_t drop = seen_.size() - max_keys;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop),
                   by_age.end());
  for (size_t i = 0; i < drop; ++i) {
    seen_.erase(by_age[i].second);
  }
}

json OverlapWindow::ToJson() const {
  json seen = json::object();
  for (const auto& [id, s] : seen_) {
    seen[id] = json::array({s.modified_ms, s.hash});
  }
  json out = {{"from", from_ms_}, {"seen", std::move(seen)}};
  if (pass_started_ms_) {
    out["pass"] = *pass_started_ms_;
    out["up"] = pass_upper_ms_;
  }
  return out;
}

Result<OverlapWindow> OverlapWindow::FromJson(const json& state) {
  auto bad = [](std::string what) { return DataLoss("overlap window in cursor: " + what); };
  if (!state.is_object()) {
    return bad("not an object");
  }
  OverlapWindow w;
  auto from = state.find("from");
  if (from == state.end() || !from->is_number_integer()) {
    return bad("\"from\" missing or not an integer");
  }
  w.from_ms_ = from->get<int64_t>();
  if (auto pass = state.find("pass"); pass != state.end()) {
    auto up = state.find("up");
    if (!pass->is_number_integer() || up == state.end() || !up->is_number_integer()) {
      return bad("\"pass\"/\"up\" not integers");
    }
    w.pass_started_ms_ = pass->get<int64_t>();
    w.pass_upper_ms_ = up->get<int64_t>();
  }
  if (auto seen = state.find("seen"); seen != state.end()) {
    if (!seen->is_object()) {
      return bad("\"seen\" is not an object");
    }
    w.seen_.reserve(seen->size());
    for (const auto& [id, v] : seen->items()) {
      if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() ||
          !v[1].is_number_unsigned()) {
        return bad("\"seen\"." + id + " is not [modified_ms, hash]");
      }
      w.seen_[id] = Seen{v[0].get<int64_t>(), v[1].get<uint64_t>()};
    }
  }
  return w;
}

}  // namespace dealsync::connectors
