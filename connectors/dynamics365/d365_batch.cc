#include "connectors/dynamics365/d365_batch.h"

#include <cctype>

#include "connectors/common/json_util.h"

namespace dealsync::connectors::dynamics365 {

namespace {

constexpr std::string_view kCrlf = "\r\n";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t a = 0;
  size_t b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n')) {
    ++a;
  }
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n')) {
    --b;
  }
  return std::string(s.substr(a, b - a));
}

// Splits a multipart body into its parts (the text between delimiter lines).
Result<std::vector<std::string_view>> SplitParts(std::string_view body,
                                                 const std::string& boundary) {
  const std::string delimiter = "--" + boundary;
  std::vector<std::string_view> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) {
    return Unavailable("$batch response: boundary " + boundary + " not found");
  }
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") {
      return parts;  // close delimiter
    }
    size_t line_end = body.find(kCrlf, pos);
    if (line_end == std::string_view::npos) {
      return Unavailable("$batch response: truncated after a delimiter");
    }
    const size_t start = line_end + 2;
    size_t next = body.find(std::string(kCrlf) + delimiter, start);
    if (next == std::string_view::npos) {
      return Unavailable("$batch response: missing closing delimiter --" + boundary + "--");
    }
    parts.push_back(body.substr(start, next - start));
    pos = next + 2;
  }
}

// "Header: value" lines up to the blank line; returns the rest.
std::string_view ReadHeaders(std::string_view text, HttpHeaders& headers) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(kCrlf, pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    pos = std::min(text.size(), end + 2);
    if (line.empty()) {
      break;
    }
    if (auto colon = line.find(':'); colon != std::string_view::npos) {
      headers.emplace_back(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
    }
  }
  return text.substr(pos);
}

// An application/http part: "HTTP/1.1 204 No Content" + headers + body.
Result<EmbeddedResponse> ReadEmbedded(std::string_view part) {
  HttpHeaders mime;
  std::string_view http = ReadHeaders(part, mime);
  EmbeddedResponse out;
  if (auto id = FindHeader(mime, "Content-ID")) {
    out.content_id = std::string(*id);
  }
  size_t line_end = http.find(kCrlf);
  std::string_view status_line = http.substr(0, line_end);
  if (status_line.rfind("HTTP/1.1 ", 0) != 0 || status_line.size() < 12) {
    return Unavailable("$batch response: part without an HTTP status line");
  }
  auto code = ParseInt64(status_line.substr(9, 3));
  if (!code) {
    return Unavailable("$batch response: bad status line " + std::string(status_line));
  }
  out.response.status = static_cast<int>(*code);
  std::string_view rest = line_end == std::string_view::npos ? "" : http.substr(line_end + 2);
  out.response.body = Trim(ReadHeaders(rest, out.response.headers));
  return out;
}

}  // namespace

std::string BoundaryOf(std::string_view content_type) {
  const std::string lower = Lower(content_type);
  size_t at = lower.find("boundary=");
  if (at == std::string::npos) {
    return "";
  }
  std::string value(content_type.substr(at + 9));
  if (auto semi = value.find(';'); semi != std::string::npos) {
    value = value.substr(0, semi);
  }
  value = Trim(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

std::string BuildBatchBody(const std::vector<ChangeSet>& change_sets, const std::string& boundary) {
  std::string out;
  int content_id = 1;
  for (size_t i = 0; i < change_sets.size(); ++i) {
    const std::string cs = "changeset_" + std::to_string(i + 1) + "_" + boundary;
    out += "--" + boundary + "\r\nContent-Type: multipart/mixed; boundary=" + cs + "\r\n\r\n";
    for (const BatchOperation& op : change_sets[i]) {
      out += "--" + cs +
             "\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
             "Content-ID: " +
             std::to_string(content_id++) + "\r\n\r\n";
      out += op.method + " " + op.url + " HTTP/1.1\r\n";
      for (const auto& [name, value] : op.headers) {
        out += name + ": " + value + "\r\n";
      }
      out += "\r\n" + op.body + "\r\n";
    }
    out += "--" + cs + "--\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

Result<std::vector<std::vector<EmbeddedResponse>>> ParseBatchResponse(std::string_view content_type,
                                                                      std::string_view body) {
  const std::string boundary = BoundaryOf(content_type);
  if (Lower(content_type).rfind("multipart/mixed", 0) != 0 || boundary.empty()) {
    return Unavailable("$batch response: Content-Type \"" + std::string(content_type) +
                       "\" is not multipart/mixed with a boundary");
  }
  auto parts = SplitParts(body, boundary);
  if (!parts.ok()) {
    return parts.status();
  }
  std::vector<std::vector<EmbeddedResponse>> out;
  for (std::string_view part : *parts) {
    HttpHeaders mime;
    (void)ReadHeaders(part, mime);
    const std::string type = Lower(FindHeader(mime, "Content-Type").value_or(""));
    std::vector<EmbeddedResponse> results;
    if (type.rfind("multipart/mixed", 0) == 0) {
      HttpHeaders ignored;
      std::string_view inner = ReadHeaders(part, ignored);
      auto ops = SplitParts(inner, BoundaryOf(FindHeader(mime, "Content-Type").value_or("")));
      if (!ops.ok()) {
        return ops.status();
      }
      for (std::string_view op : *ops) {
        auto r = ReadEmbedded(op);
        if (!r.ok()) {
          return r.status();
        }
        results.push_back(std::move(*r));
      }
    } else if (type.rfind("application/http", 0) == 0) {
      auto r = ReadEmbedded(part);
      if (!r.ok()) {
        return r.status();
      }
      results.push_back(std::move(*r));
    } else {
      return Unavailable("$batch response: unexpected part type \"" + type + "\"");
    }
    out.push_back(std::move(results));
  }
  return out;
}

}  // namespace dealsync::connectors::dynamics365
