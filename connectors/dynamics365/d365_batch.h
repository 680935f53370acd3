// OData $batch for the Dataverse Web API, sans-io: a multipart/mixed request
// of change sets (each its own nested multipart/mixed, atomic on the server)
// and the response read back as one result per change set.
//
//   --batch_X
//   Content-Type: multipart/mixed; boundary=changeset_Y
//
//   --changeset_Y
//   Content-Type: application/http
//   Content-Transfer-Encoding: binary
//   Content-ID: 1
//
//   PATCH https://org/api/data/v9.2/opportunities(id) HTTP/1.1
//   Content-Type: application/json
//   If-Match: W/"123"
//
//   {"estimatedvalue":100}
//   --changeset_Y--
//   --batch_X--
//
// A change set that failed answers with one application/http part (its error)
// in place of the nested changesetresponse.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dealsync/http.h"
#include "dealsync/status.h"

namespace dealsync::connectors::dynamics365 {

struct BatchOperation {
  std::string method;  // PATCH, POST
  std::string url;     // absolute
  HttpHeaders headers;
  std::string body;
};
using ChangeSet = std::vector<BatchOperation>;

// The request body; `boundary` is the batch boundary (change sets get
// "changeset_<n>_" + boundary). Lines end in CRLF.
std::string BuildBatchBody(const std::vector<ChangeSet>& change_sets, const std::string& boundary);

// One embedded HTTP response of a batch response.
struct EmbeddedResponse {
  HttpResponse response;
  std::string content_id;  // "" outside change sets
};
// Per change set, in request order: its operations' responses, or a single
// error response when the change set failed. kUnavailable when the body is not
// a well-formed multipart batch response (worth retrying: truncated or garbled).
Result<std::vector<std::vector<EmbeddedResponse>>> ParseBatchResponse(std::string_view content_type,
                                                                      std::string_view body);

// The boundary parameter of a multipart Content-Type ("" when none).
std::string BoundaryOf(std::string_view content_type);

}  // namespace dealsync::connectors::dynamics365
