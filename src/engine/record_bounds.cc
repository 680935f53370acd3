#include "src/engine/record_bounds.h"

#include <utility>

#include "src/engine/records_json.h"

namespace dealsync {

namespace {

int64_t Pow10(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) {
    p *= 10;
  }
  return p;
}

// True when `amount` is above `ceiling`, compared in amount's currency
// (through the rates) or, without a rate, in whole major units.
bool AboveCeiling(const Money& amount, const Money& ceiling, const CurrencyRates& rates) {
  if (amount.currency == ceiling.currency) {
    return amount.minor > ceiling.minor;
  }
  if (std::optional<Money> converted = rates.Convert(ceiling, amount.currency)) {
    return amount.minor > converted->minor;
  }
  const int64_t amount_major =
      amount.minor / Pow10(CurrencyMinorDigits(amount.currency).value_or(2));
  const int64_t ceiling_major =
      ceiling.minor / Pow10(CurrencyMinorDigits(ceiling.currency).value_or(2));
  return amount_major > ceiling_major;
}

Status CheckAmount(const Money& m, const ValueBounds& bounds, const CurrencyRates& rates) {
  if (m.minor < 0 && !bounds.allow_negative_amounts) {
    return InvalidArgument("amount " + FormatMoney(m) +
                           " is negative (allowed only with bounds.negative_amounts = true)");
  }
  if (bounds.max_amount && AboveCeiling(m, *bounds.max_amount, rates)) {
    return InvalidArgument("amount " + FormatMoney(m) + " is above bounds.max_amount (" +
                           FormatMoney(*bounds.max_amount) + ")");
  }
  return Status::Ok();
}

Status CheckCloseDate(const CalendarDate& d, const ValueBounds& bounds, CalendarDate today) {
  const std::chrono::sys_days day = d.ToSysDays();
  const std::chrono::sys_days now = today.ToSysDays();
  if (day < now - std::chrono::days(bounds.close_date_past_days)) {
    return InvalidArgument("close_date " + FormatDate(d) + " is more than " +
                           std::to_string(bounds.close_date_past_days) +
                           " days in the past (bounds.close_date_past)");
  }
  if (day > now + std::chrono::days(bounds.close_date_future_days)) {
    return InvalidArgument("close_date " + FormatDate(d) + " is more than " +
                           std::to_string(bounds.close_date_future_days) +
                           " days in the future (bounds.close_date_future)");
  }
  return Status::Ok();
}

}  // namespace

std::string Shortened(std::string_view text, size_t max) {
  if (text.size() <= max) {
    return std::string(text);
  }
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;  // do not split a UTF-8 sequence
  }
  return std::string(text.substr(0, cut)) + "... [" + std::to_string(text.size()) +
         " bytes, shortened]";
}

Status CheckRecordBounds(const Opportunity& o, const ValueBounds& bounds,
                         const CurrencyRates& rates, CalendarDate today) {
  if (o.native_payload.size() > bounds.max_record_bytes) {
    return InvalidArgument("record is " + std::to_string(o.native_payload.size()) +
                           " bytes, more than bounds.max_record_bytes (" +
                           std::to_string(bounds.max_record_bytes) + ")");
  }
  const std::pair<const char*, const std::string*> texts[] = {
      {"id", &o.native_id},
      {"registration_id", &o.registration_id},
      {"counterpart_id", &o.counterpart_id},
      {"name", &o.name},
      {"account", &o.account},
      {"owner", &o.owner},
      {"pipeline", &o.pipeline},
      {"stage", &o.native_stage}};
  for (const auto& [name, text] : texts) {
    if (text->size() > bounds.max_field_bytes) {
      return InvalidArgument(std::string(name) + " is " + std::to_string(text->size()) +
                             " bytes, more than bounds.max_field_bytes (" +
                             std::to_string(bounds.max_field_bytes) + ")");
    }
  }
  if (o.deleted) {
    return Status::Ok();  // a tombstone carries no values to check
  }
  if (!o.stage && !o.amount && !o.close_date) {
    return InvalidArgument(
        "record carries none of the reconciled fields (stage, amount, close_date)");
  }
  if (o.amount) {
    DEALSYNC_RETURN_IF_ERROR(CheckAmount(*o.amount, bounds, rates));
  }
  if (o.close_date) {
    DEALSYNC_RETURN_IF_ERROR(CheckCloseDate(*o.close_date, bounds, today));
  }
  return Status::Ok();
}

Status CheckValueBounds(Field f, std::string_view value_text, const ValueBounds& bounds,
                        const CurrencyRates& rates, CalendarDate today) {
  Opportunity probe;
  DEALSYNC_RETURN_IF_ERROR(SetFieldFromText(probe, f, value_text));
  if (f == Field::kAmount && probe.amount) {
    return CheckAmount(*probe.amount, bounds, rates);
  }
  if (f == Field::kCloseDate && probe.close_date) {
    return CheckCloseDate(*probe.close_date, bounds, today);
  }
  return Status::Ok();
}

}  // namespace dealsync
