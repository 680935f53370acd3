#include "tests/simulators/soql.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

enum class Tok { kWord, kString, kNumberish, kComma, kLParen, kRParen, kOp, kEnd };

struct Token {
  Tok kind;
  std::string text;
  size_t column;  // 1-based, as Salesforce reports it
};

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Splits SOQL into tokens; returns an error message on an unterminated string.
std::optional<std::string> Tokenize(std::string_view s, std::vector<Token>& out) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const size_t col = i + 1;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == ',') {
      out.push_back({Tok::kComma, ",", col});
      ++i;
    } else if (c == '(') {
      out.push_back({Tok::kLParen, "(", col});
      ++i;
    } else if (c == ')') {
      out.push_back({Tok::kRParen, ")", col});
      ++i;
    } else if (c == '\'') {
      std::string text;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          text.push_back(s[i + 1]);
          i += 2;
        } else if (s[i] == '\'') {
          closed = true;
          ++i;
          break;
        } else {
          text.push_back(s[i++]);
        }
      }
      if (!closed) {
        return "unterminated string literal at column " + std::to_string(col);
      }
      out.push_back({Tok::kString, text, col});
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      std::string op(1, c);
      if (i + 1 < s.size() && (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>'))) {
        op.push_back(s[i + 1]);
      }
      i += op.size();
      out.push_back({Tok::kOp, op, col});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
      // Numbers, dates and datetimes: one run of [0-9A-Za-z:.+-].
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == ':' ||
                              s[j] == '.' || s[j] == '+' || s[j] == '-')) {
        ++j;
      }
      out.push_back({Tok::kNumberish, std::string(s.substr(i, j - i)), col});
      i = j;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < s.size() && IsWordChar(s[j])) {
        ++j;
      }
      out.push_back({Tok::kWord, std::string(s.substr(i, j - i)), col});
      i = j;
    } else {
      return "unexpected character '" + std::string(1, c) + "' at column " + std::to_string(col);
    }
  }
  out.push_back({Tok::kEnd, "<EOF>", s.size() + 1});
  return std::nullopt;
}

// SOQL's documented dateTime literal formats (no fractional seconds).
std::optional<Timestamp> ParseSoqlDateTime(std::string_view text) {
  if (text.size() < 20 || text.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view zone = text.substr(19);
  if (zone != "Z" && !(zone.size() == 6 && zone[3] == ':')) {
    return std::nullopt;
  }
  return ParseIsoDateTime(text);
}

const char* TypeName(SoqlType t) {
  switch (t) {
    case SoqlType::kDateTime:
      return "dateTime";
    case SoqlType::kDate:
      return "date";
    case SoqlType::kBool:
      return "boolean";
    case SoqlType::kCurrency:
      return "currency";
    case SoqlType::kId:
      return "id";
    default:
      return "string";
  }
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const SoqlCatalog& catalog)
      : t_(std::move(tokens)), catalog_(catalog) {}

  std::variant<SoqlQuery, SoqlError> Run(std::string_view object) {
    SoqlQuery q;
    if (!Keyword("SELECT"))
      return Unexpected();
    do {
      auto f = Field();
      if (!f)
        return *error_;
      q.select.push_back(*f);
    } while (Accept(Tok::kComma));
    if (!Keyword("FROM"))
      return Unexpected();
    if (Peek().kind != Tok::kWord)
      return Unexpected();
    q.object = Next().text;
    if (Upper(q.object) != Upper(object)) {
      return SoqlError{
          "INVALID_TYPE",
          "sObject type '" + q.object +
              "' is not supported. If you are attempting "
              "to use a custom object, be sure to append the '__c' after the entity name.",
          false};
    }
    q.object = std::string(object);
    if (Keyword("WHERE")) {
      do {
        auto c = Condition();
        if (!c)
          return *error_;
        q.where.push_back(std::move(*c));
      } while (Keyword("AND"));
      if (Upper(Peek().text) == "OR") {
        return SoqlError{"MALFORMED_QUERY", "OR is outside the simulated SOQL subset", true};
      }
    }
    if (Keyword("ORDER")) {
      if (!Keyword("BY"))
        return Unexpected();
      do {
        auto f = Field();
        if (!f)
          return *error_;
        SoqlOrder o{*f, true};
        if (Keyword("DESC")) {
          o.ascending = false;
        } else {
          (void)Keyword("ASC");
        }
        if (Keyword("NULLS") && !Keyword("FIRST") && !Keyword("LAST"))
          return Unexpected();
        q.order_by.push_back(o);
      } while (Accept(Tok::kComma));
    }
    if (Keyword("LIMIT")) {
      int n = 0;
      const Token& tok = Peek();
      auto [p, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), n);
      if (tok.kind != Tok::kNumberish || ec != std::errc() ||
          p != tok.text.data() + tok.text.size() || n < 0) {
        return Unexpected();
      }
      Next();
      q.limit = n;
    }
    if (Peek().kind != Tok::kEnd)
      return Unexpected();
    return q;
  }

 private:
  const Token& Peek() const { return t_[pos_]; }
  const Token& Next() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(Tok k) {
    if (Peek().kind != k)
      return false;
    Next();
    return true;
  }
  bool Keyword(std::string_view kw) {
    if (Peek().kind != Tok::kWord || Upper(Peek().text) != kw)
      return false;
    Next();
    return true;
  }
  SoqlError Unexpected() const {
    return {"MALFORMED_QUERY",
            "ERROR at Row:1:Column:" + std::to_string(Peek().column) + "\nunexpected token: '" +
                Peek().text + "'",
            false};
  }
  SoqlError Fail(std::string code, std::string message) {
    error_ = SoqlError{std::move(code), std::move(message), false};
    return *error_;
  }

  std::optional<std::string> Field() {
    static const std::set<std::string> kReserved{"SELECT", "FROM", "WHERE", "AND", "OR",
                                                 "ORDER",  "BY",   "LIMIT", "NOT", "IN"};
    if (Peek().kind != Tok::kWord || kReserved.count(Upper(Peek().text))) {
      error_ = Unexpected();
      return std::nullopt;
    }
    const Token tok = Next();
    for (const auto& [name, type] : catalog_) {
      if (Upper(name) == Upper(tok.text)) {
        return name;
      }
    }
    Fail("INVALID_FIELD",
         "ERROR at Row:1:Column:" + std::to_string(tok.column) + "\nNo such column '" + tok.text +
             "' on entity 'Opportunity'. If you are attempting to use a custom field, be sure to "
             "append the '__c' after the custom field name.");
    return std::nullopt;
  }

  std::optional<SoqlLiteral> Literal(const std::string& field, SoqlType type) {
    const Token tok = Next();
    SoqlLiteral lit;
    lit.type = type;
    const std::string bad_type =
        "value of filter criterion for field '" + field + "' must be of type " + TypeName(type);
    if (tok.kind == Tok::kWord && Upper(tok.text) == "NULL") {
      lit.is_null = true;
      return lit;
    }
    switch (type) {
      case SoqlType::kDateTime:
      case SoqlType::kDate: {
        if (tok.kind == Tok::kString) {
          Fail("INVALID_FIELD", bad_type + " and should not be enclosed in quotes");
          return std::nullopt;
        }
        auto t = type == SoqlType::kDate ? ParseIsoDate(tok.text) : ParseSoqlDateTime(tok.text);
        if (tok.kind != Tok::kNumberish || !t) {
          Fail("MALFORMED_QUERY", "ERROR at Row:1:Column:" + std::to_string(tok.column) + "\n" +
                                      bad_type + ": '" + tok.text + "' is not a valid " +
                                      TypeName(type) + " literal");
          return std::nullopt;
        }
        lit.time = *t;
        lit.text = tok.text;
        return lit;
      }
      case SoqlType::kBool:
        if (tok.kind != Tok::kWord || (Upper(tok.text) != "TRUE" && Upper(tok.text) != "FALSE")) {
          Fail("INVALID_FIELD", bad_type + " and should not be enclosed in quotes");
          return std::nullopt;
        }
        lit.boolean = Upper(tok.text) == "TRUE";
        return lit;
      case SoqlType::kCurrency: {
        double v = 0;
        auto [p, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), v);
        if (tok.kind != Tok::kNumberish || ec != std::errc() ||
            p != tok.text.data() + tok.text.size()) {
          Fail("INVALID_FIELD", bad_type + " and should not be enclosed in quotes");
          return std::nullopt;
        }
        lit.number = v;
        return lit;
      }
      default:
        if (tok.kind != Tok::kString) {
          Fail("MALFORMED_QUERY", "ERROR at Row:1:Column:" + std::to_string(tok.column) +
                                      "\nunexpected token: '" + tok.text + "'");
          return std::nullopt;
        }
        lit.text = tok.text;
        return lit;
    }
  }

  std::optional<SoqlCondition> Condition() {
    if (Peek().kind == Tok::kLParen) {
      Fail("MALFORMED_QUERY", "parenthesised conditions are outside the simulated SOQL subset");
      error_->unsupported = true;
      return std::nullopt;
    }
    auto field = Field();
    if (!field)
      return std::nullopt;
    const SoqlType type = catalog_.at(*field);
    SoqlCondition c{*field, "", {}};
    if (Keyword("IN")) {
      c.op = "IN";
      if (!Accept(Tok::kLParen)) {
        error_ = Unexpected();
        return std::nullopt;
      }
      do {
        auto lit = Literal(*field, type);
        if (!lit)
          return std::nullopt;
        c.values.push_back(*lit);
      } while (Accept(Tok::kComma));
      if (!Accept(Tok::kRParen)) {
        error_ = Unexpected();
        return std::nullopt;
      }
      return c;
    }
    static const std::vector<std::string> kOps{"=", "!=", "<>", "<", "<=", ">", ">="};
    if (Peek().kind != Tok::kOp || std::find(kOps.begin(), kOps.end(), Peek().text) == kOps.end()) {
      error_ = Unexpected();
      return std::nullopt;
    }
    c.op = Next().text == "<>" ? "!=" : t_[pos_ - 1].text;
    auto lit = Literal(*field, type);
    if (!lit)
      return std::nullopt;
    c.values.push_back(*lit);
    return c;
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  const SoqlCatalog& catalog_;
  std::optional<SoqlError> error_;
};

}  // namespace

std::variant<SoqlQuery, SoqlError> ParseSoql(std::string_view soql, const SoqlCatalog& catalog,
                                             std::string_view object) {
  std::vector<Token> tokens;
  if (auto err = Tokenize(soql, tokens)) {
    return SoqlError{"MALFORMED_QUERY", *err, false};
  }
  Parser parser(std::move(tokens), catalog);
  return parser.Run(object);
}

}  // namespace dealsync::sim
