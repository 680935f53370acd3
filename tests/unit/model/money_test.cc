#include <gtest/gtest.h>

#include <limits>

#include "dealsync/model.h"
#include "dealsync/money_exact.h"
#include "dealsync/policy.h"
#include "support/test_support.h"

namespace dealsync {
namespace {

int64_t Minor(std::string_view text, std::string_view currency) {
  Result<Money> m = ParseMoney(text, currency);
  EXPECT_TRUE(m.ok()) << text << " " << currency << ": " << m.status().ToString();
  return m.ok() ? m->minor : -999999;
}

std::string Error(std::string_view text, std::string_view currency) {
  Result<Money> m = ParseMoney(text, currency);
  EXPECT_FALSE(m.ok()) << text;
  return m.ok() ? "" : m.status().message();
}

TEST(CurrencyTest, MinorDigitsFollowIso4217) {
  EXPECT_EQ(CurrencyMinorDigits("USD"), 2);
  EXPECT_EQ(CurrencyMinorDigits("EUR"), 2);
  for (const char* zero : {"JPY", "KRW", "CLP", "ISK", "VND", "UGX", "XAF", "XOF", "XPF", "PYG"}) {
    EXPECT_EQ(CurrencyMinorDigits(zero), 0) << zero;
  }
  for (const char* three : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}) {
    EXPECT_EQ(CurrencyMinorDigits(three), 3) << three;
  }
  EXPECT_EQ(CurrencyMinorDigits("CLF"), 4);
  EXPECT_EQ(CurrencyMinorDigits("XAU"), std::nullopt);  // gold has no minor units
  EXPECT_EQ(CurrencyMinorDigits("usd"), std::nullopt);  // codes are upper case
  EXPECT_EQ(CurrencyMinorDigits("EURO"), std::nullopt);
  EXPECT_EQ(CurrencyMinorDigits(""), std::nullopt);
}

TEST(MoneyTest, ParsesAtEachCurrencysPrecision) {
  EXPECT_EQ(Minor("1234.5", "USD"), 123450);
  EXPECT_EQ(Minor("1234", "USD"), 123400);
  EXPECT_EQ(Minor("0.01", "EUR"), 1);
  EXPECT_EQ(Minor(".5", "EUR"), 50);
  EXPECT_EQ(Minor("+7", "EUR"), 700);
  EXPECT_EQ(Minor("1500", "JPY"), 1500);
  EXPECT_EQ(Minor("1.234", "KWD"), 1234);
  EXPECT_EQ(Minor("000012.30", "USD"), 1230);
  EXPECT_EQ(ParseMoney("12", "eur")->currency, "EUR");  // normalised to upper case
}

TEST(MoneyTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(Minor("0.005", "USD"), 1);
  EXPECT_EQ(Minor("0.004999", "USD"), 0);
  EXPECT_EQ(Minor("-0.005", "USD"), -1);
  EXPECT_EQ(Minor("-0.0049", "USD"), 0);
  EXPECT_EQ(Minor("2.675", "USD"), 268);  // exact decimal, unlike a double
  EXPECT_EQ(Minor("1499.5", "JPY"), 1500);
  EXPECT_EQ(Minor("-1499.5", "JPY"), -1500);
  EXPECT_EQ(Minor("1499.49", "JPY"), 1499);
  EXPECT_EQ(Minor("1.2345", "BHD"), 1235);
  EXPECT_EQ(Minor("1.2344", "BHD"), 1234);
  EXPECT_EQ(Minor("0.0000001", "USD"), 0);
}

TEST(MoneyTest, NegativeAmounts) {
  EXPECT_EQ(Minor("-12.34", "USD"), -1234);
  EXPECT_EQ(Minor("-0", "USD"), 0);
  EXPECT_EQ(FormatDecimal(Money{-1234, "USD"}), "-12.34");
  EXPECT_EQ(FormatDecimal(Money{-5, "USD"}), "-0.05");
  EXPECT_EQ(FormatDecimal(Money{-5, "KWD"}), "-0.005");
}

TEST(MoneyTest, DetectsOverflow) {
  EXPECT_EQ(Minor("92233720368547758.07", "USD"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Minor("-92233720368547758.08", "USD"), std::numeric_limits<int64_t>::min());
  EXPECT_NE(Error("92233720368547758.08", "USD").find("out of range"), std::string::npos);
  EXPECT_NE(Error("92233720368547758.075", "USD").find("out of range"), std::string::npos);
  EXPECT_NE(Error("100000000000000000000", "JPY").find("out of range"), std::string::npos);
  EXPECT_EQ(Minor("9223372036854775807", "JPY"), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(ParseMoney("9223372036854775808", "JPY").ok());
}

TEST(MoneyTest, RejectsBadText) {
  for (const char* bad : {"", "-", "+", ".", "1.", "1.2.3", "1,000.00", " 12", "12 ", "1e3", "12a",
                          "--1", "0x10", "NaN", "inf", "1 000"}) {
    Result<Money> m = ParseMoney(bad, "USD");
    EXPECT_FALSE(m.ok()) << "accepted \"" << bad << "\"";
  }
  EXPECT_EQ(Error("12a", "USD"),
            "amount \"12a\" is not a decimal number (expected digits with an optional sign and "
            "decimal point, e.g. \"-1234.50\")");
  EXPECT_EQ(Error("12", "EURO"),
            "unknown currency \"EURO\" (expected an ISO 4217 code such as USD, EUR, JPY)");
  EXPECT_FALSE(ParseMoney("12", "XAU").ok());
}

TEST(MoneyTest, ParsesJsonNumberText) {
  auto number = [](std::string_view text, std::string_view currency) {
    Result<Money> m = ParseMoneyNumber(text, currency);
    EXPECT_TRUE(m.ok()) << text << ": " << m.status().ToString();
    return m.ok() ? m->minor : -999999;
  };
  EXPECT_EQ(number("1234.5", "USD"), 123450);
  EXPECT_EQ(number("1.2345E3", "USD"), 123450);
  EXPECT_EQ(number("1.2345e+3", "USD"), 123450);
  EXPECT_EQ(number("125e-3", "USD"), 13);
  EXPECT_EQ(number("-125e-3", "USD"), -13);
  EXPECT_EQ(number("0e99", "USD"), 0);
  EXPECT_FALSE(ParseMoneyNumber("1e400", "USD").ok());
  EXPECT_FALSE(ParseMoneyNumber("1e99999", "USD").ok());
  EXPECT_FALSE(ParseMoneyNumber("1e", "USD").ok());
  EXPECT_FALSE(ParseMoneyNumber("1e+", "USD").ok());
  EXPECT_FALSE(ParseMoney("1e3", "USD").ok());  // decimal strings take no exponent
}

TEST(MoneyTest, ExactParsingRejectsDigitsTheCurrencyDoesNotHave) {
  EXPECT_EQ(ParseMoneyExact("12.34", "USD")->minor, 1234);
  EXPECT_EQ(ParseMoneyExact("12.3400", "USD")->minor, 1234);  // zeros change nothing
  EXPECT_EQ(ParseMoneyExact("1000", "JPY")->minor, 1000);
  EXPECT_EQ(ParseMoneyNumberExact("1.2345e2", "USD")->minor, 12345);
  for (auto [text, currency] :
       {std::pair{"12.345", "USD"}, {"0.001", "EUR"}, {"5.5", "JPY"}, {"1.0001", "KWD"}}) {
    Result<Money> m = ParseMoneyExact(text, currency);
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_NE(m.status().message().find("rejected, not rounded"), std::string::npos);
    EXPECT_TRUE(ParseMoney(text, currency).ok());  // the rounding parser is unchanged
  }
  EXPECT_FALSE(ParseMoneyNumberExact("1.2345E1", "USD").ok());
  EXPECT_FALSE(ParseMoneyNumberExact("1e400", "USD").ok());
}

TEST(MoneyTest, FormatsExactDigits) {
  EXPECT_EQ(FormatMoney(Money{123450, "USD"}), "1234.50 USD");
  EXPECT_EQ(FormatMoney(Money{1500, "JPY"}), "1500 JPY");
  EXPECT_EQ(FormatMoney(Money{1, "KWD"}), "0.001 KWD");
  EXPECT_EQ(FormatDecimal(Money{0, "EUR"}), "0.00");
  EXPECT_EQ(FormatDecimal(Money{std::numeric_limits<int64_t>::min(), "USD"}),
            "-92233720368547758.08");
  for (const char* text : {"0.00", "-12.34", "99999999.99"}) {
    EXPECT_EQ(FormatDecimal(*ParseMoney(text, "USD")), text);
  }
}

TEST(MoneyTest, FromMinorUnitsChecksCurrency) {
  ASSERT_OK(MoneyFromMinorUnits(5, "USD"));
  EXPECT_FALSE(MoneyFromMinorUnits(5, "ABC").ok());
}

TEST(CurrencyRatesTest, ConvertsExactlyWithRounding) {
  CurrencyRates rates;
  rates.reporting_currency = "USD";
  rates.nano_rates["EUR"] = 1'080'000'000;  // 1 EUR = 1.08 USD
  rates.nano_rates["JPY"] = 6'700'000;      // 1 JPY = 0.0067 USD
  rates.nano_rates["KWD"] = 3'250'000'000;  // 1 KWD = 3.25 USD
  EXPECT_EQ(rates.ToReporting(Money{100000, "EUR"}), (Money{108000, "USD"}));
  EXPECT_EQ(rates.ToReporting(Money{1, "EUR"}), (Money{1, "USD"}));  // 1.08 cent -> 1
  EXPECT_EQ(rates.ToReporting(Money{-50, "EUR"}), (Money{-54, "USD"}));
  EXPECT_EQ(rates.ToReporting(Money{150, "JPY"}), (Money{101, "USD"}));  // 1.005 -> 1.01
  EXPECT_EQ(rates.ToReporting(Money{1000, "KWD"}), (Money{325, "USD"}));
  EXPECT_EQ(rates.ToReporting(Money{500, "USD"}), (Money{500, "USD"}));
  EXPECT_EQ(rates.ToReporting(Money{500, "GBP"}), std::nullopt);
  // EUR -> JPY through the reporting currency, one rounding only.
  EXPECT_EQ(rates.Convert(Money{100, "EUR"}, "JPY"), (Money{161, "JPY"}));  // 161.19
  EXPECT_EQ(rates.Convert(Money{std::numeric_limits<int64_t>::max(), "EUR"}, "JPY"),
            std::nullopt);  // overflow is refused, not wrapped
}

}  // namespace
}  // namespace dealsync
