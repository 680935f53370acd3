// Key encodings of every column family the sync engine writes. Components are
// separated by '\x00' (ids never contain NUL: connectors reject such records);
// sequence numbers are 8-byte big-endian so byte order equals numeric order.
//
//   meta       "seq/journal"                      -> BE64 last journal seq
//              "seq/trace"                        -> BE64 last push trace number
//              "journal/pruned_below"             -> BE64: every entry below was examined by
//                                                 PruneJournal (the kept ones remain)
//   journal    BE64(seq)                          -> JournalEntry JSON
//   records    source \0 native_id                -> StoredRecord JSON (latest version; its
//                                                 native payload is in the journal only)
//   links      link_id                            -> Link JSON
//              (link_id = "<partner>/<vendor id>/<partner id>")
//   base       link_id \0 field                   -> BaseValue JSON (last agreed value)
//   outbox     target \0 native_id                -> OutboxEntry JSON (one per record)
//   conflicts  conflict_id                        -> Conflict JSON
//              (conflict_id = "<link id>/<field>/<journal seq>")
//   cursors    source                             -> opaque connector cursor
//   index      "lnk" \0 source \0 native_id   -> List(partner, link_id, ...): the record's
//                                                links, one per partner at most
//              "unl" \0 source \0 native_id   -> "" (record has no link)
//              "reg" \0 registration_id      -> List(source, native_id, ...): records
//                                                carrying that registration id
//              "cpt" \0 owner \0 id           -> List(source, native_id, ...): records that
//                                                name record `id` of source `owner` as their
//                                                other copy (owner "" = a vendor record
//                                                that does not say which partner)
//              "own" \0 native_id            -> List(partner, ...): partners holding a
//                                                record with that native id
//              "mky" \0 match_key \0 source \0 native_id -> amount in reporting minor units
//              "brk" \0 partner \0 vendor_id \0 partner_id  -> who broke it (never re-made
//                                                              automatically)
//              "amb" \0 source \0 native_id                 -> Ambiguity JSON
//              "dead" \0 target \0 native_id                -> OutboxEntry JSON (dead letter)
//              "rjt" \0 source \0 native_id                 -> RejectedRecord JSON (until a
//                                                              readable version arrives)
//              "act" \0 link_id \0 BE64(journal seq)        -> OperatorAction JSON
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
inline constexpr std::string_view kJournalPrunedBelow = "journal/pruned_below";

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

std::string LinkIndexKey(std::string_view source, std::string_view native_id);
std::string UnlinkedKey(std::string_view source, std::string_view native_id);
std::string RegistrationKey(std::string_view registration_id);
std::string CounterpartKey(std::string_view owner, std::string_view counterpart_id);
std::string OwnerKey(std::string_view native_id);
std::string MatchKeyIndexKey(std::string_view match_key, std::string_view source,
                             std::string_view native_id);
std::string BrokenKey(std::string_view partner, std::string_view vendor_id,
                      std::string_view partner_id);
std::string AmbiguityKey(std::string_view source, std::string_view native_id);
std::string DeadLetterKey(std::string_view target, std::string_view native_id);
std::string RejectKey(std::string_view source, std::string_view native_id);
std::string ActionKey(std::string_view link_id, uint64_t journal_seq);

// The value of the list-valued index keys: each item length-prefixed (LEB128),
// so items may hold any byte. DecodeList returns false on malformed input.
std::string EncodeList(const std::vector<std::string>& items);
bool DecodeList(std::string_view bytes, std::vector<std::string>& items);
// Adds the pair (a, b) to the pair list `items` unless present; true when added.
bool AddPair(std::vector<std::string>& items, std::string_view a, std::string_view b);
// Removes the pair (a, b); true when it was present.
bool RemovePair(std::vector<std::string>& items, std::string_view a, std::string_view b);

}  // namespace dealsync::engine_keys
