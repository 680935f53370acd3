// gzip content coding: bounded decoding (round trip, several members, a
// truncated or corrupt stream, a decompression bomb over the limit) and the
// Content-Encoding checks the HTTP client applies to a response.
#include "src/transport/gzip.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"

namespace dealsync {
namespace {

std::string Sample() {
  std::string s;
  for (int i = 0; i < 2000; ++i) {
    s += "{\"id\":\"" + std::to_string(i) + "\",\"stage\":\"Qualified\"},";
  }
  return s;
}

TEST(GzipTest, RoundTrip) {
  const std::string data = Sample();
  const std::string packed = Gzip(data);
  ASSERT_GE(packed.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
  EXPECT_LT(packed.size(), data.size() / 4);
  Result<std::string> out = GunzipBounded(packed, data.size());  // exactly at the limit
  ASSERT_OK(out);
  EXPECT_EQ(*out, data);
}

TEST(GzipTest, EmptyAndBinaryPayloads) {
  Result<std::string> empty = GunzipBounded(Gzip(""), 0);
  ASSERT_OK(empty);
  EXPECT_EQ(*empty, "");
  std::string binary;
  for (int i = 0; i < 70000; ++i) {
    binary.push_back(static_cast<char>((i * 7919) & 0xff));
  }
  Result<std::string> out = GunzipBounded(Gzip(binary), 1 << 20);
  ASSERT_OK(out);
  EXPECT_EQ(*out, binary);
}

TEST(GzipTest, ConcatenatedMembersDecodeToTheirConcatenation) {
  Result<std::string> out = GunzipBounded(Gzip("first ") + Gzip("second"), 100);
  ASSERT_OK(out);
  EXPECT_EQ(*out, "first second");
}

TEST(GzipTest, TruncatedStreamIsAnError) {
  const std::string packed = Gzip(Sample());
  for (size_t keep : {size_t{0}, size_t{5}, size_t{10}, packed.size() / 2, packed.size() - 1}) {
    Result<std::string> out = GunzipBounded(packed.substr(0, keep), 1 << 20);
    ASSERT_FALSE(out.ok()) << "kept " << keep << " of " << packed.size();
    EXPECT_EQ(out.status().code(), StatusCode::kUnavailable) << keep;
    EXPECT_NE(out.status().message().find("gzip"), std::string::npos) << out.status().ToString();
  }
}

TEST(GzipTest, CorruptStreamAndTrailingGarbageAreErrors) {
  std::string packed = Gzip(Sample());
  std::string corrupt = packed;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  corrupt[corrupt.size() - 6] = static_cast<char>(corrupt[corrupt.size() - 6] ^ 0x01);  // CRC
  EXPECT_FALSE(GunzipBounded(corrupt, 1 << 20).ok());

  Result<std::string> garbage = GunzipBounded(packed + "trailing", 1 << 20);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("unexpected bytes after"), std::string::npos)
      << garbage.status().ToString();

  Result<std::string> plain = GunzipBounded("{\"not\":\"gzip\"}", 1 << 20);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("gzip"), std::string::npos);
}

// 16 MiB of zeros compress to about 16 KiB; with a 1 MiB limit decoding stops
// at the limit (an error value, not 16 MiB allocated).
TEST(GzipTest, BombOverTheLimitIsAnErrorValue) {
  const std::string bomb = Gzip(std::string(16u << 20, '\0'));
  ASSERT_LT(bomb.size(), 64u * 1024);
  Result<std::string> out = GunzipBounded(bomb, 1u << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(out.status().message().find("exceeds the limit of 1048576 bytes"), std::string::npos)
      << out.status().ToString();
  // One byte over the limit is already too much.
  const std::string data = Sample();
  EXPECT_FALSE(GunzipBounded(Gzip(data), data.size() - 1).ok());
}

TEST(GzipTest, ContentEncodingNames) {
  EXPECT_TRUE(IsGzipCoding("gzip"));
  EXPECT_TRUE(IsGzipCoding(" GZIP "));
  EXPECT_TRUE(IsGzipCoding("x-gzip"));
  EXPECT_FALSE(IsGzipCoding("deflate"));
  EXPECT_FALSE(IsGzipCoding("br"));
  EXPECT_FALSE(IsGzipCoding("gzip, gzip"));
  EXPECT_FALSE(IsGzipCoding(""));
}

HttpResponse Response(std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  HttpResponse r;
  r.status = 200;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(DecodeContentEncodingTest, GzipBodyIsDecodedAndTheHeadersFixed) {
  const std::string data = Sample();
  HttpResponse r = Response({{"Content-Type", "application/json"},
                             {"Content-Encoding", "gzip"},
                             {"Content-Length", std::to_string(Gzip(data).size())}},
                            Gzip(data));
  ASSERT_OK(DecodeContentEncoding(r, 1 << 20));
  EXPECT_EQ(r.body, data);
  EXPECT_FALSE(FindHeader(r.headers, "Content-Encoding").has_value());
  EXPECT_EQ(FindHeader(r.headers, "Content-Length").value_or(""), std::to_string(data.size()));
  EXPECT_EQ(FindHeader(r.headers, "Content-Type").value_or(""), "application/json");
}

TEST(DecodeContentEncodingTest, IdentityAndNoEncodingAreUntouched) {
  HttpResponse r = Response({{"Content-Type", "text/plain"}}, "hello");
  ASSERT_OK(DecodeContentEncoding(r, 10));
  EXPECT_EQ(r.body, "hello");
  r = Response({{"content-encoding", "identity"}}, "hello");
  ASSERT_OK(DecodeContentEncoding(r, 10));
  EXPECT_EQ(r.body, "hello");
}

TEST(DecodeContentEncodingTest, EmptyBodyWithGzipHeaderIsEmpty) {
  // HEAD, 204 and 304 answers may name the coding of a body they do not carry.
  HttpResponse r = Response({{"Content-Encoding", "gzip"}}, "");
  ASSERT_OK(DecodeContentEncoding(r, 10));
  EXPECT_EQ(r.body, "");
}

TEST(DecodeContentEncodingTest, UnknownEncodingIsRejectedClearly) {
  for (const char* coding : {"br", "deflate", "zstd", "gzip, br"}) {
    HttpResponse r = Response({{"Content-Encoding", coding}}, "\x01\x02\x03");
    Status s = DecodeContentEncoding(r, 1 << 20);
    ASSERT_FALSE(s.ok()) << coding;
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << coding;
    EXPECT_NE(s.message().find("unsupported Content-Encoding \"" + std::string(coding) + "\""),
              std::string::npos)
        << s.ToString();
    EXPECT_NE(s.message().find("only gzip"), std::string::npos) << s.ToString();
  }
}

TEST(DecodeContentEncodingTest, SeveralContentEncodingLinesAreOneList) {
  HttpResponse r =
      Response({{"Content-Encoding", "gzip"}, {"Content-Encoding", "gzip"}}, Gzip(Gzip("twice")));
  Status s = DecodeContentEncoding(r, 1 << 20);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unsupported Content-Encoding \"gzip, gzip\""), std::string::npos)
      << s.ToString();
}

TEST(DecodeContentEncodingTest, BombIsAnErrorAtTheBodyLimit) {
  HttpResponse r = Response({{"Content-Encoding", "gzip"}}, Gzip(std::string(8u << 20, 'a')));
  Status s = DecodeContentEncoding(r, 1u << 20);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("decoded response body exceeds the limit of 1048576 bytes"),
            std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace dealsync
