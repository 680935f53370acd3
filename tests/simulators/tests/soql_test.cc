#include "tests/simulators/soql.h"

#include <gtest/gtest.h>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

const SoqlCatalog kCatalog{{"Id", SoqlType::kId},
                           {"IsDeleted", SoqlType::kBool},
                           {"SystemModstamp", SoqlType::kDateTime},
                           {"Name", SoqlType::kString},
                           {"Account.Name", SoqlType::kString},
                           {"Amount", SoqlType::kCurrency},
                           {"CloseDate", SoqlType::kDate}};

SoqlError ErrorOf(std::string_view q) {
  auto r = ParseSoql(q, kCatalog);
  EXPECT_TRUE(std::holds_alternative<SoqlError>(r)) << q;
  return std::holds_alternative<SoqlError>(r) ? std::get<SoqlError>(r) : SoqlError{};
}

TEST(Soql, ParsesTheConnectorsPollQuery) {
  auto r = ParseSoql(
      "SELECT Id, IsDeleted, SystemModstamp, account.name FROM Opportunity "
      "WHERE SystemModstamp >= 2026-11-23T10:00:00Z AND SystemModstamp <= "
      "2026-11-23T11:00:00+01:00 "
      "ORDER BY SystemModstamp ASC, Id ASC LIMIT 50",
      kCatalog);
  ASSERT_TRUE(std::holds_alternative<SoqlQuery>(r)) << std::get<SoqlError>(r).message;
  const auto& q = std::get<SoqlQuery>(r);
  EXPECT_EQ(q.select,
            (std::vector<std::string>{"Id", "IsDeleted", "SystemModstamp", "Account.Name"}));
  ASSERT_EQ(q.where.size(), 2u);
  EXPECT_EQ(q.where[0].op, ">=");
  EXPECT_EQ(q.where[0].values[0].time, *ParseIsoDateTime("2026-11-23T10:00:00Z"));
  EXPECT_EQ(q.where[1].values[0].time, *ParseIsoDateTime("2026-11-23T10:00:00Z"));
  ASSERT_EQ(q.order_by.size(), 2u);
  EXPECT_EQ(q.limit, 50);
}

TEST(Soql, ParsesIdIn) {
  auto r = ParseSoql("SELECT Id FROM Opportunity WHERE Id IN ('006A', '006B')", kCatalog);
  ASSERT_TRUE(std::holds_alternative<SoqlQuery>(r));
  EXPECT_EQ(std::get<SoqlQuery>(r).where[0].values.size(), 2u);
}

TEST(Soql, UnknownFieldIsInvalidField) {
  EXPECT_EQ(ErrorOf("SELECT Id, Foo FROM Opportunity").error_code, "INVALID_FIELD");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity ORDER BY Bar").error_code, "INVALID_FIELD");
}

TEST(Soql, QuotedDateTimeIsInvalidField) {
  auto e = ErrorOf("SELECT Id FROM Opportunity WHERE SystemModstamp >= '2026-11-23T10:00:00Z'");
  EXPECT_EQ(e.error_code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("should not be enclosed in quotes"), std::string::npos);
}

TEST(Soql, BadDateTimeFormatsAreMalformed) {
  for (const char* lit : {"2026-11-23", "2026-11-23T10:00:00", "2026-11-23T10:00:00.000Z",
                          "2026-11-23T10:00:00+0000", "2026-13-23T10:00:00Z"}) {
    EXPECT_EQ(ErrorOf(std::string("SELECT Id FROM Opportunity WHERE SystemModstamp >= ") + lit)
                  .error_code,
              "MALFORMED_QUERY")
        << lit;
  }
}

TEST(Soql, ShapeErrorsAreMalformed) {
  EXPECT_EQ(ErrorOf("SELECT FROM Opportunity").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id Opportunity").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity WHERE").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity ORDER SystemModstamp").error_code,
            "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity LIMIT x").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity WHERE Name = 'x").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity trailing").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity WHERE Name = x").error_code, "MALFORMED_QUERY");
}

TEST(Soql, WrongObjectIsInvalidType) {
  EXPECT_EQ(ErrorOf("SELECT Id FROM Account").error_code, "INVALID_TYPE");
}

TEST(Soql, OrIsFlaggedUnsupported) {
  auto e = ErrorOf("SELECT Id FROM Opportunity WHERE Name = 'a' OR Name = 'b'");
  EXPECT_TRUE(e.unsupported);
}

TEST(Soql, BooleanAndCurrencyLiteralsAreTyped) {
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity WHERE IsDeleted = 'true'").error_code,
            "INVALID_FIELD");
  EXPECT_EQ(ErrorOf("SELECT Id FROM Opportunity WHERE Amount > '5'").error_code, "INVALID_FIELD");
  EXPECT_TRUE(std::holds_alternative<SoqlQuery>(
      ParseSoql("SELECT Id FROM Opportunity WHERE IsDeleted = false AND Amount > 5.5", kCatalog)));
}

}  // namespace
}  // namespace dealsync::sim
