// gzip (RFC 1952) for HTTP content coding: bounded decoding of responses the
// client asked to be compressed (Accept-Encoding: gzip), and encoding for the
// simulators and tests.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dealsync/http.h"
#include "dealsync/status.h"

namespace dealsync {

// Decodes one or more concatenated gzip members. Output beyond `max_decoded`
// bytes stops decoding (a decompression bomb is never allocated); that, or a
// corrupt or truncated stream, or bytes after the last member, is
// kUnavailable, as a raw body over the limit or cut short is.
Result<std::string> GunzipBounded(std::string_view compressed, size_t max_decoded);

// Encodes `data` as one gzip member.
std::string Gzip(std::string_view data);

// True when a Content-Encoding value is gzip ("gzip" or "x-gzip", any case,
// surrounding spaces ignored).
bool IsGzipCoding(std::string_view content_encoding);

// Undoes the response's Content-Encoding in place: none or "identity" leaves
// it as it is; gzip is decoded (at most `max_decoded` bytes) and the
// Content-Encoding header removed, Content-Length set to the decoded size. An
// empty body is left empty (HEAD, 204, 304). Any other coding, or a list of
// codings, is kFailedPrecondition naming it (the client asks for gzip only).
Status DecodeContentEncoding(HttpResponse& response, size_t max_decoded);

}  // namespace dealsync
