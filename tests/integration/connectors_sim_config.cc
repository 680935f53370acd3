#include "tests/integration/connectors_sim_config.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace dealsync::testing {

namespace {

Status WriteFile(const std::filesystem::path& path, const std::string& text, bool secret) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return Internal("cannot write " + path.string());
  }
  if (secret && ::chmod(path.c_str(), 0600) != 0) {
    return Internal("cannot chmod " + path.string());
  }
  return Status::Ok();
}

// Small retry backoffs: the connector stack runs on a FakeClock, but keep the
// numbers realistic for a loopback simulator.
constexpr const char* kRetry =
    "retry = { max_attempts = 5, initial_backoff = \"10ms\", max_backoff = \"200ms\" }\n";
constexpr const char* kRateLimit = "rate_limit = { requests = 1000, per = \"1s\" }\n";

std::string Connection(const std::string& base_url, const std::string& auth,
                       const std::string& ca_file) {
  return "[connection]\nbase_url = \"" + base_url + "\"\nauth = " + auth + "\n" + kRateLimit +
         kRetry + "timeout = \"10s\"\nca_file = \"" + ca_file + "\"\n\n";
}

std::string Vendor(const std::string& dir, const SimConfigUrls& u) {
  return "connector = \"salesforce\"\nname = \"Acme (simulated Salesforce)\"\n"
         "time_zone = \"America/Los_Angeles\"\ncurrency = \"USD\"\n\n" +
         Connection(u.salesforce,
                    "{ type = \"oauth2_client_credentials\", token_url = \"" + u.salesforce +
                        "/services/oauth2/token\", client_id = \"sf-client-id\", credential = { "
                        "file = \"" +
                        dir + "/salesforce.client_secret\" } }",
                    u.ca_file) +
         "[salesforce]\napi_version = \"v59.0\"\noverlap = \"5m\"\npage_size = 500\n\n"
         "[fields]\nregistration_id = \"/Deal_Registration_ID__c\"\n"
         "counterpart_id  = \"/Partner_Deal_ID__c\"\n\n"
         R"([stages]
prospect    = ["Prospecting"]
qualified   = ["Qualification"]
discovery   = ["Needs Analysis"]
solution    = ["Value Proposition", "Id. Decision Makers", "Perception Analysis"]
proposal    = ["Proposal/Price Quote", "Negotiation/Review"]
closed_won  = ["Closed Won"]
closed_lost = ["Closed Lost"]
)";
}

std::string Globex(const std::string& dir, const SimConfigUrls& u) {
  return "id = \"globex\"\nconnector = \"hubspot\"\ntime_zone = \"America/New_York\"\n"
         "currency = \"USD\"\n\n" +
         Connection(u.hubspot,
                    "{ type = \"bearer\", credential = { file = \"" + dir + "/hubspot.token\" } }",
                    u.ca_file) +
         "[hubspot]\nlookback = \"2m\"\npage_size = 200\n\n"
         "[fields]\nregistration_id = \"/properties/vendor_registration_id\"\n"
         "counterpart_id  = \"/properties/vendor_opportunity_id\"\n\n"
         "[stages.default]\nprospect = [\"appointmentscheduled\"]\n"
         "qualified = [\"qualifiedtobuy\"]\ndiscovery = [\"presentationscheduled\"]\n"
         "solution = [\"decisionmakerboughtin\"]\nproposal = [\"contractsent\"]\n"
         "closed_won = [\"closedwon\"]\nclosed_lost = [\"closedlost\"]\n";
}

std::string Northwind(const std::string& dir, const SimConfigUrls& u) {
  return "id = \"northwind\"\nconnector = \"rest\"\ntime_zone = \"Europe/Berlin\"\n"
         "currency = \"EUR\"\n\n" +
         Connection(u.northwind,
                    "{ type = \"api_key\", header = \"X-Api-Key\", credential = { file = \"" + dir +
                        "/northwind.api_key\" } }",
                    u.ca_file) +
         R"([list]
path = "/deals"
records = "/data"
page_size = 10
modified_since = { param = "updated_after", format = "epoch_ms" }
overlap = "2m"
page = { style = "cursor", next = "/meta/next_cursor", param = "cursor", size_param = "limit" }

[get]
path = "/deals/{id}"

[update]
mode = "single"
method = "PATCH"
path = "/deals/{id}"

[fields]
id              = "/id"
registration_id = "/custom/vendor_reg_id"
counterpart_id  = "/custom/vendor_opportunity_id"
name            = "/title"
account         = "/account/name"
owner           = "/owner"
stage           = "/status"
amount          = { pointer = "/value", format = "decimal_string" }
currency        = "/currency"
close_date      = { pointer = "/expected_close", format = "epoch_ms" }
modified_at     = { pointer = "/updated_at", format = "epoch_ms" }
deleted         = { pointer = "/archived", format = "bool" }

[stages]
prospect    = ["New lead"]
qualified   = ["Qualified", "BANT ok"]
discovery   = ["Discovery"]
solution    = ["Demo"]
proposal    = ["Quote sent", "Negotiating"]
closed_won  = ["Won"]
closed_lost = ["Lost", "No decision"]
)";
}

std::string Contoso(const std::string& dir, const SimConfigUrls& u) {
  return "id = \"contoso\"\nconnector = \"rest\"\ntime_zone = \"America/New_York\"\n"
         "currency = \"USD\"\n\n" +
         Connection(u.contoso,
                    "{ type = \"oauth2_client_credentials\", token_url = \"" + u.contoso +
                        "/oauth/token\", client_id = \"contoso-client\", credential = { file = \"" +
                        dir + "/contoso.client_secret\" } }",
                    u.ca_file) +
         R"([list]
path = "/v1/opportunities"
records = "/items"
page_size = 25
modified_since = { param = "modified_since", format = "iso8601" }
overlap = "5m"
page = { style = "link_header", size_param = "per_page" }

[get]
path = "/v1/opportunities/{id}"

[update]
mode = "batch"
method = "POST"
path = "/v1/opportunities/batch"
batch = { max_size = 25, wrapper = "/updates", id_field = "/opportunityId", id_type = "number", results = "/results", result_id = "/opportunityId", result_ok = "/ok", result_error = "/error" }

[fields]
id              = "/opportunityId"
registration_id = "/dealRegistration"
counterpart_id  = "/vendorRef"
name            = "/name"
account         = "/customer"
stage           = "/phase"
amount          = { pointer = "/amount/value", format = "number" }
currency        = "/amount/currency"
close_date      = { pointer = "/closeDate", format = "iso_date" }
modified_at     = { pointer = "/lastModified", format = "iso_datetime" }
deleted         = { pointer = "/deleted", format = "bool" }

[stages]
prospect    = ["Lead"]
qualified   = ["Qualified"]
discovery   = ["Discovery"]
solution    = ["Solution Design"]
proposal    = ["Proposal", "Negotiation"]
closed_won  = ["Closed Won"]
closed_lost = ["Closed Lost"]
)";
}

}  // namespace

Status WriteSimConfigDir(const std::string& dir, const SimConfigUrls& urls) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "partners.d", ec);
  if (ec) {
    return Internal("cannot create " + dir + ": " + ec.message());
  }
  const std::pair<const char*, const char*> secrets[] = {
      {"salesforce.client_secret", "sf-client-secret"},
      {"hubspot.token", "pat-na1-sim-token"},
      {"northwind.api_key", "northwind-api-key"},
      {"contoso.client_secret", "contoso-secret"},
  };
  for (const auto& [name, value] : secrets) {
    if (Status s = WriteFile(fs::path(dir) / name, std::string(value) + "\n", true); !s.ok()) {
      return s;
    }
  }
  const std::string daemon = "state_dir = \"" + dir +
                             "/state\"\n\n[currency]\nreporting = \"USD\"\n"
                             "rates = { EUR = \"1.08\", GBP = \"1.27\" }\n";
  const std::pair<std::string, std::string> files[] = {
      {"dealsync.toml", daemon},
      {"vendor.toml", Vendor(dir, urls)},
      {"partners.d/globex.toml", Globex(dir, urls)},
      {"partners.d/northwind.toml", Northwind(dir, urls)},
      {"partners.d/contoso.toml", Contoso(dir, urls)},
  };
  for (const auto& [name, text] : files) {
    if (Status s = WriteFile(fs::path(dir) / name, text, false); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace dealsync::testing
