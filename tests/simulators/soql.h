// A strict parser for the subset of SOQL the simulators serve:
//   SELECT f1, f2, Rel.Name FROM Opportunity
//   [WHERE cond AND cond ...] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n]
// where cond is `field op literal` (op: = != < <= > >=) or `field IN (lit, ...)`.
// Field names are checked against a catalog (case-insensitively, as SOQL does)
// and every literal against its field's type: datetimes unquoted in the formats
// the SOQL reference lists (YYYY-MM-DDThh:mm:ssZ / ±hh:mm), dates unquoted,
// strings single-quoted, booleans true/false, numbers for currency.
// Errors carry the Salesforce errorCode the real API answers with.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dealsync/model.h"

namespace dealsync::sim {

enum class SoqlType { kId, kString, kDateTime, kDate, kBool, kCurrency };

// Canonical field name -> type. Relationship fields are listed as "Account.Name".
using SoqlCatalog = std::map<std::string, SoqlType>;

struct SoqlLiteral {
  SoqlType type = SoqlType::kString;
  std::string text;  // strings, ids, dates (YYYY-MM-DD)
  Timestamp time{};  // datetimes
  bool boolean = false;
  double number = 0;
  bool is_null = false;
};

struct SoqlCondition {
  std::string field;  // canonical spelling from the catalog
  std::string op;     // "=", "!=", "<", "<=", ">", ">=", "IN"
  std::vector<SoqlLiteral> values;
};

struct SoqlOrder {
  std::string field;
  bool ascending = true;
};

struct SoqlQuery {
  std::vector<std::string> select;   // canonical spellings, in the order given
  std::string object;                // "Opportunity"
  std::vector<SoqlCondition> where;  // all ANDed
  std::vector<SoqlOrder> order_by;
  std::optional<int> limit;
};

struct SoqlError {
  std::string error_code;  // MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE
  std::string message;
  bool unsupported = false;  // valid SOQL, but outside the simulated subset
};

std::variant<SoqlQuery, SoqlError> ParseSoql(std::string_view soql, const SoqlCatalog& catalog,
                                             std::string_view object = "Opportunity");

}  // namespace dealsync::sim
