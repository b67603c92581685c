#include "protocol/encoding.hpp"

#include <gtest/gtest.h>

#include "protocol/digest.hpp"

namespace kmsconf {
namespace {

TEST(Base64, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64_decode(base64_encode(data)), data) << "length " << i;
    data.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64, KnownValues) {
  EXPECT_EQ(base64_encode("hello world"), "aGVsbG8gd29ybGQ=");
  EXPECT_EQ(base64_decode("aGVsbG8gd29ybGQ="), "hello world");
  EXPECT_EQ(base64_decode("YQ=="), "a");
}

TEST(Base64, RejectsMalformed) {
  EXPECT_FALSE(base64_decode("abc"));        // not a multiple of 4
  EXPECT_FALSE(base64_decode("ab=c"));       // padding in the middle
  EXPECT_FALSE(base64_decode("a==="));       // too much padding
  EXPECT_FALSE(base64_decode("ab-_"));       // url-safe alphabet is not standard base64
  EXPECT_FALSE(base64_decode("aGVs bG8="));  // whitespace
}

TEST(PercentDecode, HandlesPlusAndBothHexCases) {
  EXPECT_EQ(percent_decode("a+b%3a%3A"), "a b::");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("abc%"));
}

TEST(UriEncode, KeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(uri_encode("a b*()!'"), "a%20b%2A%28%29%21%27");
  EXPECT_EQ(uri_encode("\xE5\xAF\x86"), "%E5%AF%86");
}

TEST(ParseQuery, DecodesPairsInOrder) {
  auto pairs = parse_query("b=2&a=x%20y&empty=&flag");
  ASSERT_TRUE(pairs);
  ASSERT_EQ(pairs->size(), 4u);
  EXPECT_EQ((*pairs)[0], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ((*pairs)[1].second, "x y");
  EXPECT_EQ((*pairs)[2].second, "");
  EXPECT_EQ((*pairs)[3].first, "flag");
  EXPECT_FALSE(parse_query("a=%G1"));
  EXPECT_TRUE(parse_query("")->empty());
}

TEST(Digest, Sha256AndConstantTimeCompare) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Digest, UuidV4Shape) {
  std::string id = uuid_v4();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(uuid_v4(), id);
}

}  // namespace
}  // namespace kmsconf
