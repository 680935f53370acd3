// TZif (RFC 8536) reader: versions 1 to 4. For v2+ files the 64-bit data block
// and the POSIX TZ footer are used; v1 files only have the 32-bit block.
#include <algorithm>

#include "src/model/tz_data.h"

namespace dealsync {
namespace model_internal {
namespace {

constexpr size_t kHeaderSize = 44;

struct Header {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  size_t DataSize(size_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
           isstdcnt + isutcnt;
  }
};

uint32_t ReadU32(std::string_view b, size_t pos) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[pos])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[pos + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[pos + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[pos + 3]));
}

int64_t ReadTime(std::string_view b, size_t pos, size_t size) {
  if (size == 4) {
    return static_cast<int32_t>(ReadU32(b, pos));
  }
  return static_cast<int64_t>((static_cast<uint64_t>(ReadU32(b, pos)) << 32) | ReadU32(b, pos + 4));
}

std::optional<Header> ReadHeader(std::string_view b, size_t pos) {
  if (b.size() < pos + kHeaderSize || b.substr(pos, 4) != "TZif") {
    return std::nullopt;
  }
  Header h;
  h.version = b[pos + 4];
  h.isutcnt = ReadU32(b, pos + 20);
  h.isstdcnt = ReadU32(b, pos + 24);
  h.leapcnt = ReadU32(b, pos + 28);
  h.timecnt = ReadU32(b, pos + 32);
  h.typecnt = ReadU32(b, pos + 36);
  h.charcnt = ReadU32(b, pos + 40);
  // Bounds from RFC 8536 section 3.1 keep every size computation small.
  if (h.typecnt == 0 || h.typecnt > 256 || h.timecnt > 1'000'000 || h.leapcnt > 100'000 ||
      h.charcnt > 1'000'000 || (h.isutcnt != 0 && h.isutcnt != h.typecnt) ||
      (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)) {
    return std::nullopt;
  }
  return h;
}

}  // namespace

Result<TimeZone::Data> ParseTzif(std::string_view bytes, std::string_view zone_name) {
  auto corrupt = [&](std::string_view what) {
    return DataLoss("time zone file for \"" + std::string(zone_name) + "\" is not valid TZif (" +
                    std::string(what) + ")");
  };
  std::optional<Header> h = ReadHeader(bytes, 0);
  if (!h) {
    return corrupt("bad header");
  }
  size_t pos = kHeaderSize;
  size_t time_size = 4;
  if (h->version >= '2') {
    // Skip the v1 block; the v2+ header and 64-bit block follow it.
    pos += h->DataSize(4);
    h = ReadHeader(bytes, pos);
    if (!h) {
      return corrupt("bad second header");
    }
    pos += kHeaderSize;
    time_size = 8;
  }
  if (bytes.size() < pos + h->DataSize(time_size)) {
    return corrupt("truncated");
  }
  TimeZone::Data data;
  data.name = std::string(zone_name);
  const size_t times_at = pos;
  const size_t indices_at = times_at + h->timecnt * time_size;
  const size_t types_at = indices_at + h->timecnt;
  std::vector<int32_t> type_offsets(h->typecnt);
  for (uint32_t i = 0; i < h->typecnt; ++i) {
    type_offsets[i] = static_cast<int32_t>(ReadU32(bytes, types_at + i * 6));
    if (type_offsets[i] < -89999 || type_offsets[i] > 93599) {  // RFC 8536 range
      return corrupt("UTC offset out of range");
    }
  }
  data.offset_before_first = type_offsets[0];
  data.transitions.reserve(h->timecnt);
  data.offset_after.reserve(h->timecnt);
  for (uint32_t i = 0; i < h->timecnt; ++i) {
    int64_t at = ReadTime(bytes, times_at + i * time_size, time_size);
    auto type = static_cast<uint8_t>(bytes[indices_at + i]);
    if (type >= h->typecnt || (i > 0 && at <= data.transitions.back())) {
      return corrupt("bad transition table");
    }
    data.transitions.push_back(at);
    data.offset_after.push_back(type_offsets[type]);
  }
  if (time_size == 8) {
    size_t footer_at = pos + h->DataSize(8);
    if (footer_at >= bytes.size() || bytes[footer_at] != '\n') {
      return corrupt("missing footer");
    }
    size_t footer_end = bytes.find('\n', footer_at + 1);
    if (footer_end == std::string_view::npos) {
      return corrupt("unterminated footer");
    }
    std::string_view footer = bytes.substr(footer_at + 1, footer_end - footer_at - 1);
    if (!footer.empty()) {
      data.footer = ParsePosixTz(footer);
      if (!data.footer) {
        return corrupt("unsupported POSIX TZ footer \"" + std::string(footer) + "\"");
      }
    }
  }
  return data;
}

}  // namespace model_internal

int32_t TimeZone::Data::OffsetAt(int64_t utc_seconds) const {
  if (transitions.empty() || utc_seconds < transitions.front()) {
    if (transitions.empty() && footer) {
      return footer->OffsetAt(utc_seconds);
    }
    return offset_before_first;
  }
  if (utc_seconds >= transitions.back() && footer) {
    return footer->OffsetAt(utc_seconds);
  }
  auto it = std::upper_bound(transitions.begin(), transitions.end(), utc_seconds);
  return offset_after[static_cast<size_t>(it - transitions.begin()) - 1];
}

}  // namespace dealsync
