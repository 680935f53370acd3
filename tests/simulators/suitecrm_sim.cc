// SuiteCrmSim. Source tags: [S7] salesagility/SuiteCRM v7.14.6 (its Api/ is
// SuiteCRM 8's public/legacy/Api), [LOA] thephpleague/oauth2-server 8.4.2,
// [SLIM] slimphp/Slim 3.12.4, [SYM] symfony/options-resolver + validator 3.4.47
// (the versions SuiteCRM's composer.lock pins), [D-JSON] SuiteDocs' JSON API guide
// (docs.suitecrm.com/developer/api/developer-setup-guide/json-api/), [D8] SuiteDocs'
// SuiteCRM 8 API page (docs.suitecrm.com/8.x/developer/api/).
#include "tests/simulators/suitecrm_sim.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <regex>
#include <set>
#include <string_view>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

using OJson = nlohmann::ordered_json;

constexpr std::string_view kBasePath = "/legacy/Api/";
constexpr std::string_view kV8MediaType = "application/vnd.api+json";
constexpr std::string_view kModule = "Opportunities";
constexpr std::string_view kAccessDenied =
    "The resource owner or authorization server denied the request.";
constexpr std::string_view kInvalidRequest =
    "The request is missing a required parameter, includes an invalid parameter value, includes "
    "a parameter more than once, or is otherwise malformed.";

// ---- Opportunity vardefs ----------------------------------------------------

enum class Kind {
  kId,        // char(36)
  kText,      // varchar / text / enum
  kDateTime,  // datetime, stored at second resolution
  kDate,      // date
  kNumber,    // double
  kDeleted,   // bool
  kRelate,    // non-db: filled from a related record on read
  kLink,      // non-db relationship link
};

struct FieldDef {
  std::string_view name;
  Kind kind;
  int length;  // column size in characters; 0: unbounded
};

// Opportunity's field_defs in SugarBean order: VardefManager::addTemplate prepends the
// basic, assignable and security_groups templates, then come modules/Opportunities/vardefs.php
// and the custom fields ([S7] include/SugarObjects/VardefManager.php,
// include/SugarObjects/templates/basic/vardefs.php, include/SugarObjects/implements/*/vardefs.php,
// modules/Opportunities/vardefs.php). toArray() walks this order, so attributes do too.
constexpr FieldDef kFields[] = {
    {"id", Kind::kId, 36},
    {"name", Kind::kText, 50},
    {"date_entered", Kind::kDateTime, 0},
    {"date_modified", Kind::kDateTime, 0},
    {"modified_user_id", Kind::kId, 36},
    {"modified_by_name", Kind::kRelate, 0},
    {"created_by", Kind::kId, 36},
    {"created_by_name", Kind::kRelate, 0},
    {"description", Kind::kText, 0},
    {"deleted", Kind::kDeleted, 0},
    {"created_by_link", Kind::kLink, 0},
    {"modified_user_link", Kind::kLink, 0},
    {"assigned_user_id", Kind::kId, 36},
    {"assigned_user_name", Kind::kRelate, 0},
    {"assigned_user_link", Kind::kLink, 0},
    {"SecurityGroups", Kind::kLink, 0},
    {"opportunity_type", Kind::kText, 255},
    {"account_name", Kind::kRelate, 0},
    {"account_id", Kind::kRelate, 36},
    {"campaign_id", Kind::kId, 36},
    {"campaign_name", Kind::kRelate, 0},
    {"campaign_opportunities", Kind::kLink, 0},
    {"lead_source", Kind::kText, 50},
    {"amount", Kind::kNumber, 0},
    {"amount_usdollar", Kind::kNumber, 0},
    {"currency_id", Kind::kId, 36},
    {"currency_name", Kind::kRelate, 0},
    {"currency_symbol", Kind::kRelate, 0},
    {"date_closed", Kind::kDate, 0},
    {"next_step", Kind::kText, 100},
    {"sales_stage", Kind::kText, 255},
    {"probability", Kind::kNumber, 0},
    {"accounts", Kind::kLink, 0},
    {"contacts", Kind::kLink, 0},
    {"tasks", Kind::kLink, 0},
    {"notes", Kind::kLink, 0},
    {"meetings", Kind::kLink, 0},
    {"calls", Kind::kLink, 0},
    {"emails", Kind::kLink, 0},
    {"documents", Kind::kLink, 0},
    {"project", Kind::kLink, 0},
    {"leads", Kind::kLink, 0},
    {"campaigns", Kind::kLink, 0},
    {"campaign_link", Kind::kLink, 0},
    {"currencies", Kind::kLink, 0},
    {"aos_quotes", Kind::kLink, 0},
    {"aos_contracts", Kind::kLink, 0},
    {"deal_registration_id_c", Kind::kText, 255},
    {"vendor_opportunity_id_c", Kind::kText, 255},
};

// RelationshipObjectHelper::getRelationships: the link fields that name a module, sorted by
// module (asort, stable in PHP 8), one per module (array_unique keeps the first: created_by_link
// for Users) ([S7] Api/V8/JsonApi/Helper/RelationshipObjectHelper.php,
// Api/V8/Helper/VarDefHelper.php).
constexpr std::pair<std::string_view, std::string_view> kRelationships[] = {
    {"AOS_Contracts", "aos_contracts"},   {"AOS_Quotes", "aos_quotes"},   {"Accounts", "accounts"},
    {"CampaignLog", "campaigns"},         {"Campaigns", "campaign_link"}, {"Contacts", "contacts"},
    {"SecurityGroups", "SecurityGroups"}, {"Users", "created_by_link"},
};

// sales_probability_dom ([S7] include/language/en_us.lang.php).
const std::map<std::string, double, std::less<>> kDefaultProbability{
    {"Prospecting", 10},          {"Qualification", 20},
    {"Needs Analysis", 25},       {"Value Proposition", 30},
    {"Id. Decision Makers", 40},  {"Perception Analysis", 50},
    {"Proposal/Price Quote", 65}, {"Negotiation/Review", 80},
    {"Closed Won", 100},          {"Closed Lost", 0}};

const FieldDef* FindField(std::string_view name) {
  for (const FieldDef& f : kFields) {
    if (f.name == name)
      return &f;
  }
  return nullptr;
}

bool IsNonDb(const FieldDef& f) {
  return f.kind == Kind::kRelate || f.kind == Kind::kLink;
}

// ---- small text helpers -----------------------------------------------------

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// -?digits[.digits]: what a double column takes without a cast warning.
bool IsDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-')
    s.remove_prefix(1);
  const size_t dot = s.find('.');
  return AllDigits(s.substr(0, dot)) &&
         (dot == std::string_view::npos || AllDigits(s.substr(dot + 1)));
}

// Shortest round-trip spelling: how MySQL prints a DOUBLE and PHP 8 casts a float.
std::string FormatNumber(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

// PHP's (int) of a digit string: saturates at PHP_INT_MAX.
int64_t PhpInt(const std::string& digits) {
  return ParseInt(digits).value_or(std::numeric_limits<int64_t>::max());
}

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at - start));
    if (at == std::string_view::npos)
      return out;
    start = at + 1;
  }
}

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Base64(std::string_view bytes, bool url) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0)
    out.push_back(alphabet[(buffer << (6 - bits)) & 63]);
  if (!url) {
    while (out.size() % 4 != 0)
      out.push_back('=');
  }
  return out;
}

// PHP base64_decode: `strict` fails on characters outside the alphabet (lcobucci/jwt's
// Base64Url decoding); otherwise they are skipped (league's HTTP Basic parsing).
std::optional<std::string> Base64Decode(std::string_view text, bool url, bool strict) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || (url && c == '-')) {
      v = 62;  // lcobucci maps -_ to +/ before decoding, so both spellings pass
    } else if (c == '/' || (url && c == '_')) {
      v = 63;
    } else if (c == '=') {
      break;
    }
    if (v < 0) {
      if (strict)
        return std::nullopt;
      continue;
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// ---- times ------------------------------------------------------------------

// A datetime column value: "YYYY-MM-DD HH:MM:SS" (UTC, TimeDate::nowDb()).
std::string DbDateTime(Timestamp t) {
  std::string s = IsoSecondsZ(t);
  s[10] = ' ';
  s.pop_back();
  return s;
}

// "YYYY-MM-DD HH:MM:SS", or MySQL's "YYYY-MM-DD HH:MM" (seconds 0).
std::optional<Timestamp> ParseDbDateTime(std::string_view s) {
  if ((s.size() != 19 && s.size() != 16) || s[10] != ' ')
    return std::nullopt;
  std::string iso(s);
  iso[10] = 'T';
  if (iso.size() == 16)
    iso += ":00";
  return ParseIsoDateTime(iso + "Z");
}

// ---- PHP arrays: parse_str, http_build_query --------------------------------

size_t NextIndex(const OJson& node) {
  size_t next = 0;
  for (const auto& [key, value] : node.items()) {
    if (AllDigits(key) && key.size() < 18)
      next = std::max(next, static_cast<size_t>(std::stoull(key)) + 1);
  }
  return next;
}

// The PHP array parse_str() makes of decoded query (or form) pairs: "a[b][c]=v" nests,
// "a[]" appends, a later key wins in place, dots and spaces of the top name become '_'.
OJson PhpArray(const std::vector<std::pair<std::string, std::string>>& pairs) {
  OJson root = OJson::object();
  for (const auto& [raw_key, value] : pairs) {
    const size_t open = raw_key.find('[');
    std::string top = raw_key.substr(0, open);
    std::replace(top.begin(), top.end(), ' ', '_');
    std::replace(top.begin(), top.end(), '.', '_');
    if (top.empty())
      continue;
    std::vector<std::string> path{top};
    for (size_t pos = open;
         pos != std::string::npos && pos < raw_key.size() && raw_key[pos] == '[';) {
      const size_t close = raw_key.find(']', pos);
      if (close == std::string::npos)
        break;
      path.push_back(raw_key.substr(pos + 1, close - pos - 1));
      pos = close + 1;
    }
    OJson* node = &root;
    for (size_t i = 0; i < path.size(); ++i) {
      if (!node->is_object())
        *node = OJson::object();
      const std::string key = path[i].empty() && i > 0 ? std::to_string(NextIndex(*node)) : path[i];
      if (i + 1 == path.size()) {
        (*node)[key] = value;
      } else {
        node = &(*node)[key];
      }
    }
  }
  return root;
}

// urldecode(http_build_query($params)): brackets and values come out raw (spaces stay spaces).
void BuildQuery(const OJson& node, const std::string& prefix, std::string& out) {
  for (const auto& [key, value] : node.items()) {
    const std::string name = prefix.empty() ? key : prefix + "[" + key + "]";
    if (value.is_object()) {
      BuildQuery(value, name, out);
      continue;
    }
    out += (out.empty() ? "" : "&") + name + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  }
}

bool IsPhpArray(const OJson& v) {
  return v.is_object() || v.is_array();
}

std::vector<const OJson*> PhpValues(const OJson& v) {
  std::vector<const OJson*> out;
  for (const auto& item : v)
    out.push_back(&item);
  return out;
}

std::vector<std::string> PhpKeys(const OJson& v) {
  std::vector<std::string> out;
  if (v.is_object()) {
    for (const auto& [key, value] : v.items())
      out.push_back(key);
  } else {
    for (size_t i = 0; i < v.size(); ++i)
      out.push_back(std::to_string(i));
  }
  return out;
}

// Slim's Request::getParsedBody(): JSON (the media type, or any "+json" suffix) and form bodies
// become a PHP array; anything else, or JSON that is not an object/array, is null
// ([SLIM] Slim/Http/Request.php getMediaType, registerMediaTypeParser).
std::optional<OJson> ParsedBody(const HttpRequest& request) {
  const auto content_type = FindHeader(request.headers, "Content-Type");
  if (!content_type)
    return std::nullopt;
  std::string media = Lower(content_type->substr(0, content_type->find_first_of(";,")));
  media.erase(std::remove(media.begin(), media.end(), ' '), media.end());
  if (const size_t plus = media.rfind('+'); plus != std::string::npos)
    media = "application/" + media.substr(plus + 1);
  if (media == "application/x-www-form-urlencoded")
    return PhpArray(ParseForm(request.body));
  if (media != "application/json")
    return std::nullopt;
  OJson body = OJson::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_array()) {
    OJson list = OJson::object();  // a JSON list is a PHP array keyed 0, 1, ...
    for (size_t i = 0; i < body.size(); ++i)
      list[std::to_string(i)] = body[i];
    return list;
  }
  if (body.is_discarded() || !body.is_object())
    return std::nullopt;
  return body;
}

// ---- Symfony OptionsResolver / Validator messages [SYM] ----------------------

std::string Quoted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out;
}

// OptionsResolver::formatValue.
std::string FormatValue(const OJson& v) {
  if (IsPhpArray(v))
    return "array";
  if (v.is_string())
    return "\"" + v.get<std::string>() + "\"";
  if (v.is_null())
    return "null";
  return v.dump();
}

// gettype().
std::string PhpType(const OJson& v) {
  if (IsPhpArray(v))
    return "array";
  if (v.is_string())
    return "string";
  if (v.is_boolean())
    return "boolean";
  if (v.is_null())
    return "NULL";
  return v.is_number_float() ? "double" : "integer";
}

std::optional<std::string> UndefinedOptions(const OJson& options,
                                            const std::vector<std::string>& defined) {
  std::vector<std::string> unknown;
  for (const std::string& key : PhpKeys(options)) {
    if (std::find(defined.begin(), defined.end(), key) == defined.end())
      unknown.push_back(key);
  }
  if (unknown.empty())
    return std::nullopt;
  return (unknown.size() > 1 ? "The options " + Quoted(unknown) + " do not exist."
                             : "The option " + Quoted(unknown) + " does not exist.") +
         " Defined options are: " + Quoted(defined) + ".";
}

std::optional<std::string> MissingOptions(const OJson& options,
                                          const std::vector<std::string>& required) {
  std::vector<std::string> missing;
  for (const auto& name : required) {
    if (!options.contains(name))
      missing.push_back(name);
  }
  if (missing.empty())
    return std::nullopt;
  return missing.size() > 1 ? "The required options " + Quoted(missing) + " are missing."
                            : "The required option " + Quoted(missing) + " is missing.";
}

std::string TypeMismatch(const std::string& name, const OJson& v, const std::string& expected) {
  return "The option \"" + name + "\" with value " + FormatValue(v) +
         " is expected to be of type \"" + expected + "\", but is of type \"" + PhpType(v) + "\".";
}

std::string InvalidOption(const std::string& name, const OJson& v) {
  return "The option \"" + name + "\" with value " + FormatValue(v) + " is invalid.";
}

// The Regex constraint's UnexpectedTypeException for a nested array.
constexpr std::string_view kNotAString = "Expected argument of type \"string\", \"array\" given";

// The NotBlank constraint: null, false, "" and empty arrays.
bool IsBlank(const OJson& v) {
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) ||
         (v.is_string() && v.get<std::string>().empty()) || (IsPhpArray(v) && v.empty());
}

// ModuleName::REGEX_MODULE_NAME_PATTERN /^(\d|\W)|\W/ must not match.
bool IsModuleName(std::string_view s) {
  return !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), IsWordChar);
}

// Options\Id: /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i
// ([S7] Api/V8/Param/Options/Id.php).
bool IsRecordId(std::string_view s) {
  static const std::regex kId(
      "^([0-9]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", std::regex::icase);
  return std::regex_match(s.begin(), s.end(), kId);
}

bool IsOpportunities(std::string_view module) {
  // "Opportunity" resolves through the bean aliases ([S7] Api/V8/Config/services/beanAliases.php).
  return module == kModule || module == "Opportunity";
}

// ---- SQL semantics of the filter and sort -----------------------------------

struct Condition {
  const FieldDef* field;
  std::string op;     // lower case: eq neq gt gte lt lte like
  std::string value;  // datetimes normalized to "YYYY-MM-DD HH:MM:SS"
};

// The column value SQL sees; nullopt is NULL.
std::optional<std::string> DbValue(const SimRecord& r, const FieldDef& f) {
  if (f.name == "id")
    return r.id;
  switch (f.kind) {
    case Kind::kDateTime:
      return DbDateTime(f.name == "date_entered" ? r.created_at : r.modified_at);
    case Kind::kDeleted:
      return r.deleted ? "1" : "0";
    case Kind::kRelate:
    case Kind::kLink:
      return std::nullopt;
    case Kind::kNumber: {
      const auto it = r.fields.find(std::string(f.name));
      if (it == r.fields.end() || !it->is_number())
        return std::nullopt;
      return FormatNumber(it->get<double>());
    }
    default: {
      const auto it = r.fields.find(std::string(f.name));
      if (it == r.fields.end() || !it->is_string())
        return std::nullopt;
      return it->get<std::string>();
    }
  }
}

// MySQL's default collations compare case-insensitively and ignore trailing spaces.
std::string Collate(std::string_view s) {
  std::string out = Lower(s);
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

int CompareValues(const FieldDef& f, const std::string& a, const std::string& b) {
  if (f.kind == Kind::kNumber || f.kind == Kind::kDeleted) {
    const double x = std::strtod(a.c_str(), nullptr);
    const double y = std::strtod(b.c_str(), nullptr);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return Collate(a).compare(Collate(b));
}

// SQL LIKE with % and _ and backslash escapes, on already folded text.
bool Like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      if (p[pi] == '%') {
        star_p = pi++;
        star_s = si;
        continue;
      }
      const bool escaped = p[pi] == '\\' && pi + 1 < p.size();
      const char want = escaped ? p[pi + 1] : p[pi];
      if ((!escaped && want == '_') || want == s[si]) {
        ++si;
        pi += escaped ? 2 : 1;
        continue;
      }
    }
    if (star_p == std::string_view::npos)
      return false;
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '%')
    ++pi;
  return pi == p.size();
}

bool Holds(const SimRecord& r, const Condition& c) {
  const std::optional<std::string> v = DbValue(r, *c.field);
  if (!v)
    return false;  // comparisons with NULL are never true
  if (c.op == "like")
    return Like(Lower(*v), Lower(c.value));
  const int cmp = CompareValues(*c.field, *v, c.value);
  if (c.op == "eq")
    return cmp == 0;
  if (c.op == "neq")
    return cmp != 0;
  if (c.op == "gt")
    return cmp > 0;
  if (c.op == "gte")
    return cmp >= 0;
  if (c.op == "lt")
    return cmp < 0;
  return cmp <= 0;
}

// ORDER BY: NULLs first, then by column value.
int CompareRows(const FieldDef& f, const SimRecord& a, const SimRecord& b) {
  const auto x = DbValue(a, f), y = DbValue(b, f);
  if (!x || !y)
    return x ? 1 : (y ? -1 : 0);
  return CompareValues(f, *x, *y);
}

// ---- responses --------------------------------------------------------------

HttpResponse Response(int status, std::string content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

// BaseController::generateResponse: pretty JSON, and it sets Accept on the response too
// ([S7] Api/V8/Controller/BaseController.php).
HttpResponse V8Json(int status, const OJson& body) {
  HttpResponse r = Response(status, std::string(kV8MediaType), body.dump(4));
  r.headers.emplace_back("Accept", kV8MediaType);
  return r;
}

enum class SlimType { kJson, kXml, kHtml };

// AbstractHandler::determineContentType: the first Accept item (split on ',', untrimmed) that
// is a known type, else a +json/+xml suffix, else HTML ([SLIM] Slim/Handlers/AbstractHandler.php).
SlimType SlimContentType(const HttpRequest& request) {
  const std::string accept(FindHeader(request.headers, "Accept").value_or(""));
  for (const auto& item : Split(accept, ',')) {
    if (item == "application/json")
      return SlimType::kJson;
    if (item == "application/xml" || item == "text/xml")
      return SlimType::kXml;
    if (item == "text/html")
      return SlimType::kHtml;
  }
  if (accept.find("+json") != std::string::npos)
    return SlimType::kJson;
  if (accept.find("+xml") != std::string::npos)
    return SlimType::kXml;
  return SlimType::kHtml;
}

// Slim's NotFound / NotAllowed handlers ([SLIM] Slim/Handlers/NotFound.php, NotAllowed.php).
HttpResponse SlimError(const HttpRequest& request, int status, const std::string& message,
                       const std::string& title) {
  switch (SlimContentType(request)) {
    case SlimType::kJson:
      return Response(status, "application/json", OJson({{"message", message}}).dump());
    case SlimType::kXml:
      return Response(status, "application/xml", "<root><message>" + message + "</message></root>");
    case SlimType::kHtml:
      break;
  }
  return Response(status, "text/html",
                  "<html>\n    <head>\n        <title>" + title +
                      "</title>\n    </head>\n    "
                      "<body>\n        <h1>" +
                      title + "</h1>\n        <p>" + message + "</p>\n    </body>\n</html>");
}

// ---- routes -----------------------------------------------------------------

enum class Op { kToken, kList, kGet, kUpdate, kOther };

struct Route {
  std::string_view pattern;  // "{}" is one path segment
  std::string_view methods;  // Slim's Allow header, in registration order
  Op op;
};

// [S7] Api/V8/Config/routes.php, under the /legacy/Api base path.
constexpr Route kRoutes[] = {
    {"access_token", "POST", Op::kToken},
    {"V8/logout", "POST", Op::kOther},
    {"V8/search-defs/module/{}", "GET", Op::kOther},
    {"V8/listview/columns/{}", "GET", Op::kOther},
    {"V8/current-user", "GET", Op::kOther},
    {"V8/meta/modules", "GET", Op::kOther},
    {"V8/meta/fields/{}", "GET", Op::kOther},
    {"V8/user-preferences/{}", "GET", Op::kOther},
    {"V8/meta/swagger.json", "GET", Op::kOther},
    {"V8/module/{}", "GET", Op::kList},
    {"V8/module/{}/{}", "GET, DELETE", Op::kGet},
    {"V8/module", "POST, PATCH", Op::kUpdate},
    {"V8/module/{}/{}/relationships/{}", "GET, POST", Op::kOther},
    {"V8/module/{}/{}/relationships", "POST", Op::kOther},
    {"V8/module/{}/{}/relationships/{}/{}", "DELETE", Op::kOther},
};

const Route* FindRoute(const std::vector<std::string>& segments) {
  for (const Route& route : kRoutes) {
    const std::vector<std::string> pattern = Split(route.pattern, '/');
    if (pattern.size() != segments.size())
      continue;
    bool match = true;
    for (size_t i = 0; i < pattern.size() && match; ++i)
      match = pattern[i] == "{}" ? !segments[i].empty() : pattern[i] == segments[i];
    if (match)
      return &route;
  }
  return nullptr;
}

bool Allows(const Route& route, std::string_view method) {
  for (const auto& m : Split(route.methods, ',')) {
    if (std::string_view(m).substr(m.find_first_not_of(' ')) == method)
      return true;
  }
  return false;
}

// PHP's string conversion of a JSON scalar as it reaches a bean property; nullopt is null.
std::optional<std::string> PhpString(const Json& v) {
  if (v.is_null())
    return std::nullopt;
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_boolean())
    return v.get<bool>() ? "1" : "";
  if (v.is_number_float())
    return FormatNumber(v.get<double>());
  return v.dump();
}

// Fields\REGEX_FIELD_PATTERN /[^\w\-,]/ must not match ([S7] Api/V8/Param/Options/Fields.php).
bool IsFieldList(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsWordChar(c) || c == '-' || c == ','; });
}

}  // namespace

struct SuiteCrmSim::ListQuery {
  std::vector<Condition> conditions;
  bool any_of = false;   // filter[operator]=or
  bool deleted = false;  // filter[deleted][eq]=1
  // Set when the WHERE names a non-db column: the SQL fails and SuiteCRM finds nothing.
  std::string broken_sql;
  const FieldDef* sort = nullptr;
  bool descending = false;
  std::optional<std::vector<std::string>> fields;
  std::optional<int64_t> size;
  std::optional<int64_t> number;
};

SuiteCrmSim::SuiteCrmSim(Clock& clock, Random& random, SuiteCrmSimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {}

bool SuiteCrmSim::KnownStage(const std::string& stage) const {
  return std::find(config_.sales_stages.begin(), config_.sales_stages.end(), stage) !=
         config_.sales_stages.end();
}

// create_guid(): 5 hex digits of the microseconds, 3 random, three groups of 4 random, 6 hex
// digits of the epoch seconds, 6 random ([S7] include/utils.php). The microseconds step on past
// ids already taken (a frozen test clock and scripted randomness repeat themselves).
std::string SuiteCrmSim::NewId() {
  const auto since_epoch = Now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch % std::chrono::seconds(1))
          .count();
  for (;; ++micros) {
    std::string dec = Hex(static_cast<uint64_t>(micros % 1'000'000));
    dec.resize(5, '0');  // ensure_length pads on the right or cuts
    std::string sec = Hex(static_cast<uint64_t>(seconds));
    sec.resize(6, '0');
    std::string id = dec + RandomHex(3) + "-" + RandomHex(4) + "-" + RandomHex(4) + "-" +
                     RandomHex(4) + "-" + sec + RandomHex(6);
    if (records().Find(id) == nullptr)
      return id;
  }
}

// A league access token is a JWT: {"typ":"JWT","alg":"RS256"}, claims aud (client), jti (80 hex
// digits), iat, nbf, exp, sub ("" for client_credentials) and scopes, RS256-signed
// ([LOA] src/Entities/Traits/AccessTokenTrait.php convertToJWT,
// AbstractGrant::generateUniqueIdentifier).
std::string SuiteCrmSim::IssueToken() {
  const int64_t now = std::chrono::floor<std::chrono::seconds>(Now()).time_since_epoch().count();
  const Json claims = {{"aud", config_.client_id},
                       {"jti", RandomHex(80)},
                       {"iat", now},
                       {"nbf", now},
                       {"exp", now + config_.token_lifetime.count()},
                       {"sub", ""},
                       {"scopes", Json::array()}};
  std::string signature;
  for (int i = 0; i < 256; ++i)
    signature.push_back(static_cast<char>(random().Uniform(256)));
  std::string jwt = Base64(R"({"typ":"JWT","alg":"RS256"})", true) + "." +
                    Base64(claims.dump(), true) + "." + Base64(signature, true);
  tokens_[jwt] = Token{Now() + config_.token_lifetime};
  return jwt;
}

void SuiteCrmSim::ExpireTokens() {
  // AccessTokenRepository::isAccessTokenRevoked then answers "revoked" for them.
  for (auto& [jwt, token] : tokens_)
    token.revoked = true;
}

std::string SuiteCrmSim::EndpointLabel(const HttpRequest& request, const RequestTarget& t) const {
  static const std::regex kRecord("^(.*/V8/module/[^/]+)/[^/]+");
  return request.method + " " + std::regex_replace(t.path, kRecord, "$1/{id}");
}

// SuiteCRM sends no rate-limit headers (none are documented in [D-JSON] or [D8]); every answer of
// Api/index.php carries the CORS headers Api/Core/app.php sets, PATCH missing from the
// methods (SuiteCRM issue #10462).
void SuiteCrmSim::AddLimitHeaders(HttpResponse& response) {
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  response.headers.emplace_back("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE");
  response.headers.emplace_back(
      "Access-Control-Allow-Headers",
      "Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With");
}

HttpResponse SuiteCrmSim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit: {
      // SuiteCRM does not limit rates itself; a fronting proxy or WAF answers.
      HttpResponse r = Response(429, "text/html",
                                "<html><head><title>429 Too Many Requests</title></head><body>"
                                "<h1>Too Many Requests</h1></body></html>");
      r.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_s));
      return r;
    }
    case FaultKind::kExpireToken: {
      OJson body = {{"error", "access_denied"},
                    {"error_description", kAccessDenied},
                    {"hint", "Access token has been revoked"},
                    {"message", kAccessDenied}};
      return Response(401, "application/json", body.dump());
    }
    default: {
      if (rule.status == 500) {
        // Slim's error handler without displayErrorDetails ([SLIM] Slim/Handlers/Error.php).
        return Response(500, "application/json", R"({"message":"Slim Application Error"})");
      }
      // Other 5xx come from the web server or a proxy in front of PHP.
      const std::string reason = rule.status == 502   ? "Bad Gateway"
                                 : rule.status == 504 ? "Gateway Timeout"
                                                      : "Service Unavailable";
      HttpResponse r = Response(rule.status, "text/html",
                                "<html><head><title>" + std::to_string(rule.status) + " " + reason +
                                    "</title></head><body><h1>" + reason + "</h1></body></html>");
      if (rule.retry_after_s > 0 && rule.status == 503)
        r.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_s));
      return r;
    }
  }
}

HttpResponse SuiteCrmSim::V8Error(const HttpRequest& request, const RequestTarget& target,
                                  const Problem& problem, bool benign) {
  if (!benign)
    Violate(request, target, problem.rule, problem.detail);
  // ErrorResponse::jsonSerialize: "errors" is one object, title always null, status an int
  // ([S7] Api/V8/JsonApi/Response/ErrorResponse.php).
  OJson errors = OJson::object();
  errors["status"] = 400;
  errors["title"] = nullptr;
  errors["detail"] = problem.detail;
  const OJson body = {{"errors", errors}};
  if (problem.from_controller)
    return V8Json(400, body);
  // ParamsMiddleware answers with Slim's withJson ([S7] Api/V8/Middleware/ParamsMiddleware.php).
  return Response(400, "application/json;charset=utf-8", body.dump(4));
}

// OAuthServerException::getPayload / generateHttpResponse: error, error_description, hint (when
// set), message (= error_description), compact JSON as application/json
// ([LOA] src/Exception/OAuthServerException.php).
HttpResponse SuiteCrmSim::OAuthError(const HttpRequest& request, const RequestTarget& target,
                                     const std::string& rule, int status, const std::string& error,
                                     const std::string& description, const std::string& hint,
                                     bool benign) {
  if (!benign)
    Violate(request, target, rule, hint.empty() ? description : hint);
  OJson body = OJson::object();
  body["error"] = error;
  body["error_description"] = description;
  if (!hint.empty())
    body["hint"] = hint;
  body["message"] = description;
  return Response(status, "application/json", body.dump());
}

HttpResponse SuiteCrmSim::Serve(const HttpRequest& request, const RequestTarget& target) {
  if (target.path.rfind(kBasePath, 0) != 0) {
    // SuiteCRM 8 serves the API from public/legacy/Api ([D8]).
    Violate(request, target, "route.base_path",
            target.path + " is outside " + std::string(kBasePath) +
                " (SuiteCRM 8 serves the V8 API from public/legacy/Api)");
    return Response(404, "text/html", "<html><body><h1>Not Found</h1></body></html>");
  }
  std::string app_path = target.path.substr(kBasePath.size());
  // Slim drops the script name when the client spells it ([SLIM] Slim/Http/Uri.php).
  if (app_path.rfind("index.php/", 0) == 0)
    app_path.erase(0, 10);
  const std::vector<std::string> segments = Split(app_path, '/');
  const Route* route = FindRoute(segments);
  if (route == nullptr) {
    Violate(request, target, "route.not_found", request.method + " " + target.path);
    return SlimError(request, 404, "Not found", "Page Not Found");
  }
  if (!Allows(*route, request.method)) {
    const std::string allow(route->methods);
    HttpResponse r;
    if (request.method == "OPTIONS") {
      r = Response(200, "text/plain", "Allowed methods: " + allow);  // a CORS preflight
    } else {
      // E.g. PATCH .../module/Opportunities/{id}: the id goes in the body of PATCH /V8/module.
      Violate(request, target, "route.method_not_allowed",
              request.method + " " + target.path + " (allowed: " + allow + ")");
      r = SlimError(request, 405, "Method not allowed. Must be one of: " + allow,
                    "Method not allowed");
    }
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  if (route->op == Op::kToken)
    return AccessToken(request, target);
  // ResourceServerMiddleware guards the whole /V8 group, before any parameter checks
  // ([S7] Api/V8/Config/routes.php; Slim runs group middleware outermost).
  if (auto denied = Authenticate(request, target))
    return *denied;
  switch (route->op) {
    case Op::kList:
      if (request.method == "GET")
        return ListRecords(request, target, segments[2], app_path);
      break;
    case Op::kGet:
      if (request.method == "GET")
        return GetRecord(request, target, segments[2], segments[3], app_path);
      break;
    case Op::kUpdate:
      if (request.method == "PATCH")
        return UpdateRecord(request, target);
      break;
    default:
      break;
  }
  return V8Error(request, target,
                 {"route.unsupported",
                  "Simulator: " + request.method + " " + target.path + " is not simulated", true});
}

// ---- OAuth2 -----------------------------------------------------------------

HttpResponse SuiteCrmSim::AccessToken(const HttpRequest& request, const RequestTarget& target) {
  // league reads $request->getParsedBody(): form and JSON bodies both work ([LOA]
  // AbstractGrant::getRequestParameter, [SLIM] Request::getParsedBody).
  const OJson body = ParsedBody(request).value_or(OJson::object());
  const auto param = [&](const char* name) -> std::optional<OJson> {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null())
      return std::nullopt;
    return *it;
  };
  const auto fail = [&](int status, const std::string& error, const std::string& description,
                        const std::string& hint) {
    return OAuthError(request, target, "oauth." + error, status, error, description, hint);
  };
  // AuthorizationServer::respondToAccessTokenRequest offers the request to each enabled grant:
  // client_credentials, password and refresh_token ([S7] Api/V8/Config/services/middlewares.php).
  const std::optional<OJson> grant = param("grant_type");
  const std::string grant_type = grant && grant->is_string() ? grant->get<std::string>() : "";
  if (grant_type != "client_credentials" && grant_type != "password" &&
      grant_type != "refresh_token") {
    return fail(400, "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
                "Check that all required parameters have been provided");
  }
  // AbstractGrant::getClientCredentials: body parameters win over HTTP Basic.
  const std::string authorization(FindHeader(request.headers, "Authorization").value_or(""));
  std::optional<std::string> basic_id, basic_secret;
  if (authorization.rfind("Basic ", 0) == 0) {
    const std::string decoded = Base64Decode(authorization.substr(6), false, false).value_or("");
    if (const size_t colon = decoded.find(':'); colon != std::string::npos) {
      basic_id = decoded.substr(0, colon);
      basic_secret = decoded.substr(colon + 1);
    }
  }
  std::optional<OJson> client_id = param("client_id");
  if (!client_id && basic_id)
    client_id = *basic_id;
  if (!client_id)
    return fail(400, "invalid_request", std::string(kInvalidRequest),
                "Check the `client_id` parameter");
  std::optional<OJson> client_secret = param("client_secret");
  if (!client_secret && basic_secret)
    client_secret = *basic_secret;
  if (client_secret && !client_secret->is_string())
    return fail(400, "invalid_request", std::string(kInvalidRequest),
                "Check the `client_secret` parameter");
  const std::string id = client_id->is_string() ? client_id->get<std::string>() : client_id->dump();
  if (id != config_.client_id) {
    // ClientRepository::getClientEntity reads the OAuth2Clients bean with getBeanSafe, whose
    // exception is no OAuthServerException: AuthorizationServerMiddleware turns it into a 500
    // "unknown_error" ([S7] Api/V8/OAuth2/Repository/ClientRepository.php,
    // [LOA] src/Middleware/AuthorizationServerMiddleware.php).
    return OAuthError(request, target, "oauth.unknown_client", 500, "unknown_error",
                      id.empty() ? "Module id is empty when trying to get OAuth2Clients"
                                 : "OAuth2Clients module with id " + id + " is not found",
                      "");
  }
  // ClientRepository::validateClient: the client's allowed_grant_type (client_credentials here)
  // or refresh_token, and the secret's sha256.
  const bool secret_ok =
      client_secret && client_secret->get<std::string>() == config_.client_secret;
  if (grant_type == "password" || !secret_ok) {
    HttpResponse r = fail(401, "invalid_client", "Client authentication failed", "");
    if (!authorization.empty()) {
      r.headers.emplace_back(
          "WWW-Authenticate",
          std::string(authorization.rfind("Bearer", 0) == 0 ? "Bearer" : "Basic") +
              " realm=\"OAuth\"");
    }
    return r;
  }
  if (grant_type == "refresh_token") {
    // RefreshTokenGrant::validateOldRefreshToken; client_credentials never hands one out.
    const std::optional<OJson> refresh = param("refresh_token");
    if (!refresh || !refresh->is_string())
      return fail(400, "invalid_request", std::string(kInvalidRequest),
                  "Check the `refresh_token` parameter");
    return OAuthError(request, target, "oauth.invalid_refresh_token", 401, "invalid_request",
                      "The refresh token is invalid.", "Cannot decrypt the refresh token");
  }
  // SuiteCRM's ScopeRepository knows no scope, so naming one fails ([S7]
  // Api/V8/OAuth2/Repository/ScopeRepository.php, [LOA] AbstractGrant::validateScopes).
  if (const std::optional<OJson> scope = param("scope")) {
    std::vector<std::string> scopes;
    if (scope->is_string()) {
      for (auto& s : Split(scope->get<std::string>(), ' ')) {
        if (!s.empty())
          scopes.push_back(s);
      }
    } else if (IsPhpArray(*scope)) {
      for (const OJson* s : PhpValues(*scope))
        scopes.push_back(s->is_string() ? s->get<std::string>() : s->dump());
    } else {
      return fail(400, "invalid_request", std::string(kInvalidRequest),
                  "Check the `scope` parameter");
    }
    if (!scopes.empty()) {
      return fail(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed",
                  "Check the `" + scopes.front() + "` scope");
    }
  }
  // BearerTokenResponse::generateHttpResponse; client_credentials gets no refresh_token.
  OJson out = OJson::object();
  out["token_type"] = "Bearer";
  out["expires_in"] = config_.token_lifetime.count();
  out["access_token"] = IssueToken();
  HttpResponse r = Response(200, "application/json; charset=UTF-8", out.dump());
  r.headers.emplace_back("pragma", "no-cache");
  r.headers.emplace_back("cache-control", "no-store");
  return r;
}

std::optional<HttpResponse> SuiteCrmSim::Authenticate(const HttpRequest& request,
                                                      const RequestTarget& target) {
  // BearerTokenValidator::validateAuthorization ([LOA] src/AuthorizationValidators/
  // BearerTokenValidator.php; lcobucci/jwt 4 parser messages).
  const auto denied = [&](const std::string& rule, const std::string& hint, bool benign) {
    return OAuthError(request, target, rule, 401, "access_denied", std::string(kAccessDenied), hint,
                      benign);
  };
  const auto header = FindHeader(request.headers, "Authorization");
  if (!header)
    return denied("auth.missing", "Missing \"Authorization\" header", false);
  // trim(preg_replace('/^\s*Bearer\s/', '', $header)): the scheme is case-sensitive.
  std::string jwt(*header);
  const size_t start = jwt.find_first_not_of(" \t");
  if (start != std::string::npos && jwt.compare(start, 6, "Bearer") == 0 &&
      start + 6 < jwt.size() && std::isspace(static_cast<unsigned char>(jwt[start + 6]))) {
    jwt.erase(0, start + 7);
  }
  jwt.erase(0, std::min(jwt.size(), jwt.find_first_not_of(" \t")));
  while (!jwt.empty() && std::isspace(static_cast<unsigned char>(jwt.back())))
    jwt.pop_back();
  const auto it = tokens_.find(jwt);
  if (it == tokens_.end()) {
    std::string hint = "Access token could not be verified";
    if (std::count(jwt.begin(), jwt.end(), '.') != 2) {
      hint = "The JWT string must have two dots";
    } else if (auto head = Base64Decode(jwt.substr(0, jwt.find('.')), true, true); !head) {
      hint = "Error while decoding from Base64Url, invalid base64 characters detected";
    } else if (!Json::accept(*head)) {
      hint = "Error while decoding from JSON";
    }
    return denied("auth.invalid_token", hint, false);
  }
  // Expiry and revocation are normal life: the client fetches a new token.
  if (Now() >= it->second.expires)
    return denied("auth.expired", "Access token could not be verified", true);
  if (it->second.revoked)
    return denied("auth.revoked", "Access token has been revoked", true);
  return std::nullopt;
}

// ---- GET /V8/module/{module} ------------------------------------------------

namespace {

// Options\Fields checks the names against the module it is keyed by; only Opportunities is here.
std::optional<std::string> OtherFieldsModule(const OJson& value) {
  if (!value.is_object() || value.empty() || IsOpportunities(value.begin().key()))
    return std::nullopt;
  return "Simulator: fields[" + value.begin().key() + "] names a module other than Opportunities";
}

// Options\Fields: a PHP array of one module => "a,b,c" ([S7] Api/V8/Param/Options/Fields.php).
std::optional<std::string> ParseFields(const OJson& value, std::vector<std::string>& fields) {
  if (!IsPhpArray(value))
    return TypeMismatch("fields", value, "array");
  for (const OJson* v : PhpValues(value)) {
    if (IsPhpArray(*v))
      return std::string(kNotAString);
    if (IsBlank(*v) || !IsFieldList(v->get<std::string>()))
      return InvalidOption("fields", value);
  }
  fields = Split(value.front().get<std::string>(), ',');
  std::vector<std::string> unknown;
  for (const auto& f : fields) {
    if (FindField(f) == nullptr)
      unknown.push_back(f);
  }
  if (unknown.empty())
    return std::nullopt;
  std::string list;
  for (const auto& f : unknown)
    list += (list.empty() ? "" : ", ") + f;
  return "The following field" + std::string(unknown.size() > 1 ? "s" : "") +
         " in Opportunity module " + (unknown.size() > 1 ? "are" : "is") + " not found: " + list;
}

// Options\Page + PageParams: digits only, both > 0, no other keys
// ([S7] Api/V8/Param/Options/Page.php, Api/V8/Param/PageParams.php).
std::optional<std::string> ParsePage(const OJson& value, std::optional<int64_t>& size,
                                     std::optional<int64_t>& number) {
  if (!IsPhpArray(value))
    return TypeMismatch("page", value, "array");
  for (const OJson* v : PhpValues(value)) {
    if (IsPhpArray(*v))
      return std::string(kNotAString);
    if (IsBlank(*v) || !v->is_string() || !AllDigits(v->get<std::string>()))
      return InvalidOption("page", value);
  }
  if (auto undefined = UndefinedOptions(value, {"number", "size"}))
    return undefined;
  for (const auto& [key, v] : value.items()) {
    const int64_t n = PhpInt(v.get<std::string>());
    if (n <= 0)
      return InvalidOption(key, v);
    (key == "size" ? size : number) = n;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SuiteCrmSim::Problem> SuiteCrmSim::ParseListQuery(const OJson& query, ListQuery& q) {
  // OptionsResolver resolves the defaulted "filter" first, then the rest in the order sent
  // ([S7] Api/V8/Param/GetModulesParams.php, Options/Filter.php setDefaults).
  if (auto problem = ParseFilter(query.contains("filter") ? &query.at("filter") : nullptr, q))
    return problem;
  for (const auto& [key, value] : query.items()) {
    if (key == "fields") {
      if (auto other = OtherFieldsModule(value))
        return Problem{"module.unsupported", *other};
      std::vector<std::string> fields;
      if (auto detail = ParseFields(value, fields))
        return Problem{"fields.invalid", *detail};
      q.fields = std::move(fields);
    } else if (key == "page") {
      if (auto detail = ParsePage(value, q.size, q.number))
        return Problem{"page.invalid", *detail};
    } else if (key == "sort") {
      // Options\Sort + Repository\Sort: one field, a leading '-' for DESC
      // ([S7] Api/V8/Param/Options/Sort.php, Api/V8/JsonApi/Repository/Sort.php).
      if (!value.is_string())
        return Problem{"sort.invalid", TypeMismatch("sort", value, "string")};
      std::string field = value.get<std::string>();
      if (field.empty() || !std::all_of(field.begin(), field.end(),
                                        [](char c) { return IsWordChar(c) || c == '-'; })) {
        return Problem{"sort.invalid", InvalidOption("sort", value)};
      }
      q.descending = field[0] == '-';
      field.erase(0, field.find_first_not_of('-'));
      q.sort = FindField(field);
      if (q.sort == nullptr)
        return Problem{"sort.invalid",
                       "Sort field " + field + " in Opportunity module is not found"};
      if (IsNonDb(*q.sort)) {
        return Problem{"sort.non_db_field",
                       "Simulator: sorting by the non-db field " + field + " is not simulated"};
      }
    }
  }
  return std::nullopt;
}

std::optional<SuiteCrmSim::Problem> SuiteCrmSim::ParseFilter(const OJson* filter, ListQuery& q) {
  if (filter == nullptr)
    return std::nullopt;  // the default filter[deleted][eq]=0
  if (!IsPhpArray(*filter))
    return Problem{"filter.invalid", TypeMismatch("filter", *filter, "array")};
  if (IsBlank(*filter))
    return Problem{"filter.invalid", InvalidOption("filter", *filter)};
  // Repository\Filter::parseWhere ([S7] Api/V8/JsonApi/Repository/Filter.php): operator names
  // are Filter::OP_* constants, case-insensitive.
  static const std::set<std::string> kConstants{"EQ",  "NEQ",  "GT",  "GTE", "LT",
                                                "LTE", "LIKE", "AND", "OR"};
  if (const auto it = filter->find("operator"); it != filter->end() && !it->is_null()) {
    const std::string op = it->is_string() ? it->get<std::string>() : "Array";
    const std::string upper = Upper(op);
    if (!kConstants.count(upper))
      return Problem{"filter.operator", "Filter operator " + op + " is invalid"};
    if (upper != "AND" && upper != "OR") {
      return Problem{"filter.operator", "Simulator: filter[operator]=" + op +
                                            " passes SuiteCRM's check but joins the "
                                            "conditions with " +
                                            upper + ", which fails in SQL"};
    }
    q.any_of = upper == "OR";
  }
  // Only filter[deleted][eq] counts, compared with PHP's == 1; other deleted keys are dropped.
  if (const auto it = filter->find("deleted"); it != filter->end() && it->is_object()) {
    const auto eq = it->find("eq");
    q.deleted = eq != it->end() && eq->is_string() && IsDecimal(eq->get<std::string>()) &&
                std::strtod(eq->get<std::string>().c_str(), nullptr) == 1.0;
  }
  for (const auto& [name, expr] : filter->items()) {
    if (name == "operator" || name == "deleted")
      continue;
    const FieldDef* f = FindField(name);
    if (f == nullptr)
      return Problem{"filter.field",
                     "Filter field " + name + " in Opportunity module is not found"};
    if (!IsPhpArray(expr))
      return Problem{"filter.field", "Filter field " + name + " must be an array"};
    for (const auto& [op, value] : expr.items()) {
      const std::string upper = Upper(op);
      if (!kConstants.count(upper))
        return Problem{"filter.operator", "Filter operator " + op + " is invalid"};
      if (upper == "AND" || upper == "OR") {
        return Problem{
            "filter.operator",
            "Simulator: " + op + " is no comparison; SuiteCRM would write it into the SQL"};
      }
      if (!value.is_string()) {
        return Problem{"filter.value", "Simulator: filter[" + name + "][" + op +
                                           "] must be one value; SuiteCRM quotes the PHP array "
                                           "as 'Array'"};
      }
      std::string v = value.get<std::string>();
      if (IsNonDb(*f)) {
        q.broken_sql = "filter on the non-db field " + name + ": SuiteCRM writes opportunities." +
                       name + " into the SQL, the query fails and the answer is empty";
        continue;
      }
      const std::string lower = Lower(op);
      // The value is only SQL-quoted and compared with the column, never parsed, so only the
      // column's own spelling compares the same on every database ([S7] Api/V8, [D-JSON] filters).
      if (lower != "like" && f->kind == Kind::kDateTime) {
        if (v.size() == 10 && ParseIsoDate(v)) {
          v += " 00:00:00";
        } else if (const auto t = ParseDbDateTime(v)) {
          v = DbDateTime(*t);
        } else {
          return Problem{"filter.date_format",
                         "Simulator: filter[" + name + "][" + op + "]=" + v +
                             " is not a UTC database datetime YYYY-MM-DD HH:MM:SS. SuiteCRM "
                             "pastes the value into the SQL unparsed, so an ISO value such as "
                             "2026-01-01T10:00:00+00:00 compares differently per database"};
        }
      } else if (lower != "like" && f->kind == Kind::kDate &&
                 !(v.size() == 10 && ParseIsoDate(v))) {
        return Problem{"filter.date_format",
                       "Simulator: filter[" + name + "][" + op + "]=" + v + " is not YYYY-MM-DD"};
      } else if (lower != "like" && f->kind == Kind::kNumber && !IsDecimal(v)) {
        return Problem{"filter.value", "Simulator: filter[" + name + "][" + op + "]=" + v +
                                           " is not a number; the database would cast it"};
      }
      q.conditions.push_back({f, lower, std::move(v)});
    }
  }
  return std::nullopt;
}

std::vector<const SimRecord*> SuiteCrmSim::Select(const ListQuery& q) const {
  std::vector<const SimRecord*> rows;
  if (!q.broken_sql.empty())
    return rows;
  // "(c1 AND|OR c2 ...) AND opportunities.deleted = '0|1'" (Filter::parseWhere).
  for (const SimRecord* r : records().Visible(Now())) {
    if (r->deleted != q.deleted)
      continue;
    bool all = true, any = false;
    for (const Condition& c : q.conditions) {
      const bool holds = Holds(*r, c);
      all = all && holds;
      any = any || holds;
    }
    if (q.conditions.empty() || (q.any_of ? any : all))
      rows.push_back(r);
  }
  // Without sort there is no ORDER BY; the simulator keeps id order. Ties keep id order too.
  if (q.sort != nullptr) {
    std::stable_sort(rows.begin(), rows.end(), [&](const SimRecord* a, const SimRecord* b) {
      const int c = CompareRows(*q.sort, *a, *b);
      return q.descending ? c > 0 : c < 0;
    });
  }
  return rows;
}

HttpResponse SuiteCrmSim::ListRecords(const HttpRequest& request, const RequestTarget& target,
                                      const std::string& module, const std::string& app_path) {
  const OJson query = PhpArray(target.params);
  // BaseParam::configure: any other query key is an undefined option ([S7]
  // Api/V8/Param/BaseParam.php).
  if (auto undefined = UndefinedOptions(query, {"fields", "filter", "moduleName", "page", "sort"}))
    return V8Error(request, target, {"params.undefined", *undefined});
  if (!IsModuleName(module))
    return V8Error(request, target, {"params.invalid", InvalidOption("moduleName", module)});
  if (!IsOpportunities(module)) {
    return V8Error(request, target,
                   {"module.unsupported", "Simulator: module " + module + " is not simulated"});
  }
  ListQuery q;
  if (auto problem = ParseListQuery(query, q))
    return V8Error(request, target, *problem);
  if (!q.broken_sql.empty())
    Violate(request, target, "filter.non_db_field", q.broken_sql);
  // ModuleService::getRecords ([S7] Api/V8/Service/ModuleService.php): without page[size]
  // every row comes back, with no meta and no links.
  const std::vector<const SimRecord*> rows = Select(q);
  std::vector<const SimRecord*> page;
  if (q.size) {
    if (*q.size > config_.max_page_size) {
      Violate(request, target, "page.too_large",
              "page[size]=" + std::to_string(*q.size) + " is above " +
                  std::to_string(config_.max_page_size) +
                  "; SuiteCRM serves it but re-reads every row as a full bean");
    }
    if (!q.number) {
      Violate(request, target, "page.number_missing",
              "page[size] without page[number]: the first page's links.next points at page 1 "
              "again ([S7] Api/V8 pagination links)");
    }
    // offset = (number - 1) * size; page[number] absent (0) reads from the start.
    const int64_t pages_before = std::max<int64_t>(q.number.value_or(0) - 1, 0);
    const size_t offset = pages_before > static_cast<int64_t>(rows.size()) / *q.size
                              ? rows.size()
                              : static_cast<size_t>(pages_before * *q.size);
    for (size_t i = offset; i < rows.size() && static_cast<int64_t>(i - offset) < *q.size; ++i)
      page.push_back(rows[i]);
  } else {
    page = rows;
    if (rows.size() > static_cast<size_t>(config_.max_page_size)) {
      Violate(request, target, "page.too_large",
              "no page[size]: " + std::to_string(rows.size()) + " rows in one answer");
    }
  }
  // Each row is re-read with getBeanSafe(), which skips deleted rows, so asking for deleted
  // records fails on the first one (SuiteCRM issues #8631, #10683).
  if (q.deleted && !page.empty()) {
    return V8Error(request, target,
                   {"list.deleted_rows",
                    "Opportunities module with id " + page.front()->id + " is not found", true});
  }
  OJson data = OJson::array();
  const std::vector<std::string>* fields = q.fields ? &*q.fields : nullptr;
  for (const SimRecord* r : page)
    data.push_back(Render(*r, fields, app_path + "/" + r->id));
  OJson body = OJson::object();
  if (data.empty()) {
    // DocumentResponse::jsonSerialize ([S7] Api/V8/JsonApi/Response/DocumentResponse.php).
    body["meta"] = {{"message", "Request was successful, but there is no result"}};
    body["data"] = data;
    return V8Json(200, body);
  }
  if (!q.size) {
    body["data"] = data;
    return V8Json(200, body);
  }
  // PaginationObjectHelper: total-pages = ceil(count / size); all four links present, null when
  // not applicable; next and last only while number + 1 <= total-pages; each link is the
  // request's own path (relative, no base path) and query with page[number] replaced,
  // urldecoded ([S7] Api/V8/JsonApi/Helper/PaginationObjectHelper.php).
  const int64_t total_pages =
      rows.empty() ? 0 : static_cast<int64_t>(rows.size() - 1) / *q.size + 1;
  const int64_t number = q.number.value_or(0);
  const auto link = [&](int64_t n) {
    OJson params = query;
    params["page"]["number"] = std::to_string(n);
    std::string text;
    BuildQuery(params, "", text);
    return app_path + "?" + text;
  };
  OJson links = {{"first", nullptr}, {"prev", nullptr}, {"next", nullptr}, {"last", nullptr}};
  if (number > 1) {
    links["first"] = link(1);
    links["prev"] = link(number - 1);
  }
  if (number + 1 <= total_pages) {
    links["next"] = link(number + 1);
    links["last"] = link(total_pages);
  }
  body["meta"] = {{"total-pages", total_pages},
                  {"records-on-this-page", static_cast<int64_t>(data.size())}};
  body["data"] = data;
  body["links"] = links;
  return V8Json(200, body);
}

// ---- GET /V8/module/{module}/{id} -------------------------------------------

HttpResponse SuiteCrmSim::GetRecord(const HttpRequest& request, const RequestTarget& target,
                                    const std::string& module, const std::string& id,
                                    const std::string& app_path) {
  // GetModuleParams: moduleName, id, fields ([S7] Api/V8/Param/GetModuleParams.php).
  const OJson query = PhpArray(target.params);
  if (auto undefined = UndefinedOptions(query, {"fields", "id", "moduleName"}))
    return V8Error(request, target, {"params.undefined", *undefined});
  if (!IsModuleName(module))
    return V8Error(request, target, {"params.invalid", InvalidOption("moduleName", module)});
  if (!IsOpportunities(module)) {
    return V8Error(request, target,
                   {"module.unsupported", "Simulator: module " + module + " is not simulated"});
  }
  if (!IsRecordId(id))
    return V8Error(request, target, {"params.invalid", InvalidOption("id", id)});
  std::optional<std::vector<std::string>> fields;
  if (query.contains("fields")) {
    if (auto other = OtherFieldsModule(query.at("fields")))
      return V8Error(request, target, {"module.unsupported", *other});
    std::vector<std::string> list;
    if (auto detail = ParseFields(query.at("fields"), list))
      return V8Error(request, target, {"fields.invalid", *detail});
    fields = std::move(list);
  }
  // BeanManager::getBeanSafe: an unknown (or deleted) id is a 400 from the controller, never a
  // 404 ([S7] Api/V8/BeanDecorator/BeanManager.php, Api/V8/Controller/ModuleController.php).
  const SimRecord* r = records().Find(id);
  if (r == nullptr || r->deleted || r->visible_at > Now()) {
    return V8Error(
        request, target,
        {"record.not_found", "Opportunities module with id " + id + " is not found", true},
        /*benign=*/true);
  }
  OJson body = OJson::object();
  body["data"] = Render(*r, fields ? &*fields : nullptr, app_path);
  return V8Json(200, body);
}

// ---- PATCH /V8/module -------------------------------------------------------

HttpResponse SuiteCrmSim::UpdateRecord(const HttpRequest& request, const RequestTarget& target) {
  const auto refuse = [&](std::string rule, std::string detail) {
    return V8Error(request, target, {std::move(rule), std::move(detail)});
  };
  // ParamsMiddleware::getParameters merges the query and the parsed body; there is no media-type
  // check (no 415): a body Slim cannot parse just has no "data" ([S7] ParamsMiddleware.php).
  OJson options = PhpArray(target.params);
  if (const std::optional<OJson> body = ParsedBody(request)) {
    for (const auto& [key, value] : body->items())
      options[key] = value;
  }
  // UpdateModuleParams + UpdateModuleDataParams ([S7] Api/V8/Param/UpdateModuleParams.php,
  // UpdateModuleDataParams.php, Options/Type.php, Options/Id.php, Options/Attributes.php).
  if (auto undefined = UndefinedOptions(options, {"data"}))
    return refuse("params.undefined", *undefined);
  if (auto missing = MissingOptions(options, {"data"}))
    return refuse("body.missing_data", *missing);
  const OJson& data = options.at("data");
  if (!IsPhpArray(data))
    return refuse("params.invalid", TypeMismatch("data", data, "array"));
  for (const OJson* v : PhpValues(data)) {
    if (IsBlank(*v))
      return refuse("params.invalid", InvalidOption("data", data));
  }
  if (auto undefined = UndefinedOptions(data, {"attributes", "id", "type"}))
    return refuse("params.undefined", *undefined);
  if (auto missing = MissingOptions(data, {"id", "type"}))
    return refuse("params.missing", *missing);
  const OJson& type = data.at("type");
  const OJson& id = data.at("id");
  const auto check_type = [&]() -> std::optional<Problem> {
    if (!type.is_string())
      return Problem{"params.invalid", TypeMismatch("type", type, "string")};
    if (!IsModuleName(type.get<std::string>()))
      return Problem{"params.invalid", InvalidOption("type", type)};
    if (!IsOpportunities(type.get<std::string>())) {
      return Problem{"module.unsupported",
                     "Simulator: module " + type.get<std::string>() + " is not simulated"};
    }
    return std::nullopt;
  };
  // Resolved in the order sent; the attributes normalizer reads "type" first.
  for (const auto& [key, value] : data.items()) {
    if (key == "type" || key == "attributes") {
      if (auto problem = check_type())
        return V8Error(request, target, *problem);
    }
    if (key == "id") {
      if (!id.is_string())
        return refuse("params.invalid", TypeMismatch("id", id, "string"));
      if (!IsRecordId(id.get<std::string>()))
        return refuse("params.invalid", InvalidOption("id", id));
    }
    if (key == "attributes") {
      if (!IsPhpArray(value))
        return refuse("params.invalid", TypeMismatch("attributes", value, "array"));
      for (const OJson* v : PhpValues(value)) {
        if (IsPhpArray(*v))
          return refuse("attributes.value", std::string(kNotAString));
      }
      for (const std::string& name : PhpKeys(value)) {
        if (FindField(name) == nullptr)
          return refuse("attributes.unknown",
                        "Property " + name + " in Opportunity module is invalid");
      }
    }
  }
  // ModuleService::updateRecord: getBeanSafe, then save, retrieve and answer 201
  // ([S7] Api/V8/Service/ModuleService.php, Api/V8/Controller/ModuleController.php).
  const std::string record_id = id.get<std::string>();
  SimRecord* r = records().Find(record_id);
  if (r == nullptr || r->deleted || r->visible_at > Now()) {
    return V8Error(
        request, target,
        {"record.not_found", "Opportunities module with id " + record_id + " is not found", true},
        /*benign=*/true);
  }
  for (const auto& [failing, message] : faults().TakeFailingIds(request.method, target.path)) {
    if (failing == record_id) {
      // An ACL or workflow refusal: ACLAccess('save') fails.
      return V8Error(request, target,
                     {"fault.fail_ids", "[AccessDeniedException] " + message, true},
                     /*benign=*/true);
    }
  }
  const Json attributes =
      data.contains("attributes") ? Json::parse(data.at("attributes").dump()) : Json::object();
  SimRecord copy = *r;
  WriteNotes notes;
  if (Status s = WriteAttributes(copy, attributes, Origin::kApi, notes); !s.ok())
    return V8Error(request, target, {notes.rule, s.message(), true});
  for (const auto& [rule, detail] : notes.flags)
    Violate(request, target, rule, detail);
  // ModuleService::setRecordUpdateParams: SugarBean::save stamps date_modified (TimeDate::nowDb,
  // seconds) and modified_user_id unless the request set them.
  if (!notes.date_modified)
    copy.modified_at = Now();
  if (!notes.modified_user)
    copy.fields["modified_user_id"] = config_.api_user_id;
  Save(copy);
  *r = std::move(copy);
  OJson body = OJson::object();
  // The request path is V8/module, so the relationship links lack the module name ([S7] Api/V8).
  body["data"] = Render(*r, nullptr, "V8/module/" + r->id);
  return V8Json(201, body);
}

// ---- attribute writes -------------------------------------------------------

Status SuiteCrmSim::WriteAttributes(SimRecord& r, const Json& attributes, Origin origin,
                                    WriteNotes& notes) const {
  const bool api = origin == Origin::kApi;
  const auto refuse = [&](std::string rule, std::string message) {
    notes.rule = std::move(rule);
    return InvalidArgument(std::move(message));
  };
  if (!attributes.is_object())
    return refuse("attributes.value", "attributes must be a JSON object");
  // ModuleService::processAttributes assigns every value to the bean; the database and
  // Opportunity::save decide the rest. Values the database would reject or silently
  // corrupt are refused here with a "Simulator:" detail.
  for (const auto& [name, value] : attributes.items()) {
    const FieldDef* f = FindField(name);
    if (f == nullptr)
      return refuse("attributes.unknown", "Property " + name + " in Opportunity module is invalid");
    if (value.is_object() || value.is_array())
      return refuse("attributes.value", std::string(kNotAString));
    const std::optional<std::string> text = PhpString(value);
    if (f->name == "id") {
      if (text && *text != r.id) {
        return refuse("attributes.id",
                      "Simulator: attributes.id " + *text + " differs from the record id " + r.id);
      }
      continue;
    }
    if (f->length > 0 && text && Utf8Length(*text) > static_cast<size_t>(f->length)) {
      return refuse("attributes.length", "Simulator: " + name + " is longer than its column (" +
                                             std::to_string(f->length) + " characters)");
    }
    switch (f->kind) {
      case Kind::kLink:
        if (!api && (!text || text->empty()))
          continue;  // a ControlView() fed back in
        return refuse("attributes.link", "Simulator: " + name +
                                             " is a link field; relationships are written under "
                                             "V8/module/Opportunities/{id}/relationships");
      case Kind::kRelate:
        // SugarBean::save writes db columns only; account_id is the exception, a
        // relationship_fields entry that links the account (modules/Opportunities/Opportunity.php).
        if (api && f->name != "account_id")
          continue;
        r.fields[name] = text ? Json(*text) : Json();
        continue;
      case Kind::kDateTime: {
        if (!text)
          continue;  // isset(null) is false: SuiteCRM stamps the field as usual
        std::optional<Timestamp> t = ParseDbDateTime(*text);
        if (!t && !api)
          t = ParseIsoDateTime(*text);
        if (!t) {
          return refuse("attributes.datetime",
                        "Simulator: " + name + " \"" + *text +
                            "\" is not a UTC database datetime YYYY-MM-DD HH:MM:SS; SuiteCRM "
                            "writes the value to the column as sent");
        }
        if (f->name == "date_modified") {
          r.modified_at = *t;
          notes.date_modified = true;
        } else {
          r.created_at = *t;
        }
        continue;
      }
      case Kind::kDate:
        if (text && !text->empty() && !(text->size() == 10 && ParseIsoDate(*text)))
          return refuse("attributes.date",
                        "Simulator: " + name + " \"" + *text + "\" is not YYYY-MM-DD");
        r.fields[name] = text && !text->empty() ? Json(*text) : Json();
        continue;
      case Kind::kNumber:
        if (!api && f->name == "amount_usdollar")
          continue;  // derived on save
        if (text && !text->empty() && !IsDecimal(*text))
          return refuse("attributes.number",
                        "Simulator: " + name + " \"" + *text + "\" is not a number");
        r.fields[name] =
            text && !text->empty() ? Json(std::strtod(text->c_str(), nullptr)) : Json();
        continue;
      case Kind::kDeleted:
        if (text && *text != "0" && *text != "1" && !text->empty())
          return refuse("attributes.value", "Simulator: deleted \"" + *text + "\" is not 0 or 1");
        r.deleted = text && *text == "1";
        if (r.deleted)
          r.deleted_at = Now();
        continue;
      case Kind::kId:
      case Kind::kText:
        break;
    }
    if (f->name == "currency_id" && text && !text->empty() && !config_.currencies.count(*text)) {
      // SuiteCRM would store it and then read the record back with amount = amount_usdollar
      // and currency_id -99 (Opportunity::fill_in_additional_detail_fields): refused instead.
      return refuse("currency.unknown",
                    "Simulator: currency_id " + *text + " is not a currency of this instance");
    }
    if (f->name == "sales_stage" && text && !KnownStage(*text)) {
      // An enum is stored without checking its dropdown (SugarBean::save), but a value outside
      // sales_stage_dom breaks the CRM's pipeline reports and filters.
      const std::string detail = "sales_stage \"" + *text + "\" is not in sales_stage_dom";
      if (!api)
        return refuse("sales_stage.not_in_dom", detail);
      notes.flags.emplace_back("sales_stage.not_in_dom", detail + "; SuiteCRM stores it anyway");
    }
    if (f->name == "modified_user_id" && text)
      notes.modified_user = true;
    r.fields[name] = text ? Json(*text) : Json();
  }
  return Status::Ok();
}

void SuiteCrmSim::Save(SimRecord& r) const {
  Json& f = r.fields;
  // Opportunity::save: an empty currency falls back to the user's preference (none here), then
  // -99; probability comes from sales_probability_dom only while unset
  // ([S7] modules/Opportunities/Opportunity.php).
  if (!f.contains("currency_id") || !f["currency_id"].is_string() ||
      f["currency_id"].get<std::string>().empty()) {
    f["currency_id"] = "-99";
  }
  if ((!f.contains("probability") || f["probability"].is_null()) && f.contains("sales_stage") &&
      f["sales_stage"].is_string()) {
    if (const auto it = kDefaultProbability.find(f["sales_stage"].get<std::string>());
        it != kDefaultProbability.end()) {
      f["probability"] = it->second;
    }
  }
  // perform_save: amount_usdollar = Currency::convertToDollar(amount) = round(amount / rate, 6),
  // -99 at rate 1 ([S7] modules/Opportunities/SaveOverload.php, modules/Currencies/Currency.php).
  if (f.contains("amount") && f["amount"].is_number()) {
    const std::string currency = f["currency_id"].get<std::string>();
    const auto rate = config_.conversion_rates.find(currency);
    const double divisor =
        currency == "-99" || rate == config_.conversion_rates.end() ? 1.0 : rate->second;
    f["amount_usdollar"] =
        divisor == 0 ? 0.0 : std::round(f["amount"].get<double>() / divisor * 1e6) / 1e6;
  }
}

// AttributeObjectHelper::getAttributes: $bean->toArray() after fixUpFormatting(), so every value
// is a string ("" for NULL); a "Y-m-d H:i:s" value becomes date(DATE_ATOM, strtotime(v))
// ([S7] Api/V8/JsonApi/Helper/AttributeObjectHelper.php).
std::string SuiteCrmSim::RenderDateTime(Timestamp t) const {
  // retrieve() formats datetimes for the user's display (no seconds) and fixUpFormatting()
  // converts them back, so the seconds are always :00 (SuiteCRM issue #10912). The wall clock
  // stays UTC while DATE_ATOM prints PHP's own offset (issue #9952).
  std::string s = IsoSecondsZ(std::chrono::floor<std::chrono::minutes>(t));
  s.pop_back();
  const int offset = config_.php_utc_offset_minutes;
  char zone[16];  // room for any int the compiler cannot bound
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', std::abs(offset) / 60,
                std::abs(offset) % 60);
  return s + zone;
}

nlohmann::ordered_json SuiteCrmSim::Render(const SimRecord& r,
                                           const std::vector<std::string>* fields,
                                           const std::string& path) const {
  OJson attributes = OJson::object();
  for (const FieldDef& f : kFields) {
    if (f.name == "id")
      continue;  // unset($attributes['id'])
    const std::string name(f.name);
    if (fields != nullptr && std::find(fields->begin(), fields->end(), name) == fields->end())
      continue;
    std::string value;
    switch (f.kind) {
      case Kind::kDateTime:
        value = RenderDateTime(f.name == "date_entered" ? r.created_at : r.modified_at);
        break;
      case Kind::kDeleted:
        value = r.deleted ? "1" : "0";
        break;
      case Kind::kLink:
        break;
      case Kind::kNumber:
        // The DOUBLE column comes back from mysqli as its shortest text ("1500", "1234.5").
        if (const auto it = r.fields.find(name); it != r.fields.end() && it->is_number())
          value = FormatNumber(it->get<double>());
        break;
      default:
        if (const auto it = r.fields.find(name); it != r.fields.end() && it->is_string())
          value = it->get<std::string>();
        break;
    }
    attributes[name] = value;
  }
  OJson relationships = OJson::object();
  for (const auto& [module, link] : kRelationships) {
    relationships[std::string(module)]["links"]["related"] =
        path + "/relationships/" + std::string(link);
  }
  // DataResponse: the singular object name as type; null members (links) are dropped
  // ([S7] Api/V8/JsonApi/Response/DataResponse.php).
  OJson item = OJson::object();
  item["type"] = "Opportunity";
  item["id"] = r.id;
  item["attributes"] = attributes;
  item["relationships"] = relationships;
  return item;
}

// ---- control ----------------------------------------------------------------

Status SuiteCrmSim::ApplyControl(SimRecord& r, const Json& native) {
  if (!native.is_object())
    return InvalidArgument("record must be a JSON object");
  static const std::set<std::string> kKeys{
      "id",          "type",       "attributes", "relationships",
      "modified_at", "visible_at", "created_at", "deleted"};
  for (const auto& [key, value] : native.items()) {
    if (!kKeys.count(key))
      return InvalidArgument("unknown control key \"" + key + "\"");
  }
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(r, native));
  const Timestamp modified = r.modified_at, created = r.created_at;
  const bool deleted = r.deleted;
  WriteNotes notes;
  DEALSYNC_RETURN_IF_ERROR(
      WriteAttributes(r, native.value("attributes", Json::object()), Origin::kControl, notes));
  // The system keys win over the attribute spellings of the same facts.
  if (native.contains("modified_at"))
    r.modified_at = modified;
  if (native.contains("created_at"))
    r.created_at = created;
  if (native.contains("deleted"))
    r.deleted = deleted;
  Save(r);
  return Status::Ok();
}

Result<std::string> SuiteCrmSim::CreateRecord(const Json& native) {
  if (!native.is_object())
    return InvalidArgument("record must be a JSON object");
  SimRecord r;
  if (native.contains("id")) {
    if (!native["id"].is_string() || !IsRecordId(native["id"].get<std::string>()))
      return InvalidArgument("id must be a UUID or digits, as the V8 API's ids are");
    r.id = native["id"].get<std::string>();
    if (records().Find(r.id) != nullptr)
      return Status(StatusCode::kAlreadyExists, "opportunity " + r.id + " exists");
  } else {
    r.id = NewId();
  }
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(r, native));
  std::string id = r.id;
  records().Put(std::move(r));
  return id;
}

Status SuiteCrmSim::EditRecord(const std::string& id, const Json& patch) {
  SimRecord* r = records().Find(id);
  if (r == nullptr)
    return NotFound("no opportunity " + id);
  if (patch.is_object() && patch.contains("id") && patch["id"] != id)
    return InvalidArgument("patch id differs from " + id);
  SimRecord copy = *r;
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(copy, patch));
  *r = std::move(copy);
  return Status::Ok();
}

Json SuiteCrmSim::ControlView(const SimRecord& r) const {
  Json out = Json::parse(Render(r, nullptr, "V8/module/Opportunities/" + r.id).dump());
  out["visible_at"] = IsoMillisZ(r.visible_at);
  return out;
}

}  // namespace dealsync::sim
