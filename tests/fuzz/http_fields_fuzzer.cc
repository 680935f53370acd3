// Small parsers of header and field values taken from remote responses or
// requests: RFC 8288 Link (generic REST paging), Sforce-Limit-Info, vendor
// error bodies, next-page URL resolution (must never leave the base origin),
// cursor decoding, the Host check and log escaping. The first byte picks one.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"
#include "connectors/rest/rest_paging.h"
#include "connectors/salesforce/salesforce_wire.h"
#include "src/admin/host_check.h"
#include "src/common/log_escape.h"
#include "src/transport/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dealsync;
  using namespace dealsync::connectors;
  using rest::ParseLinkNext;
  using rest::ResolveNextUrl;
  using salesforce::ParseLimitInfo;
  if (size < 1) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::string_view kBase = "https://partner.example.com/api/v2";
  constexpr std::string_view kRequest = "https://partner.example.com/api/v2/deals?page=1";
  // Judged by the client's own URL parser: where the request would really go.
  auto leaves_base = [&](const Result<std::string>& url) {
    if (!url.ok()) {
      return false;
    }
    Result<ParsedUrl> target = ParseUrl(*url);
    return target.ok() && (target->scheme != "https" || target->host != "partner.example.com" ||
                           target->port != 443);
  };
  switch (data[0] % 7) {
    case 0:
      if (auto next = ParseLinkNext(text)) {
        if (leaves_base(ResolveNextUrl(kBase, kRequest, *next))) {
          std::abort();  // credentials would go to another host
        }
      }
      break;
    case 1:
      (void)ParseLimitInfo(text);
      break;
    case 2:
      (void)ParseVendorError(text);
      break;
    case 3:
      if (leaves_base(ResolveNextUrl(kBase, kRequest, text))) {
        std::abort();
      }
      break;
    case 4:
      (void)DecodeCursor(text, "fuzz");
      (void)ParseJsonBody(text, "fuzz");
      break;
    case 5:
      (void)HostAllowed(text, AdminHostNames("127.0.0.1", {"admin.test"}));
      break;
    default: {
      const std::string escaped = EscapeControlCharacters(text);
      if (HasControlCharacters(escaped)) {
        std::abort();  // one event, one line
      }
      break;
    }
  }
  return 0;
}
