#include "connectors/common/partner_check.h"

#include <nlohmann/json.hpp>

#include <array>
#include <sstream>

#include "connectors/common/json_util.h"
#include "connectors/common/record_mapper.h"

namespace dealsync {
namespace {

using connectors::JsonKind;
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

// The update that writes `o`'s current values back (a no-op for the CRM).
RecordUpdate SameValues(const Opportunity& o) {
  RecordUpdate update;
  update.native_id = o.native_id;
  update.pipeline = o.pipeline;
  update.stage = o.stage;
  update.amount = o.amount;
  update.close_date = o.close_date;
  return update;
}

// The mapped update body for `o`'s own values, shown and never sent.
void PrintUpdateBody(std::ostream& out, const RecordMapper& mapper, const Opportunity& o) {
  auto patch = mapper.ToNativePatch(SameValues(o));
  if (patch.ok()) {
    out << "  update body (not sent): " << Shorten(patch->dump(), 200) << "\n";
  } else {
    out << "  PROBLEM: an update could not be built: " << patch.status().message() << "\n";
  }
}

// Every leaf of `patch` with its pointer.
void Leaves(const json& patch, const std::string& pointer,
            std::vector<std::pair<std::string, const json*>>& out) {
  if (patch.is_object() && !patch.empty()) {
    for (const auto& [key, value] : patch.items()) {
      std::string token = key;
      for (size_t at = 0; (at = token.find_first_of("~/", at)) != std::string::npos; at += 2) {
        token.replace(at, 1, token[at] == '~' ? "~0" : "~1");  // RFC 6901 escaping
      }
      Leaves(value, pointer + "/" + token, out);
    }
    return;
  }
  out.emplace_back(pointer, &patch);
}

// The canonical field mapped at `pointer`, for messages.
std::string FieldAt(const RecordMapper& mapper, const std::string& pointer) {
  for (std::string_view field : kCanonicalFields) {
    if (const FieldMapping* m = mapper.Find(field); m != nullptr && m->pointer == pointer) {
      return std::string(field);
    }
  }
  if (const FieldMapping* m = mapper.Find("status"); m != nullptr && m->pointer == pointer) {
    return "status";
  }
  return "";
}

// Shows the update body that writes the record's values back and checks that
// each value has the JSON type the API sent at that pointer. False on a mismatch.
bool CheckUpdateTypes(std::ostream& out, const RecordMapper& mapper, const Opportunity& o) {
  PrintUpdateBody(out, mapper, o);
  auto patch = mapper.ToNativePatch(SameValues(o));
  if (!patch.ok()) {
    return false;
  }
  const json native = json::parse(o.native_payload, nullptr, /*allow_exceptions=*/false);
  std::vector<std::pair<std::string, const json*>> leaves;
  Leaves(*patch, "", leaves);
  bool ok = true;
  for (const auto& [pointer, written] : leaves) {
    const json* read = native.is_discarded() ? nullptr : ResolvePointer(native, pointer);
    if (read == nullptr || read->is_null() || JsonKind(*read) == JsonKind(*written)) {
      continue;
    }
    const std::string field = FieldAt(mapper, pointer);
    out << "  PROBLEM: " << (field.empty() ? pointer : field) << ": the update writes "
        << Shorten(written->dump()) << " (" << JsonKind(*written) << ") at " << pointer
        << ", where the API sent " << Shorten(read->dump()) << " (" << JsonKind(*read) << ")\n"
        << "  what to change: set format = \"" << (read->is_number() ? "number" : "string")
        << "\" on [fields]." << (field.empty() ? "<field>" : field)
        << " (amounts: \"number\", \"decimal_string\" or \"minor_units\"; dates: iso_date, "
           "iso_datetime, epoch_ms, epoch_s)\n";
    ok = false;
  }
  return ok;
}

// Compares what was read before and after writing the same values.
std::string Differences(const Opportunity& before, const Opportunity& after) {
  std::string out;
  auto add = [&](std::string_view field, const std::string& a, const std::string& b) {
    if (a != b) {
      out += "\n    " + std::string(field) + ": " + a + " -> " + b;
    }
  };
  for (std::string_view field : {"stage", "amount", "currency", "close_date"}) {
    add(field, CanonicalValue(before, field), CanonicalValue(after, field));
  }
  return out;
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

namespace {

struct ListWalk {
  size_t pages = 0;
  size_t records = 0;
  size_t rejects = 0;
  std::vector<Opportunity> first_records;  // of the first page
  bool ended = false;
};

// Step 1 and 2: every page from the beginning; rejects are printed as they come.
Awaitable<Status> WalkList(Connector& connector, const PartnerCheckOptions& options,
                           std::ostream& out, ListWalk& walk) {
  std::string cursor;
  while (walk.pages < options.max_pages) {
    auto page = co_await connector.FetchChanges(cursor);
    if (!page.ok()) {
      co_return page.status();
    }
    ++walk.pages;
    walk.records += page->records.size();
    if (walk.pages == 1) {
      walk.first_records = page->records;
    }
    for (const RecordReject& reject : page->rejects) {
      ++walk.rejects;
      if (walk.rejects <= options.sample_size) {
        out << "REJECTED record " << (reject.native_id.empty() ? "(no id)" : reject.native_id)
            << ": " << reject.message << "\n"
            << "  native: " << Shorten(reject.native_payload, 200) << "\n"
            << "  what to change: " << RejectHint(RejectedField(reject.message)) << "\n";
      }
    }
    if (!page->has_more) {
      walk.ended = true;
      co_return Status::Ok();
    }
    if (page->next_cursor == cursor) {
      co_return FailedPrecondition("page " + std::to_string(walk.pages) +
                                   " says more pages follow but the cursor did not move: "
                                   "check list.page.* (the next page is never asked for)");
    }
    cursor = page->next_cursor;
  }
  co_return Status::Ok();
}

// Step 5: write the record's own values back, read it again, compare.
Awaitable<bool> WriteTest(Connector& connector, const RecordMapper& mapper, const std::string& id,
                          std::ostream& out) {
  std::vector<std::string> ids;  // not a braced list: g++ 12 coroutines reject it here
  ids.push_back(id);
  auto before = co_await connector.FetchByIds(ids);
  if (!before.ok() || before->empty()) {
    out << "FAILED: write test: record " << id << " could not be read: "
        << (before.ok() ? std::string("not found") : before.status().ToString()) << "\n";
    co_return false;
  }
  std::vector<RecordUpdate> updates;
  updates.push_back(SameValues(before->front()));
  out << "write test: writing record " << id << "'s current values back\n";
  PrintUpdateBody(out, mapper, before->front());
  auto outcomes = co_await connector.Update(std::move(updates));
  if (!outcomes.ok() || outcomes->size() != 1 || !outcomes->front().status.ok()) {
    const Status failure = !outcomes.ok()          ? outcomes.status()
                           : outcomes->size() != 1 ? Internal("no outcome for the record")
                                                   : outcomes->front().status;
    out << "FAILED: write test: the update was refused: " << failure.ToString() << "\n"
        << "  what to change: check [update] (method, path, body, fields_at, content_type, "
           "batch.*) and the [fields] formats against the API's documentation\n";
    co_return false;
  }
  auto after = co_await connector.FetchByIds(std::move(ids));
  if (!after.ok() || after->empty()) {
    out << "FAILED: write test: record " << id << " could not be read after the write: "
        << (after.ok() ? std::string("not found") : after.status().ToString()) << "\n";
    co_return false;
  }
  if (std::string diff = Differences(before->front(), after->front()); !diff.empty()) {
    out << "FAILED: write test: writing the same values changed the record:" << diff << "\n"
        << "  what to change: the [fields] formats or [stages]/[currencies] maps do not "
           "round-trip\n";
    co_return false;
  }
  out << "write test: record " << id << " written and read back unchanged\n";
  co_return true;
}

}  // namespace

Awaitable<PartnerCheckResult> RunPartnerCheck(const SourceConfig& source,
                                              const ConnectorRegistry& registry,
                                              HttpTransport& transport, Clock& clock,
                                              PartnerCheckOptions options) {
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

  ListWalk walk;
  const Status listed = co_await WalkList(**connector, options, out, walk);
  if (!listed.ok()) {
    out << "FAILED: list page " << walk.pages + 1 << ": " << listed.ToString() << "\n"
        << "  what to change: " << PartnerCheckHint(source, listed) << "\n"
        << "CHECK FAILED: nothing was changed\n";
    co_return PartnerCheckResult{kPartnerCheckFailed, out.str()};
  }
  out << "list: " << walk.records + walk.rejects << " records on " << walk.pages << " page"
      << (walk.pages == 1 ? "" : "s") << " (" << walk.records << " mapped, " << walk.rejects
      << " rejected)\n";
  if (!walk.ended) {
    out << "FAILED: paging did not end within " << options.max_pages
        << " pages (--max-pages): check list.page.* and that the API reports its last page\n";
    result.exit_code = kPartnerCheckFailed;
  }
  if (walk.rejects > 0) {
    result.exit_code = kPartnerCheckFailed;
  }
  // The generic connector sends the mapped patch as its update body; the
  // first-class connectors build their own (Dynamics 365 writes choices,
  // currency lookups and closures through its own calls), so only the
  // generic connector's body is compared with the types read.
  const bool body_is_patch = source.connector == "rest";
  for (size_t i = 0; i < walk.first_records.size() && i < options.sample_size; ++i) {
    PrintRecord(out, *mapper, walk.first_records[i]);
    if (!body_is_patch) {
      PrintUpdateBody(out, *mapper, walk.first_records[i]);
    } else if (!CheckUpdateTypes(out, *mapper, walk.first_records[i])) {
      result.exit_code = kPartnerCheckFailed;
    }
  }
  if (walk.records + walk.rejects == 0) {
    out << "WARNING: the list is empty, so no mapping could be checked: make sure the partner "
           "has deals, and that list.records points at the records array\n";
  }
  if (!walk.first_records.empty()) {
    const std::string& id = walk.first_records.front().native_id;
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
  const bool wrote = !options.write_test_id.empty();
  if (wrote) {
    const bool written = co_await WriteTest(**connector, *mapper, options.write_test_id, out);
    if (!written) {
      result.exit_code = kPartnerCheckFailed;
    }
  }
  const std::string changed = wrote ? "record " + options.write_test_id +
                                          " was written with its own values, nothing else changed"
                                    : "nothing was changed";
  out << (result.exit_code == kPartnerCheckOk ? "OK: the partner file works; " + changed + "\n"
                                              : "CHECK FAILED: " + changed + "\n");
  result.report = out.str();
  co_return result;
}

}  // namespace dealsync
