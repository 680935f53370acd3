#include "src/engine/keys.h"

namespace dealsync::engine_keys {

std::string EncodeSeq(uint64_t seq) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return out;
}

uint64_t DecodeSeq(std::string_view bytes) {
  if (bytes.size() != 8) {
    return 0;
  }
  uint64_t seq = 0;
  for (char c : bytes) {
    seq = (seq << 8) | static_cast<uint8_t>(c);
  }
  return seq;
}

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) {
      out.push_back(kSep);
    }
    first = false;
    out.append(p);
  }
  return out;
}

std::vector<std::string> Split(std::string_view key) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = key.find(kSep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(key.substr(start));
      return out;
    }
    out.emplace_back(key.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string Prefix(std::initializer_list<std::string_view> parts) {
  std::string out = Join(parts);
  out.push_back(kSep);
  return out;
}

std::string RecordKey(std::string_view source, std::string_view native_id) {
  return Join({source, native_id});
}
std::string LinkId(std::string_view partner, std::string_view vendor_id,
                   std::string_view partner_id) {
  std::string out(partner);
  out.append("/").append(vendor_id).append("/").append(partner_id);
  return out;
}
std::string BaseKey(std::string_view link_id, Field f) {
  return Join({link_id, FieldName(f)});
}
std::string OutboxKey(std::string_view target, std::string_view native_id) {
  return Join({target, native_id});
}
std::string ConflictId(std::string_view link_id, Field f, uint64_t seq) {
  std::string out(link_id);
  out.append("/").append(FieldName(f)).append("/").append(std::to_string(seq));
  return out;
}
std::string LinkIndexKey(std::string_view source, std::string_view native_id) {
  return Join({"lnk", source, native_id});
}
std::string UnlinkedKey(std::string_view source, std::string_view native_id) {
  return Join({"unl", source, native_id});
}
std::string RegistrationKey(std::string_view registration_id) {
  return Join({"reg", registration_id});
}
std::string CounterpartKey(std::string_view owner, std::string_view counterpart_id) {
  return Join({"cpt", owner, counterpart_id});
}
std::string OwnerKey(std::string_view native_id) {
  return Join({"own", native_id});
}
std::string MatchKeyIndexKey(std::string_view match_key, std::string_view source,
                             std::string_view native_id) {
  return Join({"mky", match_key, source, native_id});
}
std::string BrokenKey(std::string_view partner, std::string_view vendor_id,
                      std::string_view partner_id) {
  return Join({"brk", partner, vendor_id, partner_id});
}
std::string AmbiguityKey(std::string_view source, std::string_view native_id) {
  return Join({"amb", source, native_id});
}
std::string DeadLetterKey(std::string_view target, std::string_view native_id) {
  return Join({"dead", target, native_id});
}
std::string RejectKey(std::string_view source, std::string_view native_id) {
  return Join({"rjt", source, native_id});
}
std::string ActionKey(std::string_view link_id, uint64_t journal_seq) {
  return Join({"act", link_id, EncodeSeq(journal_seq)});
}

std::string EncodeList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    size_t n = item.size();
    do {
      uint8_t byte = n & 0x7f;
      n >>= 7;
      out.push_back(static_cast<char>(n != 0 ? (byte | 0x80) : byte));
    } while (n != 0);
    out.append(item);
  }
  return out;
}

bool DecodeList(std::string_view bytes, std::vector<std::string>& items) {
  items.clear();
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t n = 0;
    int shift = 0;
    while (true) {
      if (pos >= bytes.size() || shift > 28) {
        return false;
      }
      const auto byte = static_cast<uint8_t>(bytes[pos++]);
      n |= static_cast<uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) {
        break;
      }
    }
    if (n > bytes.size() - pos) {
      return false;
    }
    items.emplace_back(bytes.substr(pos, n));
    pos += n;
  }
  return true;
}

bool AddPair(std::vector<std::string>& items, std::string_view a, std::string_view b) {
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i] == a && items[i + 1] == b) {
      return false;
    }
  }
  items.emplace_back(a);
  items.emplace_back(b);
  return true;
}

bool RemovePair(std::vector<std::string>& items, std::string_view a, std::string_view b) {
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i] == a && items[i + 1] == b) {
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(i),
                  items.begin() + static_cast<std::ptrdiff_t>(i + 2));
      return true;
    }
  }
  return false;
}

}  // namespace dealsync::engine_keys
