// The journal and record decoders (src/engine/records_json.cc): whatever the
// stored text, Decode* returns a value or a Status; a decoded value must
// encode to text that decodes to the same encoding (round trip).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "src/engine/records_json.h"

namespace {

template <typename Decode, typename Encode>
void RoundTrip(std::string_view text, Decode decode, Encode encode) {
  auto first = decode(text);
  if (!first.ok()) {
    return;
  }
  const std::string once = encode(*first);
  auto second = decode(once);
  if (!second.ok() || encode(*second) != once) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dealsync;
  if (size < 1) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 7) {
    case 0:
      RoundTrip(text, DecodeRecord, EncodeRecord);
      break;
    case 1:
      RoundTrip(text, DecodeJournal, EncodeJournal);
      break;
    case 2:
      RoundTrip(text, DecodeLink, EncodeLink);
      break;
    case 3:
      RoundTrip(text, DecodeConflict, EncodeConflict);
      break;
    case 4:
      RoundTrip(text, DecodeBase, EncodeBase);
      break;
    case 5:
      RoundTrip(text, DecodeOutbox, EncodeOutbox);
      break;
    default:
      RoundTrip(text, DecodeAmbiguity, EncodeAmbiguity);
      break;
  }
  return 0;
}
