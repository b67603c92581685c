#include "conformance/predicates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
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

// ---- near_time: expected instants come from the test's own fixed clock ------------------
//
// The clock stands at 1700000000 s = 2023-11-14T22:13:20Z; 7 days (604800 s) later is
// 1700604800 s = 2023-11-21T22:13:20Z.

TemplateContext at_fixed_now() {
  TemplateContext context;
  context.set_clock(
      [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)); });
  return context;
}

AssertionResult near(const json& value, const json& argument,
                     const TemplateContext& context = at_fixed_now()) {
  return run("T", "near_time", argument, json{{"T", value}}, context);
}

const json kWeekFromNow = {{"from", "now"}, {"plus", "+7d"}, {"tolerance", "10m"}};

TEST(NearTime, HoldsForTheExpectedInstantInEveryFormat) {
  for (const json& value :
       {json("2023-11-21T22:13:20Z"), json("2023-11-22T06:13:20+08:00"),
        json("2023-11-21T22:13:20.000000000Z"), json(1700604800), json(1700604800000)}) {
    EXPECT_TRUE(near(value, kWeekFromNow).ok) << value.dump();
  }
  EXPECT_EQ(near("2023-11-21T22:13:20Z", kWeekFromNow).message,
            "T: near_time now+7d within 10m (2023-11-21T22:13:20.000Z)");
}

TEST(NearTime, ADayLateFailsAndSaysByHowMuch) {
  const auto result = near("2023-11-22T22:13:20Z", kWeekFromNow);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.message,
            "T: expected near_time now+7d within 10m (2023-11-21T22:13:20.000Z), got "
            "\"2023-11-22T22:13:20Z\" (2023-11-22T22:13:20.000Z, off by +1d)");
  EXPECT_FALSE(near(1700604800 + 86400, kWeekFromNow).ok);
  EXPECT_FALSE(near(int64_t{1700604800000} - 86400000, kWeekFromNow).ok);
  // The window before it was a week: "now" without plus.
  EXPECT_FALSE(near("2023-11-21T22:13:20Z", {{"from", "now"}, {"tolerance", "1d"}}).ok);
}

TEST(NearTime, ToleranceEdgesAreIncluded) {
  EXPECT_TRUE(near("2023-11-21T22:23:20Z", kWeekFromNow).ok);   // +600 s
  EXPECT_FALSE(near("2023-11-21T22:23:21Z", kWeekFromNow).ok);  // +601 s
  EXPECT_TRUE(near("2023-11-21T22:03:20Z", kWeekFromNow).ok);   // -600 s
  EXPECT_FALSE(near("2023-11-21T22:03:19Z", kWeekFromNow).ok);  // -601 s
  EXPECT_TRUE(near(1700605400, kWeekFromNow).ok);               // +600 s
  EXPECT_FALSE(near(1700605401, kWeekFromNow).ok);
  EXPECT_TRUE(near(int64_t{1700605400000}, kWeekFromNow).ok);  // +600000 ms
  EXPECT_FALSE(near(int64_t{1700605400001}, kWeekFromNow).ok);
  // Fractions count: 22:13:20.5 at +08:00 is half a second after the instant.
  const json half = "2023-11-22T06:13:20.5+08:00";
  EXPECT_TRUE(near(half, {{"from", "now"}, {"plus", "+7d"}, {"tolerance", "500ms"}}).ok);
  const auto late = near(half, {{"from", "now"}, {"plus", "+7d"}, {"tolerance", "499ms"}});
  EXPECT_FALSE(late.ok);
  EXPECT_THAT(late.message, testing::EndsWith("(2023-11-21T22:13:20.500Z, off by +500ms)"));
  // Zero tolerance: exactly the instant.
  EXPECT_TRUE(near(1700000000, {{"from", "now"}, {"tolerance", "0s"}}).ok);
  EXPECT_FALSE(near(1700000001, {{"from", "now"}, {"tolerance", "0s"}}).ok);
}

TEST(NearTime, NegativeOffsetsAndPinnedFormats) {
  EXPECT_TRUE(
      near("2023-11-14T21:13:20Z", {{"from", "now"}, {"plus", "-1h"}, {"tolerance", "1s"}}).ok);
  EXPECT_FALSE(
      near("2023-11-14T23:13:20Z", {{"from", "now"}, {"plus", "-1h"}, {"tolerance", "1s"}}).ok);
  const json as_ms = {{"from", "now"}, {"tolerance", "1m"}, {"format", "epoch_ms"}};
  EXPECT_TRUE(near(int64_t{1700000000000}, as_ms).ok);
  EXPECT_EQ(near(1700000000, as_ms).message,
            "T: expected near_time now within 1m as epoch_ms (2023-11-14T22:13:20.000Z), got "
            "1700000000 (1970-01-20T16:13:20.000Z, off by -471750h)");
  const json as_s = {{"from", "now"}, {"tolerance", "1m"}, {"format", "epoch_seconds"}};
  EXPECT_TRUE(near(1700000000, as_s).ok);
  EXPECT_EQ(near(int64_t{1700000000000}, as_s).message,
            "T: expected near_time now within 1m as epoch_seconds (2023-11-14T22:13:20.000Z), got "
            "1700000000000 (not a time as epoch_seconds)");
  const json as_text = {{"from", "now"}, {"tolerance", "1m"}, {"format", "iso8601"}};
  EXPECT_FALSE(near(1700000000, as_text).ok);
  EXPECT_TRUE(near("2023-11-14T22:13:20Z", as_text).ok);
}

TEST(NearTime, NonTimesAndMissingValuesFail) {
  EXPECT_EQ(near("soon", kWeekFromNow).message,
            "T: expected near_time now+7d within 10m (2023-11-21T22:13:20.000Z), got \"soon\" "
            "(not a time)");
  EXPECT_FALSE(near("2023-02-29T00:00:00Z", kWeekFromNow).ok);
  EXPECT_FALSE(near(1.7e9, kWeekFromNow).ok);
  EXPECT_FALSE(near(true, kWeekFromNow).ok);
  EXPECT_EQ(run("Nope", "near_time", kWeekFromNow, json::object(), at_fixed_now()).message,
            "Nope: expected near_time now+7d within 10m (2023-11-21T22:13:20.000Z), got nothing "
            "(no such path)");
}

TEST(NearTime, FromACapturedTime) {
  TemplateContext context = at_fixed_now();
  context.set("created", "2023-11-14T22:13:20Z");
  context.set("created_ms", int64_t{1700000000000});
  context.set("name", "kc-ring");
  // 30 days (2592000 s) after 1700000000 s: 1702592000 s = 2023-12-14T22:13:20Z.
  const json month = {{"from", "{{created}}"}, {"plus", "+30d"}, {"tolerance", "1s"}};
  EXPECT_TRUE(near("2023-12-14T22:13:20Z", month, context).ok);
  EXPECT_TRUE(near(1702592000, month, context).ok);
  const auto off = near("2023-12-14T22:13:22Z", month, context);
  EXPECT_FALSE(off.ok);
  EXPECT_EQ(off.message,
            "T: expected near_time {{created}}+30d within 1s (2023-12-14T22:13:20.000Z), got "
            "\"2023-12-14T22:13:22Z\" (2023-12-14T22:13:22.000Z, off by +2s)");
  EXPECT_TRUE(near(1700000000, {{"from", "{{created_ms}}"}, {"tolerance", "0s"}}, context).ok);
  EXPECT_EQ(near(1700000000, {{"from", "{{name}}"}, {"tolerance", "1s"}}, context).message,
            "T: expected near_time {{name}} within 1s, got no time to start from: {{name}} is "
            "\"kc-ring\"");
  EXPECT_THROW(near(1700000000, {{"from", "{{nope}}"}, {"tolerance", "1s"}}, context),
               TemplateError);
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

TEST(ValidateAssertion, NearTimeArguments) {
  using testing::ElementsAre;
  using testing::IsEmpty;
  EXPECT_THAT(problems("near_time", {{"from", "now"}, {"plus", "+7d"}, {"tolerance", "10m"}}),
              IsEmpty());
  EXPECT_THAT(
      problems(
          "near_time",
          {{"from", "{{ created }}"}, {"plus", "7d"}, {"tolerance", "0s"}, {"format", "epoch_ms"}}),
      IsEmpty());
  EXPECT_THAT(problems("near_time", "now+7d"),
              ElementsAre("near_time: must be an object {\"from\": \"now\" | \"{{var}}\", "
                          "\"plus\": \"+7d\", \"tolerance\": \"10m\"}"));
  EXPECT_THAT(problems("near_time", json::object()),
              ElementsAre("near_time.from: is required: \"now\" or a captured time \"{{var}}\"",
                          "near_time.tolerance: is required: a duration like \"10m\""));
  const std::string bad_from =
      "near_time.from: must be \"now\" or exactly one captured variable \"{{var}}\"";
  for (const json& from : {json("yesterday"), json("{{a}}{{b}}"), json("x{{a}}"),
                           json("{{now_unix}}"), json(1700000000)}) {
    EXPECT_THAT(problems("near_time", {{"from", from}, {"tolerance", "1m"}}), ElementsAre(bad_from))
        << from.dump();
  }
  const std::string bad_plus =
      "near_time.plus: must be a signed duration like \"+7d\", \"-90m\", \"3600s\" (units ms, "
      "s, m, h, d)";
  for (const json& plus : {json("7 days"), json("+7w"), json("7"), json(7), json("+-7d")}) {
    EXPECT_THAT(problems("near_time", {{"from", "now"}, {"plus", plus}, {"tolerance", "1m"}}),
                ElementsAre(bad_plus))
        << plus.dump();
  }
  const std::string bad_tolerance =
      "near_time.tolerance: must be an unsigned duration like \"10m\", \"30s\" (units ms, s, m, "
      "h, d)";
  for (const json& tolerance : {json("-1m"), json("+1m"), json("1 m"), json(60)}) {
    EXPECT_THAT(problems("near_time", {{"from", "now"}, {"tolerance", tolerance}}),
                ElementsAre(bad_tolerance))
        << tolerance.dump();
  }
  EXPECT_THAT(problems("near_time", {{"from", "now"}, {"tolerance", "1m"}, {"format", "rfc"}}),
              ElementsAre("near_time.format: must be \"auto\", \"iso8601\", \"epoch_seconds\" or "
                          "\"epoch_ms\""));
  EXPECT_THAT(problems("near_time", {{"from", "now"}, {"tolerance", "1m"}, {"tolerence", "1m"}}),
              ElementsAre("near_time.tolerence: unknown field (from, plus, tolerance, format)"));
}

TEST(ValidateAssertion, EveryPredicateOfTheDocIsKnown) {
  EXPECT_EQ(predicate_names().size(), 21u);
  for (const char* name :
       {"equals", "not_equals",    "matches", "exists",        "absent",   "type",
        "one_of", "uuid",          "iso8601", "epoch_seconds", "epoch_ms", "near_time",
        "base64", "base64_length", "gt",      "gte",           "lt",       "lte",
        "length", "contains",      "shape"}) {
    EXPECT_TRUE(is_predicate(name)) << name;
  }
}

}  // namespace
}  // namespace kmsconf::conformance
