// JSON (nlohmann) encoding of the engine's persistent records. Decoding never
// throws: malformed stored data becomes a kDataLoss Status naming the record.
#pragma once

#include <string>
#include <string_view>

#include "dealsync/status.h"
#include "src/engine/records.h"

namespace dealsync {

std::string EncodeRecord(const StoredRecord& r);
Result<StoredRecord> DecodeRecord(std::string_view json);

std::string EncodeJournal(const JournalEntry& e);
Result<JournalEntry> DecodeJournal(std::string_view json);

std::string EncodeLink(const Link& l);
Result<Link> DecodeLink(std::string_view json);

std::string EncodeConflict(const Conflict& c);
Result<Conflict> DecodeConflict(std::string_view json);

std::string EncodeBase(const BaseValue& b);
Result<BaseValue> DecodeBase(std::string_view json);

std::string EncodeOutbox(const StoredOutbox& o);
Result<StoredOutbox> DecodeOutbox(std::string_view json);

std::string EncodeAmbiguity(const Ambiguity& a);
Result<Ambiguity> DecodeAmbiguity(std::string_view json);
std::string EncodeRejected(const RejectedRecord& r);
Result<RejectedRecord> DecodeRejected(std::string_view json);
std::string EncodeAction(const OperatorAction& a);
Result<OperatorAction> DecodeAction(std::string_view json);

// Sets field `f` of `o` from canonical text ("" clears it).
Status SetFieldFromText(Opportunity& o, Field f, std::string_view text);

}  // namespace dealsync
