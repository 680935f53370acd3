#include "connectors/rest/partner_check.h"

#include <nlohmann/json.hpp>

#include <array>
#include <sstream>

#include "connectors/common/record_mapper.h"
#include "connectors/rest/rest_paging.h"

namespace dealsync {
namespace {

using connectors::RecordMapper;
using connectors::ResolvePointer;
using nlohmann::json;

constexpr std::array<std::string_view, 13> kCanonicalFields = {
    "id",    "registration_id", "counterpart_id", "name",       "account",     "owner",  "pipeline",
    "stage", "amount",          "currency",       "close_date", "modified_at", "deleted"};

std::string Shorten(std::string text, size_t max = 60) {
  if (text.size() > max) {
    text = text.substr(0, max) + "...";
  }
  return text;
}

std::string CanonicalValue(const Opportunity& o, std::string_view field) {
  auto text = [](const std::string& s) {
    return s.empty() ? std::string("(empty)") : "\"" + s + "\"";
  };
  if (field == "id")
    return text(o.native_id);
  if (field == "registration_id")
    return text(o.registration_id);
  if (field == "counterpart_id")
    return text(o.counterpart_id);
  if (field == "name")
    return text(o.name);
  if (field == "account")
    return text(o.account);
  if (field == "owner")
    return text(o.owner);
  if (field == "pipeline")
    return text(o.pipeline);
  if (field == "stage")
    return o.stage ? std::string(StageName(*o.stage)) : "(none)";
  if (field == "amount")
    return o.amount ? FormatMoney(*o.amount) : "(none)";
  if (field == "currency")
    return o.amount ? o.amount->currency : "(none)";
  if (field == "close_date")
    return o.close_date ? FormatDate(*o.close_date) : "(none)";
  if (field == "modified_at")
    return FormatTimestamp(o.modified_at);
  if (field == "deleted")
    return o.deleted ? "true" : "false";
  return "?";
}

std::string AuthTypeName(AuthConfig::Type t) {
  switch (t) {
    case AuthConfig::Type::kNone:
      return "none";
    case AuthConfig::Type::kBearer:
      return "bearer";
    case AuthConfig::Type::kApiKeyHeader:
    case AuthConfig::Type::kApiKeyQuery:
      return "api_key";
    case AuthConfig::Type::kBasic:
      return "basic";
    case AuthConfig::Type::kOAuth2ClientCredentials:
      return "oauth2_client_credentials";
    case AuthConfig::Type::kOAuth2RefreshToken:
      return "oauth2_refresh_token";
    case AuthConfig::Type::kOAuth2JwtBearer:
      return "oauth2_jwt_bearer";
  }
  return "?";
}

std::string OptionText(const SourceConfig& source, const std::string& key) {
  auto it = source.options.find(key);
  const auto* s =
      it == source.options.end() ? nullptr : std::get_if<std::string>(&it->second.value);
  return s ? *s : "";
}

// "record #1 of the page: stage: value ..." -> "stage".
std::string RejectedField(const std::string& message) {
  std::string rest = message;
  if (auto at = rest.find("of the page: "); at != std::string::npos) {
    rest = rest.substr(at + 13);
  }
  auto colon = rest.find(':');
  return colon == std::string::npos ? "" : rest.substr(0, colon);
}

std::string RejectHint(const std::string& field) {
  if (field == "stage") {
    return "add this value to the list of the canonical stage it means under [stages] (or fix "
           "[fields].stage if the pointer is wrong)";
  }
  if (field == "id") {
    return "set [fields].id to the JSON pointer of the record's id (see the record above)";
  }
  if (field == "amount" || field == "currency") {
    return "fix [fields]." + field +
           ": the pointer, or format = \"decimal_string\" (\"1234.50\"), "
           "\"number\" (1234.5) or \"minor_units\" (123450); set currency = \"EUR\" at the top "
           "when records carry none";
  }
  if (field == "close_date" || field == "modified_at") {
    return "fix [fields]." + field +
           ": the format must match the value: iso_date "
           "(\"2026-12-01\"), iso_datetime (\"2026-12-01T10:00:00Z\"), epoch_ms or epoch_s";
  }
  if (field == "deleted") {
    return "fix [fields].deleted: format = \"bool\" needs true/false at the pointer";
  }
  if (field == "record is not a JSON object") {
    return "list.records must point at an array of record objects";
  }
  return field.empty() ? "fix the [fields] entry named above" : "fix [fields]." + field;
}

void PrintRecord(std::ostream& out, const RecordMapper& mapper, const Opportunity& o) {
  out << "record " << o.native_id << "\n";
  json native = json::parse(o.native_payload, nullptr, /*allow_exceptions=*/false);
  for (std::string_view field : kCanonicalFields) {
    const FieldMapping* m = mapper.Find(field);
    if (m == nullptr) {
      continue;
    }
    const json* v = native.is_discarded() ? nullptr : ResolvePointer(native, m->pointer);
    std::string native_text = v == nullptr ? "(absent)" : Shorten(v->dump());
    out << "  " << field << std::string(16 - std::min<size_t>(15, field.size()), ' ') << m->pointer
        << " = " << native_text << "  ->  " << CanonicalValue(o, field) << "\n";
  }
}

// The update body the connector would send to write back this record's current
// values (an idempotent no-op); shown, never sent.
void PrintWouldUpdate(std::ostream& out, const RecordMapper& mapper, const Opportunity& o) {
  RecordUpdate update;
  update.native_id = o.native_id;
  update.pipeline = o.pipeline;
  update.stage = o.stage;
  update.amount = o.amount;
  update.close_date = o.close_date;
  auto patch = mapper.ToNativePatch(update);
  if (patch.ok()) {
    out << "  update body (not sent): " << Shorten(patch->dump(), 200) << "\n";
  } else {
    out << "  PROBLEM: an update could not be built: " << patch.status().message() << "\n";
  }
}

}  // namespace

std::string PartnerCheckHint(const SourceConfig& source, const Status& failure) {
  const std::string base = "connection.base_url = \"" + source.connection.base_url + "\"";
  switch (failure.code()) {
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return "the API refused the credentials: check [connection].auth (type = \"" +
             AuthTypeName(source.connection.auth.type) +
             "\", header/param names) and that the credential " +
             source.connection.auth.credential.Describe() + " holds a current key";
    case StatusCode::kResourceExhausted:
      return "the API rate-limited the check: lower [connection].rate_limit, or try again later";
    case StatusCode::kNotFound:
      return "the endpoint does not exist: check " + base + " and list.path = \"" +
             OptionText(source, "list.path") + "\" (and get.path for reads by id)";
    case StatusCode::kInvalidArgument:
      return "the API rejected the request: check list.modified_since (param, format), "
             "list.page.* and list.query against the API's documentation";
    case StatusCode::kFailedPrecondition:
      return "change the key named above in the partner file";
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      if (failure.message().find("not JSON") != std::string::npos) {
        return base + " and list.path must point at the JSON API, not a web page";
      }
      return "could not reach " + base +
             ": check the host name and port, and that this "
             "machine can reach it (DNS, proxy, firewall, TLS certificate: connection.ca_file)";
    default:
      return "see the message above";
  }
}

Awaitable<PartnerCheckResult> RunPartnerCheck(const SourceConfig& source,
                                              const ConnectorRegistry& registry,
                                              HttpTransport& transport, Clock& clock,
                                              size_t sample_size) {
  std::ostringstream out;
  PartnerCheckResult result;
  out << "partner " << source.id << " (" << source.file << "), connector " << source.connector
      << ", " << source.connection.base_url << "\n";
  const ConnectorFactory* factory = registry.Find(source.connector);
  if (factory == nullptr) {
    out << "CONFIG: connector: " << registry.UnknownMessage(source.connector) << "\n";
    co_return PartnerCheckResult{kPartnerCheckConfigInvalid, out.str()};
  }
  auto mapper = RecordMapper::Create(source, factory->DefaultFields());
  if (!mapper.ok()) {
    out << "CONFIG: " << mapper.status().message() << "\n";
    co_return PartnerCheckResult{kPartnerCheckConfigInvalid, out.str()};
  }
  ConnectorContext context{source, transport, clock};
  auto connector = factory->Create(context);
  if (!connector.ok()) {
    out << "CONFIG: " << connector.status().message() << "\n";
    co_return PartnerCheckResult{kPartnerCheckConfigInvalid, out.str()};
  }

  auto page = co_await (*connector)->FetchChanges("");
  if (!page.ok()) {
    out << "FAILED: first page: " << page.status().ToString() << "\n"
        << "  what to change: " << PartnerCheckHint(source, page.status()) << "\n";
    co_return PartnerCheckResult{kPartnerCheckFailed, out.str()};
  }
  const size_t total = page->records.size() + page->rejects.size();
  out << "first page: " << total << " records (" << page->records.size() << " mapped, "
      << page->rejects.size() << " rejected)" << (page->has_more ? ", more pages follow" : "")
      << "\n";
  for (size_t i = 0; i < page->records.size() && i < sample_size; ++i) {
    PrintRecord(out, *mapper, page->records[i]);
    PrintWouldUpdate(out, *mapper, page->records[i]);
  }
  for (const RecordReject& reject : page->rejects) {
    out << "REJECTED record " << (reject.native_id.empty() ? "(no id)" : reject.native_id) << ": "
        << reject.message << "\n"
        << "  native: " << Shorten(reject.native_payload, 200) << "\n"
        << "  what to change: " << RejectHint(RejectedField(reject.message)) << "\n";
    result.exit_code = kPartnerCheckFailed;
  }
  if (total == 0) {
    out << "WARNING: the first page is empty, so no mapping could be checked: make sure the "
           "partner has deals, and that list.records points at the records array\n";
  }
  if (!page->records.empty()) {
    const std::string& id = page->records.front().native_id;
    std::vector<std::string> ids;  // not a braced list: g++ 12 coroutines reject it here
    ids.push_back(id);
    auto again = co_await (*connector)->FetchByIds(std::move(ids));
    if (!again.ok()) {
      out << "FAILED: reading record " << id << " by id: " << again.status().ToString() << "\n"
          << "  what to change: check get.path and get.records; "
          << PartnerCheckHint(source, again.status()) << "\n";
      result.exit_code = kPartnerCheckFailed;
    } else if (again->empty()) {
      out << "FAILED: reading record " << id << " by id: not found: get.path = \""
          << OptionText(source, "get.path") << "\" does not address the listed records\n";
      result.exit_code = kPartnerCheckFailed;
    } else {
      out << "read back by id: " << id << " ok\n";
    }
  }
  out << (result.exit_code == kPartnerCheckOk ? "OK: the partner file works; nothing was changed\n"
                                              : "CHECK FAILED: nothing was changed\n");
  result.report = out.str();
  co_return result;
}

}  // namespace dealsync
