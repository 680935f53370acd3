// Escaping for the report formats. Every piece of text that came from a CRM is
// untrusted: deal names may hold markup or spreadsheet formulas.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dealsync::report_internal {

// Text safe inside HTML element content and double-quoted attribute values.
std::string HtmlEscape(std::string_view text);

// A CSV field holding untrusted text: a leading = + - @ (or tab / carriage
// return, which some spreadsheets skip before evaluating) gets a ' prefix so a
// spreadsheet shows it instead of evaluating it; then RFC 4180 quoting.
std::string CsvText(std::string_view text);
// A CSV field we produced ourselves (numbers, ISO dates): quoting only.
std::string CsvPlain(std::string_view text);
// Joins fields into one record terminated by CRLF.
std::string CsvRecord(const std::vector<std::string>& fields);

}  // namespace dealsync::report_internal
