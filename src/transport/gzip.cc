#include "src/transport/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace dealsync {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // zlib: 32 KiB window, gzip wrapper only

}  // namespace

Result<std::string> GunzipBounded(std::string_view compressed, size_t max_decoded) {
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) {
    return Internal("gzip: cannot initialise zlib");
  }
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  std::string out;
  char chunk[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  if (compressed.size() != zs.avail_in) {
    return Unavailable("gzip: compressed body too large");
  }
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_decoded) {
      return Unavailable("gzip: decoded response body exceeds the limit of " +
                         std::to_string(max_decoded) + " bytes");
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        return out;
      }
      // Another member follows (RFC 1952 section 2.2); anything else is garbage.
      if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
        return Unavailable("gzip: unexpected bytes after the compressed data");
      }
      if (inflateReset(&zs) != Z_OK) {
        return Unavailable("gzip: cannot start the next member");
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && produced == 0) {
      return Unavailable("gzip: truncated compressed data");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Unavailable(std::string("gzip: corrupt compressed data (") +
                         (zs.msg != nullptr ? zs.msg : "zlib error " + std::to_string(rc)) + ")");
    }
  }
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 9,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool IsGzipCoding(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) {
    v.remove_prefix(1);
  }
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) {
    v.remove_suffix(1);
  }
  std::string lower(v);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "gzip" || lower == "x-gzip";
}

Status DecodeContentEncoding(HttpResponse& response, size_t max_decoded) {
  auto coding = std::find_if(response.headers.begin(), response.headers.end(), [](const auto& h) {
    return EqualsIgnoreCase(h.first, "Content-Encoding");
  });
  if (coding == response.headers.end()) {
    return Status::Ok();
  }
  std::string joined;  // several Content-Encoding lines are one list (RFC 9110 5.3)
  for (auto it = coding; it != response.headers.end(); ++it) {
    if (EqualsIgnoreCase(it->first, "Content-Encoding")) {
      joined += (joined.empty() ? "" : ", ") + it->second;
    }
  }
  std::string_view value = joined;
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty() || EqualsIgnoreCase(value, "identity")) {
    response.headers.erase(coding);
    return Status::Ok();
  }
  if (!IsGzipCoding(value)) {
    return FailedPrecondition("unsupported Content-Encoding \"" + std::string(value.substr(0, 40)) +
                              "\" in the response (only gzip is accepted, and asked for)");
  }
  if (!response.body.empty()) {
    Result<std::string> decoded = GunzipBounded(response.body, max_decoded);
    if (!decoded.ok()) {
      return decoded.status();
    }
    response.body = std::move(decoded).value();
  }
  response.headers.erase(coding);
  for (auto& [name, v] : response.headers) {
    if (EqualsIgnoreCase(name, "Content-Length")) {
      v = std::to_string(response.body.size());
    }
  }
  return Status::Ok();
}

}  // namespace dealsync
