#include "conformance/predicates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kmsconf::conformance {
namespace {

using nlohmann::json;

const json kBody = json::parse(R"({
  "Result": {"Key": {
    "ID": "3f1c2a4e-1b2c-4d3e-8f9a-0123456789ab",
    "KeyState": "Disable",
    "Count": 3,
    "Ratio": 1.5,
    "Created": 1700000000,
    "CreatedMs": 1700000000000,
    "Date": "2024-05-04T21:48:24Z",
    "Blob": "aGVsbG8=",
    "Tags": ["a", "b"],
    "Name": "kc-ring",
    "Nothing": null,
    "Flag": true
  }}
})");

struct Row {
  const char* path;
  const char* predicate;
  json argument;
  bool ok;
  const char* message;
};

AssertionResult run(const std::string& path, const std::string& predicate, const json& argument,
                    const json& body = kBody, const TemplateContext& context = {}) {
  Assertion a;
  a.path = path;
  a.predicate = predicate;
  a.argument = argument;
  return evaluate(a, body, context);
}

void check(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    const auto result = run(row.path, row.predicate, row.argument);
    EXPECT_EQ(result.ok, row.ok) << row.predicate << " " << row.argument.dump() << " on "
                                 << row.path << ": " << result.message;
    EXPECT_EQ(result.message, row.message) << row.predicate << " " << row.argument.dump();
  }
}

TEST(Predicates, EqualsAndNotEquals) {
  check({
      {"Result.Key.KeyState", "equals", "Disable", true, "Result.Key.KeyState: equals \"Disable\""},
      {"Result.Key.KeyState", "equals", "Enable", false,
       "Result.Key.KeyState: expected equals \"Enable\", got \"Disable\""},
      {"Result.Key.Count", "equals", 3.0, true, "Result.Key.Count: equals 3.0"},
      {"Result.Key.Count", "equals", "3", false, "Result.Key.Count: expected equals \"3\", got 3"},
      {"Result.Key.Tags", "equals", json::array({"a", "b"}), true,
       "Result.Key.Tags: equals [\"a\",\"b\"]"},
      {"Result.Key.Missing", "equals", 1, false,
       "Result.Key.Missing: expected equals 1, got nothing (no such path)"},
      {"Result.Key.KeyState", "not_equals", "Enable", true,
       "Result.Key.KeyState: not_equals \"Enable\""},
      {"Result.Key.KeyState", "not_equals", "Disable", false,
       "Result.Key.KeyState: expected not_equals \"Disable\", got \"Disable\""},
  });
}

TEST(Predicates, MatchesTheWholeString) {
  check({
      {"Result.Key.KeyState", "matches", "Dis.*", true, "Result.Key.KeyState: matches \"Dis.*\""},
      {"Result.Key.KeyState", "matches", "Dis", false,
       "Result.Key.KeyState: expected matches \"Dis\", got \"Disable\""},
      {"Result.Key.Count", "matches", "3", false,
       "Result.Key.Count: expected matches \"3\", got 3 (integer)"},
  });
}

TEST(Predicates, ExistsAndAbsent) {
  check({
      {"Result.Key.Nothing", "exists", true, true, "Result.Key.Nothing: exists"},
      {"Result.Missing", "exists", true, false,
       "Result.Missing: expected exists, got nothing (no such path)"},
      {"Result.Missing", "absent", true, true, "Result.Missing: absent"},
      {"Result.Key.Count", "absent", true, false, "Result.Key.Count: expected absent, got 3"},
      {"", "exists", true, true, "(root): exists"},
  });
}

TEST(Predicates, Type) {
  check({
      {"Result.Key.Count", "type", "integer", true, "Result.Key.Count: type integer"},
      {"Result.Key.Count", "type", "number", true, "Result.Key.Count: type number"},
      {"Result.Key.Ratio", "type", "integer", false,
       "Result.Key.Ratio: expected type integer, got 1.5 (number)"},
      {"Result.Key.Nothing", "type", "null", true, "Result.Key.Nothing: type null"},
      {"Result.Key.Flag", "type", "string", false,
       "Result.Key.Flag: expected type string, got true (boolean)"},
      {"Result.Key", "type", "object", true, "Result.Key: type object"},
      {"Result.Key.Tags", "type", "array", true, "Result.Key.Tags: type array"},
  });
}

TEST(Predicates, OneOf) {
  check({
      {"Result.Key.KeyState", "one_of", json::array({"Enable", "Disable"}), true,
       "Result.Key.KeyState: one_of [\"Enable\",\"Disable\"]"},
      {"Result.Key.KeyState", "one_of", json::array({"Enable"}), false,
       "Result.Key.KeyState: expected one_of [\"Enable\"], got \"Disable\""},
  });
}

TEST(Predicates, Uuid) {
  check({
      {"Result.Key.ID", "uuid", true, true, "Result.Key.ID: uuid"},
      {"Result.Key.ID", "uuid", 4, true, "Result.Key.ID: uuid v4"},
      {"Result.Key.ID", "uuid", 1, false,
       "Result.Key.ID: expected uuid v1, got \"3f1c2a4e-1b2c-4d3e-8f9a-0123456789ab\""},
      {"Result.Key.Name", "uuid", true, false, "Result.Key.Name: expected uuid, got \"kc-ring\""},
      {"Result.Key.Count", "uuid", true, false, "Result.Key.Count: expected uuid, got 3 (integer)"},
  });
}

TEST(Predicates, Iso8601) {
  const json body = {
      {"z", "2024-05-04T21:48:24Z"},     {"offset", "2024-05-04T21:48:24.369005772+08:00"},
      {"leap", "2024-02-29T00:00:00Z"},  {"not_leap", "2023-02-29T00:00:00Z"},
      {"space", "2024-05-04 21:48:24Z"}, {"no_zone", "2024-05-04T21:48:24"},
      {"hour", "2024-05-04T24:00:00Z"},  {"empty_fraction", "2024-05-04T21:48:24.Z"}};
  for (const char* good : {"z", "offset", "leap"}) {
    EXPECT_TRUE(run(good, "iso8601", true, body).ok) << good;
  }
  for (const char* bad : {"not_leap", "space", "no_zone", "hour", "empty_fraction"}) {
    EXPECT_FALSE(run(bad, "iso8601", true, body).ok) << bad;
  }
  check({
      {"Result.Key.Date", "iso8601", true, true, "Result.Key.Date: iso8601"},
      {"Result.Key.Created", "iso8601", true, false,
       "Result.Key.Created: expected iso8601, got 1700000000 (integer)"},
  });
}

TEST(Predicates, EpochSecondsAndMillis) {
  check({
      {"Result.Key.Created", "epoch_seconds", true, true, "Result.Key.Created: epoch_seconds"},
      {"Result.Key.CreatedMs", "epoch_seconds", true, false,
       "Result.Key.CreatedMs: expected epoch_seconds, got 1700000000000 (outside 2001-2100)"},
      {"Result.Key.CreatedMs", "epoch_ms", true, true, "Result.Key.CreatedMs: epoch_ms"},
      {"Result.Key.Created", "epoch_ms", true, false,
       "Result.Key.Created: expected epoch_ms, got 1700000000 (outside 2001-2100)"},
      {"Result.Key.Ratio", "epoch_seconds", true, false,
       "Result.Key.Ratio: expected epoch_seconds, got 1.5 (number)"},
      {"Result.Key.Date", "epoch_seconds", true, false,
       "Result.Key.Date: expected epoch_seconds, got \"2024-05-04T21:48:24Z\" (string)"},
  });
}

TEST(Predicates, Base64AndItsLength) {
  check({
      {"Result.Key.Blob", "base64", true, true, "Result.Key.Blob: base64"},
      {"Result.Key.Name", "base64", true, false,
       "Result.Key.Name: expected base64, got \"kc-ring\" (not standard base64)"},
      {"Result.Key.Blob", "base64_length", 5, true, "Result.Key.Blob: base64_length 5"},
      {"Result.Key.Blob", "base64_length", 16, false,
       "Result.Key.Blob: expected base64_length 16, got \"aGVsbG8=\" (decodes to 5 bytes)"},
      {"Result.Key.Blob",
       "base64_length",
       {{"min", 1}, {"max", 5}},
       true,
       "Result.Key.Blob: base64_length {\"max\":5,\"min\":1}"},
      {"Result.Key.Blob",
       "base64_length",
       {{"min", 6}},
       false,
       "Result.Key.Blob: expected base64_length {\"min\":6}, got \"aGVsbG8=\" (decodes to 5 "
       "bytes)"},
  });
}

TEST(Predicates, Comparisons) {
  check({
      {"Result.Key.Count", "gt", 2, true, "Result.Key.Count: gt 2"},
      {"Result.Key.Count", "gt", 3, false, "Result.Key.Count: expected gt 3, got 3"},
      {"Result.Key.Count", "gte", 3, true, "Result.Key.Count: gte 3"},
      {"Result.Key.Count", "lt", 3, false, "Result.Key.Count: expected lt 3, got 3"},
      {"Result.Key.Count", "lte", 3, true, "Result.Key.Count: lte 3"},
      {"Result.Key.Ratio", "gt", 1, true, "Result.Key.Ratio: gt 1"},
      {"Result.Key.Ratio", "lt", 1.25, false, "Result.Key.Ratio: expected lt 1.25, got 1.5"},
      {"Result.Key.KeyState", "gt", 1, false,
       "Result.Key.KeyState: expected gt 1, got \"Disable\" (string)"},
  });
  const json big = {{"u", 18446744073709551615ull}, {"n", -1}};
  EXPECT_TRUE(run("u", "gt", 9223372036854775807ll, big).ok);
  EXPECT_TRUE(run("n", "lt", 0, big).ok);
  EXPECT_FALSE(run("n", "gt", 18446744073709551615ull, big).ok);
}

TEST(Predicates, Length) {
  check({
      {"Result.Key.Tags", "length", 2, true, "Result.Key.Tags: length 2"},
      {"Result.Key.Name",
       "length",
       {{"min", 2}, {"max", 31}},
       true,
       "Result.Key.Name: length {\"max\":31,\"min\":2}"},
      {"Result.Key.Name", "length", 3, false,
       "Result.Key.Name: expected length 3, got \"kc-ring\" (length 7)"},
      {"Result.Key.Count", "length", 3, false,
       "Result.Key.Count: expected length 3, got 3 (integer)"},
      {"Result.Key",
       "length",
       {{"min", 20}},
       false,
       "Result.Key: expected length {\"min\":20}, got {\"Blob\":\"aGVsbG8=\",\"Count\":3,"
       "\"Created\":1700000000,\"CreatedMs\":1700000000000,\"Date\":\"2024-05-04T21:48:24Z\","
       "\"Flag\":true,\"ID\":\"3f1c2a4e-1b2c-4d3e-8f9a-0123456789ab\",\"KeyState\":\"Disable\","
       "\"Name\":\"kc-ring\",... (244 chars) (length 12)"},
  });
  // Characters, not bytes.
  EXPECT_TRUE(run("s", "length", 2, json{{"s", "\xC3\xA9\xE4\xB8\xAD"}}).ok);
}

TEST(Predicates, Contains) {
  check({
      {"Result.Key.Tags", "contains", "a", true, "Result.Key.Tags: contains \"a\""},
      {"Result.Key.Tags", "contains", "z", false,
       "Result.Key.Tags: expected contains \"z\", got [\"a\",\"b\"]"},
      {"Result.Key.Name", "contains", "ring", true, "Result.Key.Name: contains \"ring\""},
      {"Result.Key.Name", "contains", "key", false,
       "Result.Key.Name: expected contains \"key\", got \"kc-ring\""},
      {"Result.Key.Count", "contains", 3, false,
       "Result.Key.Count: expected contains 3, got 3 (integer)"},
  });
}

TEST(Predicates, Shape) {
  const json good = json::parse(R"({"type": "object", "required": ["ID", "KeyState"],
      "properties": {"Count": {"type": "integer"}, "Tags": {"type": "array",
      "items": {"type": "string", "pattern": "^[a-z]$"}}, "Ratio": {"type": ["number", "null"]}}})");
  check({
      {"Result.Key", "shape", good, true, "Result.Key: shape"},
      {"Result.Key", "shape", json::parse(R"({"properties": {"KeyState": {"enum": ["Enable"]}}})"),
       false,
       "Result.Key: expected shape, Result.Key.KeyState: expected enum [\"Enable\"], got "
       "\"Disable\""},
      {"Result.Key", "shape", json::parse(R"({"required": ["Missing"]})"), false,
       "Result.Key: expected shape, Result.Key: missing required property \"Missing\""},
      {"Result.Key", "shape",
       json::parse(R"({"properties": {"Tags": {"items": {"pattern": "^b"}}}})"), false,
       "Result.Key: expected shape, Result.Key.Tags[0]: expected pattern \"^b\", got \"a\""},
      {"Result.Key", "shape", json::parse(R"({"properties": {"Count": {"type": "string"}}})"),
       false,
       "Result.Key: expected shape, Result.Key.Count: expected type \"string\", got 3 "
       "(integer)"},
      {"Result", "shape",
       json::parse(R"({"additionalProperties": false, "properties": {"Other": {}}})"), false,
       "Result: expected shape, Result: unexpected property \"Key\""},
      {"", "shape", json::parse(R"({"type": "array"})"), false,
       "(root): expected shape, (root): expected type \"array\", got {\"Result\":{\"Key\":"
       "{\"Blob\":\"aGVsbG8=\",\"Count\":3,\"Created\":1700000000,\"CreatedMs\":1700000000000,"
       "\"Date\":\"2024-05-04T21:48:24Z\",\"Flag\":true,\"ID\":\"3f1c2a4e-1b2c-4d3e-8f9a-"
       "0123456789ab\",\"KeyState\":\"Disable\",... (263 chars) (object)"},
  });
}

TEST(Predicates, LongActualValuesAreCut) {
  const json body = {{"s", std::string(500, 'x')}};
  const auto result = run("s", "equals", "y", body);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.message,
            "s: expected equals \"y\", got \"" + std::string(199, 'x') + "... (502 chars)");
}

TEST(Predicates, TemplatesInArgumentsAreExpanded) {
  TemplateContext context;
  context.set("key_id", "3f1c2a4e-1b2c-4d3e-8f9a-0123456789ab");
  context.set("count", 3);
  EXPECT_TRUE(run("Result.Key.ID", "equals", "{{key_id}}", kBody, context).ok);
  EXPECT_TRUE(run("Result.Key.Count", "equals", "{{count}}", kBody, context).ok);
  EXPECT_TRUE(run("Result.Key.Count", "one_of", {"{{count}}", 4}, kBody, context).ok);
  const auto result = run("Result.Key.Name", "not_equals", "kc-{{count}}", kBody, context);
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.message, "Result.Key.Name: not_equals \"kc-3\"");
  EXPECT_THROW(run("Result.Key.ID", "equals", "{{nope}}", kBody, context), TemplateError);
  // matches is a literal regex: braces are not templates.
  EXPECT_TRUE(run("Result.Key.Name", "matches", "kc-r{1}ing", kBody, context).ok);
}

TEST(Predicates, MalformedAssertionsFailWithoutThrowing) {
  const auto result = run("a..b", "exists", true);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.message, "a..b: malformed assertion: path: empty key at offset 2 in \"a..b\"");
  EXPECT_EQ(run("x", "equal", 1).message,
            "x: malformed assertion: equal: unknown predicate \"equal\"");
}

std::vector<std::string> problems(const std::string& predicate, const json& argument,
                                  const std::string& path = "a") {
  Assertion a;
  a.path = path;
  a.predicate = predicate;
  a.argument = argument;
  std::vector<std::string> out;
  for (const auto& p : validate_assertion(a)) out.push_back(p.field + ": " + p.reason);
  return out;
}

TEST(ValidateAssertion, ArgumentTypes) {
  using testing::ElementsAre;
  using testing::IsEmpty;
  EXPECT_THAT(problems("equals", nullptr), IsEmpty());
  EXPECT_THAT(problems("matches", 1),
              ElementsAre("matches: must be a string (an ECMAScript regex)"));
  EXPECT_THAT(problems("matches", "(")[0], testing::StartsWith("matches: invalid regex: "));
  EXPECT_THAT(problems("exists", false),
              ElementsAre("exists: must be true (use \"absent\": true for a missing value)"));
  EXPECT_THAT(problems("absent", 1),
              ElementsAre("absent: must be true (use \"exists\": true for a present value)"));
  EXPECT_THAT(problems("type", "int"),
              ElementsAre("type: must be one of \"string\", \"number\", \"integer\", "
                          "\"boolean\", \"object\", \"array\", \"null\""));
  EXPECT_THAT(problems("one_of", json::array()), ElementsAre("one_of: must be a non-empty array"));
  EXPECT_THAT(problems("uuid", 9), ElementsAre("uuid: must be true or a UUID version from 1 to 8"));
  EXPECT_THAT(problems("uuid", 4), IsEmpty());
  EXPECT_THAT(problems("iso8601", "yes"), ElementsAre("iso8601: must be true"));
  EXPECT_THAT(
      problems("base64_length", -1),
      ElementsAre("base64_length: must be a non-negative integer or {\"min\": a, \"max\": b}"));
  EXPECT_THAT(problems("length", {{"min", 3}, {"max", 2}}),
              ElementsAre("length: \"min\" is greater than \"max\""));
  EXPECT_THAT(problems("length", {{"mn", 3}}),
              ElementsAre("length: unknown field \"mn\" (only \"min\" and \"max\")"));
  EXPECT_THAT(problems("length", json::object()), ElementsAre("length: needs \"min\" or \"max\""));
  EXPECT_THAT(problems("gt", "5"), ElementsAre("gt: must be a number"));
  EXPECT_THAT(problems("contains", nullptr), ElementsAre("contains: must not be null"));
  EXPECT_THAT(problems("shape", json::parse(R"({"properties": {"ID": {"typ": "string"}},
                                               "type": ["string", "text"], "pattern": "["})")),
              ElementsAre(testing::StartsWith("shape.pattern: invalid regex: "),
                          "shape.properties.ID.typ: unknown shape keyword \"typ\" (supported: "
                          "type, required, properties, items, enum, pattern, "
                          "additionalProperties)",
                          "shape.type: must be a type name or an array of them (string, number, "
                          "integer, boolean, object, array, null)"));
  EXPECT_THAT(problems("exists", true, "a["),
              ElementsAre("path: expected an index or a quoted key after '[' at offset 2 in "
                          "\"a[\""));
  EXPECT_THAT(problems("nope", 1), ElementsAre("nope: unknown predicate \"nope\""));
}

TEST(ValidateAssertion, EveryPredicateOfTheDocIsKnown) {
  EXPECT_EQ(predicate_names().size(), 20u);
  for (const char* name :
       {"equals", "not_equals", "matches",       "exists",   "absent",   "type",          "one_of",
        "uuid",   "iso8601",    "epoch_seconds", "epoch_ms", "base64",   "base64_length", "gt",
        "gte",    "lt",         "lte",           "length",   "contains", "shape"}) {
    EXPECT_TRUE(is_predicate(name)) << name;
  }
}

}  // namespace
}  // namespace kmsconf::conformance
