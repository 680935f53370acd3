#include <gtest/gtest.h>

#include <fstream>
#include "dealsync/model.h"

#include "src/model/posix_tz.h"
#include "src/model/tz_data.h"
#include "support/test_support.h"

namespace dealsync {
namespace {

using namespace std::chrono;

Timestamp At(std::string_view iso) {
  Result<Timestamp> t = ParseTimestamp(iso);
  EXPECT_TRUE(t.ok()) << iso << ": " << t.status().ToString();
  return t.ok() ? *t : Timestamp{};
}

TimeZone Zone(std::string_view name) {
  Result<TimeZone> z = TimeZone::Load(name);
  EXPECT_TRUE(z.ok()) << z.status().ToString();
  return z.ok() ? *z : TimeZone::Utc();
}

std::string Local(const TimeZone& zone, std::string_view iso) {
  return FormatDate(zone.LocalDate(At(iso)));
}

TEST(TimestampTest, FormatsAndParsesIso8601) {
  EXPECT_EQ(FormatTimestamp(TimestampFromEpochMs(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(TimestampFromEpochMs(1795467240123)), "2026-11-23T20:54:00.123Z");
  EXPECT_EQ(EpochMs(At("2026-11-23T20:54:00.123Z")), 1795467240123);
  EXPECT_EQ(At("2026-11-23T21:54:00+01:00"), At("2026-11-23T20:54:00Z"));
  EXPECT_EQ(At("2026-11-23T20:54:00.000+0000"), At("2026-11-23T20:54:00Z"));  // Salesforce
  EXPECT_EQ(At("2026-11-23T15:24:00-05:30"), At("2026-11-23T20:54:00Z"));
  EXPECT_EQ(EpochMs(At("2026-11-23T20:54:00.1234567Z")) % 1000, 123);  // truncated to ms
  EXPECT_EQ(EpochMs(At("1969-12-31T23:59:59.999Z")), -1);
}

TEST(TimestampTest, RejectsMalformedOrOffsetless) {
  for (const char* bad : {"", "2026-11-23", "2026-11-23T20:54:00", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T20:54Z+",
                          "2026-11-23T20:54:00.Z", "2026-11-23T20:54:00+1", "garbage"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
  EXPECT_NE(ParseTimestamp("2026-11-23T20:54:00").status().message().find("no UTC offset"),
            std::string::npos);
}

TEST(DateTest, ParsesAndFormatsCalendarDates) {
  Result<CalendarDate> d = ParseDate("2028-02-29");
  ASSERT_OK(d);
  EXPECT_EQ(*d, (CalendarDate{2028, 2, 29}));
  EXPECT_EQ(FormatDate(*d), "2028-02-29");
  EXPECT_FALSE(ParseDate("2026-02-29").ok());
  EXPECT_FALSE(ParseDate("2026-2-28").ok());
  EXPECT_FALSE(ParseDate("2026-02-28T00:00:00Z").ok());
  EXPECT_EQ(ParseDate("26-02-28").status().message(),
            "date \"26-02-28\" is not a calendar date in ISO 8601 form (expected YYYY-MM-DD)");
  EXPECT_EQ(CalendarDate::FromSysDays(d->ToSysDays()), *d);
}

TEST(TimeZoneTest, BerlinSpringForward) {
  TimeZone berlin = Zone("Europe/Berlin");
  // 2026-03-29 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
  EXPECT_EQ(berlin.OffsetAt(At("2026-03-29T00:59:59Z")), hours(1));
  EXPECT_EQ(berlin.OffsetAt(At("2026-03-29T01:00:00Z")), hours(2));
  EXPECT_EQ(Local(berlin, "2026-03-28T22:59:59Z"), "2026-03-28");
  EXPECT_EQ(Local(berlin, "2026-03-28T23:00:00Z"), "2026-03-29");
  EXPECT_EQ(berlin.StartOfDay({2026, 3, 29}), At("2026-03-28T23:00:00Z"));
  EXPECT_EQ(berlin.StartOfDay({2026, 3, 30}), At("2026-03-29T22:00:00Z"));  // a 23-hour day
}

TEST(TimeZoneTest, BerlinFallBack) {
  TimeZone berlin = Zone("Europe/Berlin");
  // 2026-10-25 03:00 CEST goes back to 02:00 CET at 01:00 UTC.
  EXPECT_EQ(berlin.OffsetAt(At("2026-10-25T00:59:59Z")), hours(2));
  EXPECT_EQ(berlin.OffsetAt(At("2026-10-25T01:00:00Z")), hours(1));
  EXPECT_EQ(Local(berlin, "2026-10-24T21:59:59Z"), "2026-10-24");
  EXPECT_EQ(Local(berlin, "2026-10-24T22:00:00Z"), "2026-10-25");
  EXPECT_EQ(Local(berlin, "2026-10-25T22:59:59Z"), "2026-10-25");  // a 25-hour day
  EXPECT_EQ(Local(berlin, "2026-10-25T23:00:00Z"), "2026-10-26");
}

TEST(TimeZoneTest, NewYorkAucklandKolkata) {
  TimeZone ny = Zone("America/New_York");
  EXPECT_EQ(ny.OffsetAt(At("2026-03-08T06:59:59Z")), hours(-5));
  EXPECT_EQ(ny.OffsetAt(At("2026-03-08T07:00:00Z")), hours(-4));
  EXPECT_EQ(Local(ny, "2026-07-01T03:59:59Z"), "2026-06-30");
  EXPECT_EQ(Local(ny, "2026-07-01T04:00:00Z"), "2026-07-01");

  TimeZone auckland = Zone("Pacific/Auckland");  // southern hemisphere, +13 in January
  EXPECT_EQ(auckland.OffsetAt(At("2026-01-15T00:00:00Z")), hours(13));
  EXPECT_EQ(auckland.OffsetAt(At("2026-06-15T00:00:00Z")), hours(12));
  EXPECT_EQ(Local(auckland, "2025-12-31T10:59:59Z"), "2025-12-31");
  EXPECT_EQ(Local(auckland, "2025-12-31T11:00:00Z"), "2026-01-01");

  TimeZone kolkata = Zone("Asia/Kolkata");  // half-hour offset
  EXPECT_EQ(kolkata.OffsetAt(At("2026-06-01T00:00:00Z")), hours(5) + minutes(30));
  EXPECT_EQ(Local(kolkata, "2026-06-01T18:29:59Z"), "2026-06-01");
  EXPECT_EQ(Local(kolkata, "2026-06-01T18:30:00Z"), "2026-06-02");
  EXPECT_EQ(kolkata.StartOfDay({2026, 6, 2}), At("2026-06-01T18:30:00Z"));
}

TEST(TimeZoneTest, FarFutureUsesPosixFooter) {
  TimeZone berlin = Zone("Europe/Berlin");
  // Past the last transition in the file (2037): rules from "CET-1CEST,M3.5.0,M10.5.0/3".
  EXPECT_EQ(berlin.OffsetAt(At("2100-03-28T00:59:59Z")), hours(1));
  EXPECT_EQ(berlin.OffsetAt(At("2100-03-28T01:00:00Z")), hours(2));
  EXPECT_EQ(berlin.OffsetAt(At("2100-10-31T00:59:59Z")), hours(2));
  EXPECT_EQ(berlin.OffsetAt(At("2100-10-31T01:00:00Z")), hours(1));
  TimeZone auckland = Zone("Pacific/Auckland");
  EXPECT_EQ(auckland.OffsetAt(At("2200-01-01T00:00:00Z")), hours(13));
  EXPECT_EQ(auckland.OffsetAt(At("2200-07-01T00:00:00Z")), hours(12));
}

TEST(TimeZoneTest, PosixFooterAgreesWithTransitionTable) {
  // Hour by hour through 2030-2036, the footer rule must match the file's table.
  struct Case {
    const char* zone;
    const char* rule;
  };
  for (const Case& c : {Case{"Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"},
                        Case{"America/New_York", "EST5EDT,M3.2.0,M11.1.0"},
                        Case{"Pacific/Auckland", "NZST-12NZDT,M9.5.0,M4.1.0/3"},
                        Case{"Asia/Kolkata", "IST-5:30"}}) {
    TimeZone zone = Zone(c.zone);
    std::optional<model_internal::PosixTz> rule = model_internal::ParsePosixTz(c.rule);
    ASSERT_TRUE(rule.has_value()) << c.rule;
    for (Timestamp t = At("2030-01-01T00:00:00Z"); t < At("2037-01-01T00:00:00Z"); t += hours(1)) {
      ASSERT_EQ(zone.OffsetAt(t).count(), rule->OffsetAt(EpochMs(t) / 1000))
          << c.zone << " at " << FormatTimestamp(t);
    }
  }
}

TEST(TimeZoneTest, PosixTzGrammar) {
  EXPECT_TRUE(model_internal::ParsePosixTz("<+0330>-3:30").has_value());
  EXPECT_TRUE(model_internal::ParsePosixTz("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1").has_value());
  EXPECT_TRUE(model_internal::ParsePosixTz("EST5EDT,0/0,J365/25").has_value());
  for (const char* bad : {"", "E5", "CET", "CET-1CEST", "CET-1CEST,M13.5.0,M10.5.0",
                          "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0/200"}) {
    EXPECT_FALSE(model_internal::ParsePosixTz(bad).has_value()) << bad;
  }
}

TEST(TimeZoneTest, RejectsBadNames) {
  for (const char* bad : {"", "/etc/passwd", "../etc/passwd", "Europe/../../etc/passwd",
                          "Europe//Berlin", "Europe/Berlin/", "Europe/Ber lin"}) {
    Result<TimeZone> z = TimeZone::Load(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  Result<TimeZone> missing = TimeZone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("unknown time zone \"Mars/Olympus_Mons\""),
            std::string::npos);
  Result<TimeZone> dir = TimeZone::Load("Europe");  // a directory, not a zone
  EXPECT_FALSE(dir.ok());
  Result<TimeZone> not_tzif = TimeZone::Load("zone.tab");
  EXPECT_FALSE(not_tzif.ok());
}

TEST(TimeZoneTest, UtcAlwaysAvailable) {
  TimeZone utc = TimeZone::Utc();
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(utc.OffsetAt(At("2026-06-01T00:00:00Z")), seconds(0));
  EXPECT_EQ(Zone("UTC").OffsetAt(At("2026-06-01T00:00:00Z")), seconds(0));
}

TEST(CloseDateTest, FromEpochMsAtDayBoundaries) {
  TimeZone berlin = Zone("Europe/Berlin");
  // HubSpot sends close dates as epoch ms; midnight UTC is 01:00 or 02:00 in Berlin.
  EXPECT_EQ(FormatDate(*DateFromEpochMs(EpochMs(At("2026-03-28T23:00:00Z")), berlin)),
            "2026-03-29");
  EXPECT_EQ(FormatDate(*DateFromEpochMs(EpochMs(At("2026-03-28T22:59:59.999Z")), berlin)),
            "2026-03-28");
  TimeZone ny = Zone("America/New_York");
  EXPECT_EQ(FormatDate(*DateFromEpochMs(EpochMs(At("2026-11-01T04:00:00Z")), ny)), "2026-11-01");
  EXPECT_EQ(FormatDate(*DateFromEpochMs(EpochMs(At("2026-11-01T03:59:59.999Z")), ny)),
            "2026-10-31");
  EXPECT_EQ(FormatDate(*DateFromEpochMs(0, TimeZone::Utc())), "1970-01-01");
  EXPECT_EQ(FormatDate(*DateFromEpochMs(-1, TimeZone::Utc())), "1969-12-31");
  EXPECT_FALSE(DateFromEpochMs(INT64_MAX, berlin).ok());
  EXPECT_FALSE(DateFromEpochMs(INT64_MIN, berlin).ok());
}

TEST(CloseDateTest, FromIsoDateOrDatetimeWithOffsets) {
  TimeZone berlin = Zone("Europe/Berlin");
  TimeZone kolkata = Zone("Asia/Kolkata");
  auto date = [](std::string_view text, const TimeZone& zone) {
    Result<CalendarDate> d = DateFromIsoDateOrDateTime(text, zone);
    EXPECT_TRUE(d.ok()) << text << ": " << d.status().ToString();
    return d.ok() ? FormatDate(*d) : "";
  };
  EXPECT_EQ(date("2026-10-25", berlin), "2026-10-25");  // a plain date is taken as is
  EXPECT_EQ(date("2026-10-24T22:30:00Z", berlin), "2026-10-25");
  EXPECT_EQ(date("2026-10-24T21:30:00.000Z", berlin), "2026-10-24");
  EXPECT_EQ(date("2026-10-25T00:30:00+02:00", kolkata), "2026-10-25");  // 04:00 IST
  EXPECT_EQ(date("2026-10-24T23:30:00-05:00", kolkata), "2026-10-25");  // 10:00 IST
  EXPECT_EQ(date("2026-10-24T23:30:00-0500", berlin), "2026-10-25");
  EXPECT_EQ(date("2026-10-24T23:30:00", berlin), "2026-10-24");  // local datetime, no offset
  EXPECT_FALSE(DateFromIsoDateOrDateTime("24.10.2026", berlin).ok());
  EXPECT_FALSE(DateFromIsoDateOrDateTime("2026-10-24T", berlin).ok());
  EXPECT_FALSE(DateFromIsoDateOrDateTime("", berlin).ok());
}

}  // namespace
}  // namespace dealsync

namespace dealsync {
namespace {

TEST(TzifTest, TruncatedOrCorruptFilesFailCleanly) {
  std::ifstream in("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100u);
  ASSERT_OK(model_internal::ParseTzif(bytes, "Europe/Berlin"));
  // Every strict prefix that cuts the data or footer is rejected, never read past.
  for (size_t n = 0; n + 1 < bytes.size(); ++n) {
    EXPECT_FALSE(model_internal::ParseTzif(std::string_view(bytes).substr(0, n), "x").ok()) << n;
  }
  // Flipped bytes may still parse, but must never crash or hang.
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0xA5);
    Result<TimeZone::Data> data = model_internal::ParseTzif(corrupt, "x");
    if (data.ok()) {
      (void)data->OffsetAt(0);
      (void)data->OffsetAt(4'102'444'800);  // 2100
    }
  }
}

}  // namespace
}  // namespace dealsync
