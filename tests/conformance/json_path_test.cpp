#include "conformance/json_path.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kmsconf::conformance {
namespace {

using nlohmann::json;

TEST(JsonPath, EmptyIsTheRoot) {
  const json body = {{"a", 1}};
  const Path path = parse_path("");
  EXPECT_TRUE(path.empty());
  EXPECT_EQ(find(body, path), &body);
  EXPECT_EQ(to_string(path), "");
}

TEST(JsonPath, DottedKeysAndIndexes) {
  const json body = json::parse(R"({"Result": {"Keys": [{"ID": "k0"}, {"ID": "k1"}]}})");
  const Path path = parse_path("Result.Keys[1].ID");
  ASSERT_EQ(path.size(), 4u);
  EXPECT_EQ(std::get<std::string>(path[0]), "Result");
  EXPECT_EQ(std::get<std::size_t>(path[2]), 1u);
  ASSERT_NE(find(body, path), nullptr);
  EXPECT_EQ(*find(body, path), "k1");
  EXPECT_EQ(to_string(path), "Result.Keys[1].ID");
}

TEST(JsonPath, LeadingIndexAndChainedIndexes) {
  const json body = json::parse(R"([[1, 2], [3, [4, 5]]])");
  EXPECT_EQ(*find(body, parse_path("[1][1][0]")), 4);
  EXPECT_EQ(*find(body, parse_path("[0]")), json({1, 2}));
}

TEST(JsonPath, KeysMayHoldAnyCharacterButDotAndBracket) {
  const json body = json::parse(R"({"a-b c:d]": {"x/y": true}})");
  EXPECT_EQ(*find(body, parse_path("a-b c:d].x/y")), true);
}

TEST(JsonPath, QuotedKeys) {
  const json body = json::parse(R"({"Key.With.Dots": {"x[0]": 1, "q\"b\\": 2}})");
  EXPECT_EQ(*find(body, parse_path(R"(["Key.With.Dots"]["x[0]"])")), 1);
  EXPECT_EQ(*find(body, parse_path(R"(["Key.With.Dots"]["q\"b\\"])")), 2);
  const Path path = parse_path(R"(["Key.With.Dots"].plain)");
  EXPECT_EQ(to_string(path), R"(["Key.With.Dots"].plain)");
  EXPECT_EQ(to_string(parse_path(R"(a["b"])")), "a.b");
  EXPECT_EQ(to_string(parse_path(R"([""])")), R"([""])");
}

TEST(JsonPath, RoundTrips) {
  for (const char* text : {"a", "a.b[0][12].c", R"(["a.b"][3])", R"(x["q\"b"].y)", "[0]"}) {
    EXPECT_EQ(to_string(parse_path(text)), text) << text;
  }
}

TEST(JsonPath, MissingValuesAndWrongKinds) {
  const json body = json::parse(R"({"a": [1, {"b": null}], "o": {"0": 1}})");
  EXPECT_EQ(find(body, parse_path("missing")), nullptr);
  EXPECT_EQ(find(body, parse_path("a[2]")), nullptr);    // out of range
  EXPECT_EQ(find(body, parse_path("a.b")), nullptr);     // key into an array
  EXPECT_EQ(find(body, parse_path("o[0]")), nullptr);    // index into an object
  EXPECT_EQ(find(body, parse_path("a[0].x")), nullptr);  // key into a number
  ASSERT_NE(find(body, parse_path("a[1].b")), nullptr);  // present, and null
  EXPECT_TRUE(find(body, parse_path("a[1].b"))->is_null());
  EXPECT_EQ(*find(body, parse_path("o.0")), 1);
}

TEST(JsonPath, MalformedPathsNameThePosition) {
  const std::pair<const char*, const char*> cases[] = {
      {".a", "empty key at offset 0 in \".a\""},
      {"a.", "empty key at offset 2 in \"a.\""},
      {"a..b", "empty key at offset 2 in \"a..b\""},
      {"a[", "expected an index or a quoted key after '[' at offset 2 in \"a[\""},
      {"a[x]", "expected an index or a quoted key after '[' at offset 2 in \"a[x]\""},
      {"a[-1]", "expected an index or a quoted key after '[' at offset 2 in \"a[-1]\""},
      {"a[1", "expected ']' at offset 3 in \"a[1\""},
      {"a[0]b", "expected '.' or '[' at offset 4 in \"a[0]b\""},
      {R"(a["b)", "unterminated quoted key at offset 1 in \"a[\"b\""},
      {R"(a["b"x)", "expected ']' after quoted key at offset 5 in \"a[\"b\"x\""},
      {R"(["\n"])", "bad escape in quoted key (only \\\" and \\\\) at offset 2 in \"[\"\\n\"]\""},
      {"a[99999999999999999999999]",
       "index too large at offset 2 in \"a[99999999999999999999999]\""},
  };
  for (const auto& [text, message] : cases) {
    Path path;
    std::string error;
    EXPECT_FALSE(try_parse_path(text, path, &error)) << text;
    EXPECT_EQ(error, message) << text;
    EXPECT_TRUE(path.empty());
    EXPECT_THROW(parse_path(text), PathError) << text;
  }
}

}  // namespace
}  // namespace kmsconf::conformance
