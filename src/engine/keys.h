// Key encodings of every column family the sync engine writes. Components are
// separated by '\x00' (ids never contain NUL: connectors reject such records);
// sequence numbers are 8-byte big-endian so byte order equals numeric order.
//
//   meta       "seq/journal"                      -> BE64 last journal seq
//              "seq/trace"                        -> BE64 last push trace number
//   journal    BE64(seq)                          -> JournalEntry JSON
//   records    source \0 native_id                -> StoredRecord JSON (latest version)
//   links      link_id                            -> Link JSON
//              (link_id = "<partner>/<vendor id>/<partner id>")
//   base       link_id \0 field                   -> BaseValue JSON (last agreed value)
//   outbox     target \0 native_id                -> OutboxEntry JSON (one per record)
//   conflicts  conflict_id                        -> Conflict JSON
//              (conflict_id = "<link id>/<field>/<journal seq>")
//   cursors    source                             -> opaque connector cursor
//   index      "lnk" \0 source \0 native_id \0 partner      -> link_id
//              "unl" \0 source \0 native_id                 -> "" (record has no link)
//              "reg" \0 registration_id \0 source \0 native_id -> ""
//              "cpt" \0 counterpart_id \0 source \0 native_id  -> ""
//              "mky" \0 match_key \0 source \0 native_id     -> amount in reporting minor units
//              "brk" \0 partner \0 vendor_id \0 partner_id  -> who broke it (never re-made
//                                                              automatically)
//              "amb" \0 source \0 native_id                 -> Ambiguity JSON
//              "dead" \0 target \0 native_id                -> OutboxEntry JSON (dead letter)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/model.h"

namespace dealsync::engine_keys {

inline constexpr char kSep = '\0';
inline constexpr std::string_view kJournalSeq = "seq/journal";
inline constexpr std::string_view kTraceSeq = "seq/trace";

std::string EncodeSeq(uint64_t seq);         // 8 bytes big-endian
uint64_t DecodeSeq(std::string_view bytes);  // 0 when not 8 bytes

// Joins components with '\0'.
std::string Join(std::initializer_list<std::string_view> parts);
// Splits on '\0'.
std::vector<std::string> Split(std::string_view key);
// Joins components with '\0' and appends a trailing '\0' (a scan prefix).
std::string Prefix(std::initializer_list<std::string_view> parts);

std::string RecordKey(std::string_view source, std::string_view native_id);
std::string LinkId(std::string_view partner, std::string_view vendor_id,
                   std::string_view partner_id);
std::string BaseKey(std::string_view link_id, Field f);
std::string OutboxKey(std::string_view target, std::string_view native_id);
std::string ConflictId(std::string_view link_id, Field f, uint64_t seq);

std::string LinkIndexKey(std::string_view source, std::string_view native_id,
                         std::string_view partner);
std::string UnlinkedKey(std::string_view source, std::string_view native_id);
std::string RegistrationKey(std::string_view registration_id, std::string_view source,
                            std::string_view native_id);
std::string CounterpartKey(std::string_view counterpart_id, std::string_view source,
                           std::string_view native_id);
std::string MatchKeyIndexKey(std::string_view match_key, std::string_view source,
                             std::string_view native_id);
std::string BrokenKey(std::string_view partner, std::string_view vendor_id,
                      std::string_view partner_id);
std::string AmbiguityKey(std::string_view source, std::string_view native_id);
std::string DeadLetterKey(std::string_view target, std::string_view native_id);

}  // namespace dealsync::engine_keys
