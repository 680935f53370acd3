// The canonical model: what every connector maps its native records to.
// Money is integer minor units (never floating point); dates are calendar dates
// with no time zone; timestamps are UTC milliseconds.
// Thread-safety: value types. TimeZone objects are immutable after Load().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/status.h"

namespace dealsync {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// ISO 8601 UTC, e.g. "2026-11-23T20:54:00.000Z".
std::string FormatTimestamp(Timestamp t);
// Accepts "YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm)" (Salesforce uses "+0000").
Result<Timestamp> ParseTimestamp(std::string_view iso);
Timestamp TimestampFromEpochMs(int64_t ms);
int64_t EpochMs(Timestamp t);

// ---- Stage -------------------------------------------------------------
// Canonical channel pipeline stages, in ordinal order.
enum class Stage : uint8_t {
  kProspect = 0,
  kQualified,
  kDiscovery,
  kSolution,
  kProposal,  // proposal / negotiation
  kClosedWon,
  kClosedLost,
};
inline constexpr int kStageCount = 7;

std::string_view StageName(Stage s);  // "prospect", ..., "closed_won"
std::optional<Stage> ParseStage(std::string_view name);
int StageOrdinal(Stage s);               // 0..6 (closed_won and closed_lost are both terminal)
int DefaultProbabilityPercent(Stage s);  // 10, 20, 30, 50, 70, 100, 0
bool IsTerminal(Stage s);
const std::vector<Stage>& AllStages();

// ---- Mapped fields -------------------------------------------------------
// The canonical fields a source's [fields] may map, each with the formats it
// accepts. "number" on a text field (an id, a stage) means the API types it as
// a JSON number, and it is written back as one.
struct MappedFieldRule {
  std::string_view name;
  std::vector<std::string_view> formats;
};
const std::vector<MappedFieldRule>& MappedFieldRules();
const MappedFieldRule* FindMappedFieldRule(std::string_view name);

// ---- Money -------------------------------------------------------------
// Number of minor digits of an ISO 4217 currency (JPY 0, USD 2, KWD 3), or
// nullopt when the code is not a known ISO 4217 currency.
std::optional<int> CurrencyMinorDigits(std::string_view code);

struct Money {
  int64_t minor = 0;     // amount in minor units of `currency`
  std::string currency;  // ISO 4217 alpha code, upper case

  friend bool operator==(const Money&, const Money&) = default;
};

// Parses a decimal string ("1234.5", "-0.125", "1e3" is rejected) into minor
// units of `currency`, rounding half away from zero past the currency's digits.
// No floating point anywhere. Errors name the offending text.
Result<Money> ParseMoney(std::string_view decimal, std::string_view currency);
// Same for a JSON number's textual form (e.g. 1234.5 or 1.2345E3 as received).
Result<Money> ParseMoneyNumber(std::string_view number_text, std::string_view currency);
Result<Money> MoneyFromMinorUnits(int64_t minor, std::string_view currency);
// "1234.50" (no currency code, exact digits of the currency).
std::string FormatDecimal(const Money& m);
// "1234.50 EUR"
std::string FormatMoney(const Money& m);

// ---- CalendarDate and time zones ----------------------------------------
struct CalendarDate {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31

  friend auto operator<=>(const CalendarDate&, const CalendarDate&) = default;
  std::chrono::sys_days ToSysDays() const;
  static CalendarDate FromSysDays(std::chrono::sys_days d);
};

// "2026-11-23"
std::string FormatDate(const CalendarDate& d);
Result<CalendarDate> ParseDate(std::string_view iso_date);

// An IANA time zone loaded from the system tz database (/usr/share/zoneinfo, or
// $TZDIR). Correct across DST transitions.
class TimeZone {
 public:
  static Result<TimeZone> Load(std::string_view iana_name);
  static TimeZone Utc();

  const std::string& name() const;
  // UTC offset in force at instant `t`.
  std::chrono::seconds OffsetAt(Timestamp t) const;
  // The local calendar date at instant `t`.
  CalendarDate LocalDate(Timestamp t) const;
  // The instant of local midnight starting `d` (first instant of that day).
  Timestamp StartOfDay(const CalendarDate& d) const;

  struct Data;

 private:
  std::shared_ptr<const Data> data_;
};

// Close dates arrive as epoch-ms, ISO datetimes or ISO dates. Datetimes are
// converted to the local date in `zone`; a plain date is taken as is.
Result<CalendarDate> DateFromEpochMs(int64_t ms, const TimeZone& zone);
Result<CalendarDate> DateFromIsoDateOrDateTime(std::string_view text, const TimeZone& zone);

// ---- Opportunity ---------------------------------------------------------
// The fields reconciled between vendor and partner.
enum class Field : uint8_t { kStage = 0, kAmount, kCloseDate };
std::string_view FieldName(Field f);  // "stage", "amount", "close_date"
std::optional<Field> ParseField(std::string_view name);

struct Opportunity {
  std::string source;              // connector instance id: "vendor" or a partner id
  std::string native_id;           // the record's id in its CRM
  std::string registration_id;     // deal registration id (link key), may be empty
  std::string counterpart_id;      // the other side's id, as stored in this CRM, may be empty
  std::string counterpart_source;  // vendor records: the partner (source id) that owns
                                   // counterpart_id; "" = not said
  std::string name;
  std::string account;
  std::string owner;
  std::string pipeline;  // native pipeline id (HubSpot), empty if none
  std::optional<Stage> stage;
  std::string native_stage;  // the native picklist value as received
  std::optional<Money> amount;
  std::optional<CalendarDate> close_date;
  Timestamp modified_at{};     // as the remote reports it
  bool deleted = false;        // deleted or archived remotely
  std::string native_payload;  // the untouched native JSON, for audit

  friend bool operator==(const Opportunity&, const Opportunity&) = default;
};

}  // namespace dealsync
