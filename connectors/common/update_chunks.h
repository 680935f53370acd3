// The chunk loop shared by connectors whose vendor updates records in bounded
// batches (Salesforce sObject Collections, HubSpot batch/update).
// Thread-safety: a free coroutine over values; runs on the caller's executor.
#pragma once

#include <span>
#include <vector>

#include "connectors/common/connector_util.h"
#include "dealsync/connector.h"
#include "dealsync/status.h"

namespace dealsync::connectors {

// Sends `updates` in chunks of at most `max_chunk` through `send_chunk`, an
// awaitable (std::span<const RecordUpdate>, Status& call_error) ->
// std::vector<UpdateOutcome> with one outcome per record of the chunk.
// `send_chunk` sets `call_error` when the call for its chunk failed as a whole.
// Only when no call succeeded at all is the last call error returned for the
// whole batch; otherwise every outcome is returned in order.
template <typename SendChunk>
Awaitable<Result<std::vector<UpdateOutcome>>> UpdateInChunks(std::vector<RecordUpdate> updates,
                                                             size_t max_chunk,
                                                             SendChunk send_chunk) {
  std::vector<UpdateOutcome> outcomes;
  Status last_call_error;
  bool any_call_succeeded = updates.empty();
  for (auto chunk : Chunks(updates, max_chunk)) {
    Status call_error;
    std::vector<UpdateOutcome> part = co_await send_chunk(chunk, call_error);
    if (call_error.ok()) {
      any_call_succeeded = true;
    } else {
      last_call_error = call_error;
    }
    outcomes.insert(outcomes.end(), part.begin(), part.end());
  }
  if (!any_call_succeeded && !last_call_error.ok()) {
    co_return last_call_error;  // the whole batch failed as a call
  }
  co_return outcomes;
}

}  // namespace dealsync::connectors
