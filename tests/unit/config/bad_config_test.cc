// Each file under testdata/bad is dropped into a copy of testdata/good; the
// test asserts the exact errors, as `dealsyncctl validate` prints them.
#include <gtest/gtest.h>

#include "tests/unit/config/fake_connector.h"

namespace dealsync::testing {
namespace {

struct BadCase {
  const char* file;
  const char* target;  // where it goes in the config dir
  std::vector<std::string> errors;
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.file;
}

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, ReportsExactErrors) {
  ConfigDir dir;
  dir.CopyBad(GetParam().file, GetParam().target);
  EXPECT_EQ(dir.Errors(), GetParam().errors);
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadConfigTest,
    ::testing::Values(
        BadCase{"api_key_without_header.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:7:8: connection.auth.header: api_key auth needs exactly one "
                 "of header = \"X-Api-Key\" (sent as a header) or param = \"api_key\" (sent in the "
                 "query)"}},
        BadCase{"auth_headers_without_token.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:7:64: connection.auth.headers: no entry contains {token}: "
                 "the token would never be sent"}},
        BadCase{"basic_user_twice.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:7:90: connection.auth.username: with credential_is = "
                 "\"username\" the credential is the user name: remove username (the password is "
                 "sent empty)"}},
        BadCase{"bad_statuses.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:14:7: statuses.won: expected \"open\" (the stage comes from "
                 "the stage field), \"closed_won\" or \"closed_lost\", e.g. won = \"closed_won\"",
                 "partners.d/acme.toml:17:9: currencies.-99: expected an ISO 4217 currency code "
                 "such as \"EUR\" (what the native value -99 stands for)"}},
        BadCase{"bad_allowed_hosts.toml",
                "dealsync.toml",
                {"dealsync.toml:6:39: admin.allowed_hosts: expected a host name without port such "
                 "as \"dealsync.internal\" or \"[fd00::5]\", found \"evil.example:8686\"",
                 "dealsync.toml:6:60: admin.allowed_hosts: expected a host name without port such "
                 "as \"dealsync.internal\" or \"[fd00::5]\", found an integer"}},
        BadCase{"bad_currency.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:4:12: currency: unknown currency \"EURO\" (expected an "
                 "upper-case ISO 4217 code such as USD, EUR, JPY)"}},
        BadCase{"bad_duration.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:4:17: poll_interval: invalid duration \"5 minutes\" "
                 "(expected a whole number and a unit: ms, s, m, h or d, e.g. \"30s\")"}},
        BadCase{
            "bad_field_format.toml",
            "partners.d/acme.toml",
            {"partners.d/acme.toml:22:45: fields.close_date.format: invalid value "
             "\"decimal_string\" (expected one of: iso_date, iso_datetime, epoch_ms, epoch_s)"}},
        BadCase{
            "bad_option_value.toml",
            "partners.d/acme.toml",
            {"partners.d/acme.toml:11:18: list.page.style: invalid value \"cursr\" (expected one "
             "of: none, cursor)",
             "partners.d/acme.toml:12:13: list.page_size: expected an integer, found a string"}},
        BadCase{"bad_partner_id.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:2:6: id: invalid partner id \"Acme Corp\" (expected 1-64 "
                 "characters of a-z, 0-9, \"-\", \"_\"; not \"vendor\")"}},
        BadCase{"bad_pointer.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:22:8: fields.name: invalid JSON pointer \"title\" (expected "
                 "a path starting with \"/\", e.g. \"/properties/amount\")"}},
        BadCase{"bad_policy_rule.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:22:9: policy.stage: rule \"latest\" does not apply to stage "
                 "(valid for stage: vendor_wins, partner_wins, latest_change_wins, manual, "
                 "furthest_stage_wins)",
                 "partners.d/acme.toml:23:14: policy.close_date: rule \"furthest_stage_wins\" does "
                 "not apply to close_date (valid for close_date: vendor_wins, partner_wins, "
                 "latest_change_wins, manual, earliest, latest)",
                 "partners.d/acme.toml:24:10: policy.amount: unknown rule \"biggest_wins\" (valid "
                 "for amount: vendor_wins, partner_wins, latest_change_wins, manual)"}},
        BadCase{"bad_time_zone.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:4:13: time_zone: unknown time zone \"Europe/Berlln\" (no "
                 "file /usr/share/zoneinfo/Europe/Berlln; expected an IANA name such as "
                 "\"Europe/Berlin\" or \"UTC\")"}},
        BadCase{"bad_bounds.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:26:20: policy.bounds.negative_amounts: expected a boolean "
                 "(true or false), found a string",
                 "partners.d/acme.toml:27:14: policy.bounds.max_amount: invalid amount \"1e9\" "
                 "(expected a decimal and an ISO 4217 code, e.g. \"100 USD\"); write an amount "
                 "with its currency, e.g. \"5000000 USD\"",
                 "partners.d/acme.toml:28:19: policy.bounds.close_date_past: expected whole days "
                 "up to \"73000d\", e.g. \"3650d\"",
                 "partners.d/acme.toml:30:20: policy.bounds.max_record_bytes: value 10 is out of "
                 "range (expected 1024 to 1073741824)",
                 "partners.d/acme.toml:31:1: policy.bounds.max_field_size: unknown key "
                 "\"max_field_size\" (did you mean \"max_field_bytes\"?)"}},
        BadCase{"bad_push.toml",
                "dealsync.toml",
                {"dealsync.toml:6:15: push.max_backoff: max_backoff must not be shorter than "
                 "initial_backoff",
                 "dealsync.toml:7:17: push.give_up_after: duration must be greater than zero"}},
        BadCase{"bad_store.toml",
                "dealsync.toml",
                {"dealsync.toml:5:19: store.block_cache_mib: expected an integer, found a string",
                 "dealsync.toml:6:17: store.memtables_mib: value 2 is out of range (expected 4 "
                 "to 1048576)",
                 "dealsync.toml:7:16: store.keep_journal: invalid duration \"a year\" (expected "
                 "a whole number and a unit: ms, s, m, h or d, e.g. \"30s\")"}},
        BadCase{"bad_tolerance.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:22:46: policy.amount.tolerance: unknown currency "
                 "\"percent\" (expected an upper-case ISO 4217 code such as USD, EUR, JPY); a "
                 "tolerance is \"0.5%\" or \"100 USD\""}},
        BadCase{"connector_check.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:11:18: list.page.style: list.page.next is required when "
                 "list.page.style = \"cursor\""}},
        BadCase{"credential_value.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:7:50: connection.auth.credential.value: secrets must not be "
                 "written in config files; use credential = \"name\" (systemd credential), { env = "
                 "\"VAR\" } or { file = \"/path\" }"}},
        BadCase{"daemon_errors.toml",
                "dealsync.toml",
                {"dealsync.toml:3:13: log_level: invalid value \"verbose\" (expected one of: "
                 "trace, debug, info, warn, error)",
                 "dealsync.toml:6:10: admin.listen: invalid listen address \"localhost\" (expected "
                 "host:port, e.g. \"127.0.0.1:8686\" or \"[::1]:8686\")",
                 "dealsync.toml:8:12: admin.password: secrets must not be written in config files; "
                 "use credential = \"name\" (systemd credential), { env = \"VAR\" } or { file = "
                 "\"/path\" }",
                 "dealsync.toml:11:12: poll.interval: duration must be greater than zero",
                 "dealsync.toml:15:17: currency.rates.EUR: expected a decimal string such as "
                 "\"1.08\" (rates are exact; no floating point), found a floating-point number",
                 "dealsync.toml:15:23: currency.rates.XYZ: unknown currency \"XYZ\" (expected an "
                 "ISO 4217 code such as EUR)",
                 "dealsync.toml:18:19: reports.pipeline_target: invalid amount \"250000\" "
                 "(expected a decimal and an ISO 4217 code, e.g. \"100 USD\")"}},
        BadCase{"bad_proxy.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:8:9: connection.proxy: proxy scheme \"https\" is not "
                 "supported (expected \"http://host:port\": the proxy is reached over TCP and "
                 "the CONNECT tunnel inside carries TLS to the server)"}},
        BadCase{"proxy_user_info.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:8:9: connection.proxy: proxy must not carry user info (it "
                 "would put a secret in the config; use proxy_username and proxy_credential)"}},
        BadCase{"proxy_no_port.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:5:1: connection.proxy_credential: proxy_username needs "
                 "proxy_credential (the password: a reference \"name\", { env = \"VAR\" } or { "
                 "file = \"/path\" })",
                 "partners.d/acme.toml:8:9: connection.proxy: invalid proxy "
                 "\"http://proxy.corp.example\" (expected \"http://host:port\" with a port "
                 "1..65535 and no path)"}},
        BadCase{"proxy_credential_env_proxy.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:9:20: connection.proxy_credential: proxy_credential needs "
                 "proxy = \"http://host:port\" in this table (a proxy credential is sent only to "
                 "the proxy configured beside it, never to one from HTTPS_PROXY)"}},
        BadCase{"proxy_missing_username.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:5:1: connection.proxy_username: proxy_credential needs "
                 "proxy_username"}},
        BadCase{"duplicate_native_stage.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:16:13: stages.solution: native value \"Discovery\" is "
                 "already mapped to discovery (a native value must map to one canonical stage)"}},
        BadCase{"empty_stage_list.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:19:15: stages.closed_lost: empty list: give at least one "
                 "native value (the first is written back)"}},
        BadCase{"inline_secret.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:7:62: connection.auth.token: secrets must not be written in "
                 "config files; use credential = \"name\" (systemd credential), { env = \"VAR\" } "
                 "or { file = \"/path\" }"}},
        BadCase{
            "insecure_http.toml",
            "partners.d/acme.toml",
            {"partners.d/acme.toml:6:12: connection.base_url: plain http:// is refused (use "
             "https://; http is allowed only to a loopback host with allow_insecure_http = true)"}},
        BadCase{
            "missing_credential.toml",
            "partners.d/acme.toml",
            {"partners.d/acme.toml:7:8: connection.auth.credential: auth type \"bearer\" needs key "
             "\"credential\" (a reference: \"name\", { env = \"VAR\" } or { file = \"/path\" })"}},
        BadCase{"jwt_bearer_errors.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:7:8: connection.auth.subject: auth type "
                 "\"oauth2_jwt_bearer\" needs key \"subject\"",
                 "partners.d/acme.toml:7:150: connection.auth.refresh_token: key "
                 "\"refresh_token\" does not apply to auth type \"oauth2_jwt_bearer\""}},
        BadCase{"missing_id.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:1:1: id: missing key \"id\" (the partner id, e.g. id = "
                 "\"northwind\")"}},
        BadCase{"syntax_error.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:3:18: TOML syntax error: Error while parsing string: "
                 "unescaped control characters other than TAB (U+0009) are explicitly prohibited"}},
        BadCase{
            "unknown_connector.toml",
            "partners.d/acme.toml",
            {"partners.d/acme.toml:3:13: connector: unknown connector \"hubspt\" (known: fake)"}},
        BadCase{"unknown_field.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:22:1: fields.amout: unknown canonical field \"amout\" "
                 "(expected one of: account, amount, close_date, counterpart_id, "
                 "counterpart_source, currency, "
                 "deleted, id, modified_at, name, owner, pipeline, registration_id, stage, "
                 "status)"}},
        BadCase{"unknown_key.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:4:1: pol_interval: unknown key \"pol_interval\" (did you "
                 "mean \"poll_interval\"?)"}},
        BadCase{
            "unknown_option.toml",
            "partners.d/acme.toml",
            {"partners.d/acme.toml:1:1: list.path: missing required key \"list.path\" for "
             "connector \"fake\" (test option)",
             "partners.d/acme.toml:10:1: list.pth: unknown key \"pth\" (did you mean \"path\"?)"}},
        BadCase{"unknown_stage.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:20:1: stages.negotiation: unknown canonical stage "
                 "\"negotiation\" (expected one of: prospect, qualified, discovery, solution, "
                 "proposal, closed_won, closed_lost)"}},
        BadCase{"unmapped_stage.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:12:1: stages: canonical stage \"discovery\" is not mapped "
                 "(add discovery = [\"<native value>\", ...])"}},
        BadCase{"vendor_with_id.toml",
                "vendor.toml",
                {"vendor.toml:2:6: id: the vendor's id is always \"vendor\"; remove this key from "
                 "vendor.toml"}},
        BadCase{"wrong_type.toml",
                "partners.d/acme.toml",
                {"partners.d/acme.toml:4:17: poll_interval: expected a duration string such as "
                 "\"30s\", found an integer"}}));

}  // namespace
}  // namespace dealsync::testing
