// Params: merging query and body, and the typed getters every adapter validates with.
#include "reference_server/params.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kmsconf::server {
namespace {

using nlohmann::json;
using StringMap = std::map<std::string, std::string>;

HttpRequest request(std::string query, std::string body = {},
                    std::string content_type = "application/json") {
  HttpRequest r;
  r.method = body.empty() ? "GET" : "POST";
  r.raw_query = std::move(query);
  r.body = std::move(body);
  if (!content_type.empty()) r.headers["Content-Type"] = content_type;
  return r;
}

Params json_body(const json& body) {
  return Params::from_request(request("", body.dump()));
}

// Runs `call` and returns the ParamError it throws; fails the test when it throws nothing.
template <typename F>
ParamError param_error(F&& call) {
  try {
    call();
  } catch (const ParamError& e) {
    return e;
  }
  ADD_FAILURE() << "no ParamError thrown";
  return ParamError("", ParamError::Reason::Missing);
}

// --- Sources -------------------------------------------------------------------------------

TEST(ParamsSource, QueryString) {
  Params p = Params::from_request(request("Action=Encrypt&KeyId=k%2F1&Plain=a+b", "", ""));
  EXPECT_EQ(p.text("Action"), "Encrypt");
  EXPECT_EQ(p.text("KeyId"), "k/1");
  EXPECT_EQ(p.text("Plain"), "a b");
  EXPECT_FALSE(p.has("Missing"));
  EXPECT_EQ(p.text("Missing"), std::nullopt);
}

TEST(ParamsSource, JsonBodyKeepsTypes) {
  Params p = json_body({{"KeyId", "k1"}, {"Bytes", 32}, {"Flag", true}, {"Gone", nullptr}});
  EXPECT_EQ(p.text("KeyId"), "k1");
  EXPECT_EQ(p.integer("Bytes", 1, 1024), 32);
  EXPECT_EQ(p.boolean("Flag"), true);
  EXPECT_FALSE(p.has("Gone")) << "a JSON null counts as absent";
}

TEST(ParamsSource, FormBody) {
  Params p = Params::from_request(request("", "KeyId=k1&Plaintext=aGk%3D&Tags.1.Key=a",
                                          "application/x-www-form-urlencoded; charset=utf-8"));
  EXPECT_EQ(p.text("KeyId"), "k1");
  EXPECT_EQ(p.base64("Plaintext", 1, 100), "hi");
  EXPECT_EQ(p.tags("Tags"), (StringMap{{"a", ""}}));
}

TEST(ParamsSource, WhitespaceBodyIsNoBody) {
  Params p = Params::from_request(request("A=1", " \r\n\t "));
  EXPECT_EQ(p.text("A"), "1");
  EXPECT_EQ(p.names(), std::vector<std::string>{"A"});
}

TEST(ParamsSource, BodyWinsOverQuery) {
  Params p = Params::from_request(request("A=query&B=query", R"({"A":"body","C":"body"})"));
  EXPECT_EQ(p.text("A"), "body");
  EXPECT_EQ(p.text("B"), "query");
  EXPECT_EQ(p.text("C"), "body");

  Params form = Params::from_request(
      request("A=query&B=query", "A=form", "application/x-www-form-urlencoded"));
  EXPECT_EQ(form.text("A"), "form");
  EXPECT_EQ(form.text("B"), "query");
}

TEST(ParamsSource, MalformedRequests) {
  EXPECT_THROW(Params::from_request(request("", "{\"A\":")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("", "not json")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("", "[1,2]")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("", "\"text\"")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("", "42")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("A=%zz")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("A=%4")), MalformedRequest);
  EXPECT_THROW(Params::from_request(request("", "A=%g1", "application/x-www-form-urlencoded")),
               MalformedRequest);
  // A JSON body without a content type is still parsed as JSON (and must be one).
  EXPECT_THROW(Params::from_request(request("", "A=1", "")), MalformedRequest);
}

TEST(ParamsSource, FromPairsAndErase) {
  Params p = Params::from_pairs({{"A", "1"}, {"B", "2"}, {"A", "3"}});
  EXPECT_EQ(p.text("A"), "3") << "later pairs win";
  p.erase("A");
  EXPECT_FALSE(p.has("A"));
  EXPECT_EQ(p.names(), std::vector<std::string>{"B"});
}

// --- Text ----------------------------------------------------------------------------------

TEST(ParamsText, RulesAndErrors) {
  Params p = json_body({{"Name", "ring-1_A"}, {"Bad", "a b"}, {"Number", 5}, {"Empty", ""}});
  TextRule name_rule{1, 8, true};
  EXPECT_EQ(p.text("Name", name_rule), "ring-1_A");
  EXPECT_EQ(p.required_text("Name"), "ring-1_A");

  ParamError chars = param_error([&] { p.text("Bad", name_rule); });
  EXPECT_EQ(chars.name(), "Bad");
  EXPECT_EQ(chars.reason(), ParamError::Reason::Invalid);

  EXPECT_EQ(param_error([&] {
              p.text("Name", TextRule{1, 7});
            }).reason(),
            ParamError::Reason::Invalid);
  EXPECT_EQ(param_error([&] {
              p.text("Empty", TextRule{1, 7});
            }).reason(),
            ParamError::Reason::Invalid);
  EXPECT_EQ(p.text("Empty"), "");
  ParamError type = param_error([&] { p.text("Number"); });
  EXPECT_EQ(type.name(), "Number");
  EXPECT_EQ(type.reason(), ParamError::Reason::Invalid);

  ParamError missing = param_error([&] { p.required_text("KeyId"); });
  EXPECT_EQ(missing.name(), "KeyId");
  EXPECT_EQ(missing.reason(), ParamError::Reason::Missing);
}

TEST(ParamsText, Choice) {
  enum class Color { Red, Blue };
  const WireNames<Color> names{{Color::Red, "RED"}, {Color::Blue, "BLUE"}};
  Params p = Params::from_pairs({{"C", "BLUE"}, {"D", "blue"}});
  EXPECT_EQ(p.choice("C", names), Color::Blue);
  EXPECT_EQ(p.choice("Missing", names), std::nullopt);
  ParamError e = param_error([&] { p.choice("D", names); });
  EXPECT_EQ(e.name(), "D");
  EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(wire_name(names, Color::Red), "RED");
  EXPECT_EQ(from_wire_name(names, "RED"), Color::Red);
}

// --- Integers ------------------------------------------------------------------------------

TEST(ParamsInteger, FromNumberAndString) {
  Params p = json_body({{"N", 7}, {"S", "7"}, {"Neg", "-3"}, {"NegN", -3}, {"Zero", "0"}});
  EXPECT_EQ(p.integer("N", 0, 10), 7);
  EXPECT_EQ(p.integer("S", 0, 10), 7);
  EXPECT_EQ(p.integer("Neg", -5, 5), -3);
  EXPECT_EQ(p.integer("NegN", -5, 5), -3);
  EXPECT_EQ(p.integer("Zero", 0, 0), 0);
  EXPECT_EQ(p.integer("Missing", 0, 10), std::nullopt);
  Params q = Params::from_pairs({{"Long", "123456789012345678"}});
  EXPECT_EQ(q.integer("Long", 0, std::numeric_limits<int64_t>::max()), 123456789012345678);
}

TEST(ParamsInteger, Bounds) {
  Params p = json_body({{"N", 7}, {"S", "11"}});
  EXPECT_EQ(p.integer("N", 7, 7), 7);
  ParamError high = param_error([&] { p.integer("N", 0, 6); });
  EXPECT_EQ(high.name(), "N");
  EXPECT_EQ(high.reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(param_error([&] { p.integer("N", 8, 10); }).reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(param_error([&] { p.integer("S", 0, 10); }).name(), "S");
}

TEST(ParamsInteger, RejectsNonIntegers) {
  Params p = json_body({{"Float", 1.5},
                        {"WholeFloat", 2.0},
                        {"Bool", true},
                        {"Array", json::array({1})},
                        {"Object", json::object()},
                        {"Text", "abc"},
                        {"Decimal", "1.5"},
                        {"Empty", ""},
                        {"Sign", "-"},
                        {"Plus", "+1"},
                        {"Space", " 1"},
                        {"Hex", "0x10"},
                        {"Exponent", "1e3"},
                        {"TooLong", "1234567890123456789"}});
  for (const char* name : {"Float", "WholeFloat", "Bool", "Array", "Object", "Text", "Decimal",
                           "Empty", "Sign", "Plus", "Space", "Hex", "Exponent", "TooLong"}) {
    ParamError e = param_error([&] { p.integer(name, -1000, 1000); });
    EXPECT_EQ(e.name(), name);
    EXPECT_EQ(e.reason(), ParamError::Reason::Invalid) << name;
  }
}

TEST(ParamsInteger, HugeUnsignedNumberIsOutOfRangeNotWrapped) {
  // 2^64 - 1 must not wrap to -1 and slip inside small bounds.
  Params p =
      Params::from_request(request("", R"({"N":18446744073709551615,"M":9223372036854775808})"));
  EXPECT_EQ(param_error([&] { p.integer("N", -5, 5); }).reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(param_error([&] { p.integer("M", std::numeric_limits<int64_t>::min(), 0); }).name(),
            "M");
}

// --- Booleans ------------------------------------------------------------------------------

TEST(ParamsBoolean, AcceptsOnlyTrueAndFalse) {
  Params p = json_body({{"T", true}, {"F", false}, {"TS", "true"}, {"FS", "false"}});
  EXPECT_EQ(p.boolean("T"), true);
  EXPECT_EQ(p.boolean("F"), false);
  EXPECT_EQ(p.boolean("TS"), true);
  EXPECT_EQ(p.boolean("FS"), false);
  EXPECT_EQ(p.boolean("Missing"), std::nullopt);

  Params bad = json_body({{"Upper", "True"},
                          {"One", "1"},
                          {"Number", 1},
                          {"Yes", "yes"},
                          {"Empty", ""},
                          {"Array", json::array({true})}});
  for (const char* name : {"Upper", "One", "Number", "Yes", "Empty", "Array"}) {
    ParamError e = param_error([&] { bad.boolean(name); });
    EXPECT_EQ(e.name(), name);
    EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  }
}

// --- Base64 --------------------------------------------------------------------------------

TEST(ParamsBase64, LengthAndValidity) {
  Params p = json_body({{"Ok", "aGVsbG8="},
                        {"NoPad", "aGVsbG8"},
                        {"Url", "a-_b"},
                        {"Junk", "!!!!"},
                        {"Number", 12},
                        {"Empty", ""}});
  EXPECT_EQ(p.base64("Ok", 1, 8), "hello");
  EXPECT_EQ(p.required_base64("Ok", 8, 8), "hello");
  EXPECT_EQ(param_error([&] { p.base64("Ok", 1, 7); }).reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(param_error([&] { p.base64("Ok", 9, 100); }).reason(), ParamError::Reason::Invalid);
  for (const char* name : {"NoPad", "Url", "Junk", "Number"}) {
    ParamError e = param_error([&] { p.base64(name, 0, 100); });
    EXPECT_EQ(e.name(), name);
    EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  }
  EXPECT_EQ(param_error([&] { p.base64("Empty", 1, 100); }).reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(p.base64("Missing", 1, 100), std::nullopt);
  ParamError missing = param_error([&] { p.required_base64("Missing", 1, 100); });
  EXPECT_EQ(missing.name(), "Missing");
  EXPECT_EQ(missing.reason(), ParamError::Reason::Missing);
}

// --- String maps ---------------------------------------------------------------------------

TEST(ParamsStringMap, FromObjectAndFromJsonString) {
  Params p = json_body({{"Object", {{"user", "alice"}, {"path", "a/b"}}},
                        {"String", R"({"user":"alice","path":"a/b"})"},
                        {"EmptyString", ""},
                        {"EmptyObject", json::object()}});
  StringMap expected{{"path", "a/b"}, {"user", "alice"}};
  EXPECT_EQ(p.string_map("Object"), expected);
  EXPECT_EQ(p.string_map("String"), expected);
  EXPECT_EQ(p.string_map("EmptyString"), StringMap{});
  EXPECT_EQ(p.string_map("EmptyObject"), StringMap{});
  EXPECT_EQ(p.string_map("Missing"), std::nullopt);

  // The query-string form carries the JSON text.
  Params q = Params::from_request(request("Ctx=%7B%22a%22%3A%22b%22%7D", "", ""));
  EXPECT_EQ(q.string_map("Ctx"), (StringMap{{"a", "b"}}));
}

TEST(ParamsStringMap, Rejects) {
  Params p = json_body({{"NumberValue", {{"a", 1}}},
                        {"NestedValue", {{"a", {{"b", "c"}}}}},
                        {"NullValue", {{"a", nullptr}}},
                        {"StringNumberValue", R"({"a":1})"},
                        {"NotJson", "{a:b}"},
                        {"ArrayString", R"(["a"])"},
                        {"Array", json::array({"a"})},
                        {"Number", 5},
                        {"Long", {{"k", std::string(100, 'v')}}}});
  for (const char* name : {"NumberValue", "NestedValue", "NullValue", "StringNumberValue",
                           "NotJson", "ArrayString", "Array", "Number"}) {
    ParamError e = param_error([&] { p.string_map(name); });
    EXPECT_EQ(e.name(), name);
    EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  }
  EXPECT_EQ(param_error([&] { p.string_map("Long", 50); }).name(), "Long");
  EXPECT_TRUE(p.string_map("Long", 200).has_value());
}

// --- Lists and tags ------------------------------------------------------------------------

TEST(ParamsList, FromArrayJsonStringAndFlattened) {
  using Strings = std::vector<std::string>;
  Params p = json_body({{"Array", json::array({"a", "b"})}, {"String", R"(["c","d"])"}});
  EXPECT_EQ(p.string_list("Array"), (Strings{"a", "b"}));
  EXPECT_EQ(p.string_list("String"), (Strings{"c", "d"}));
  EXPECT_EQ(p.string_list("Missing"), std::nullopt);

  // Flattened items come back in index order, numerically (10 after 2), not wire order.
  Params flat = Params::from_request(request("Ids.10=z&Ids.2=y&Ids.1=x", "", ""));
  EXPECT_EQ(flat.string_list("Ids"), (Strings{"x", "y", "z"}));

  Params objects =
      Params::from_pairs({{"Items.1.Name", "n1"}, {"Items.1.Size", "1"}, {"Items.2.Name", "n2"}});
  auto items = objects.list("Items");
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0], (json{{"Name", "n1"}, {"Size", "1"}}));
  EXPECT_EQ((*items)[1], (json{{"Name", "n2"}}));
}

TEST(ParamsList, Rejects) {
  Params p = json_body({{"Object", json::object()},
                        {"Number", 3},
                        {"NotArrayString", "a,b"},
                        {"Mixed", json::array({"a", 1})}});
  for (const char* name : {"Object", "Number", "NotArrayString"}) {
    ParamError e = param_error([&] { p.list(name); });
    EXPECT_EQ(e.name(), name);
    EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  }
  EXPECT_EQ(param_error([&] { p.string_list("Mixed"); }).name(), "Mixed");

  EXPECT_EQ(param_error([&] { Params::from_pairs({{"Ids.0", "x"}}).list("Ids"); }).name(), "Ids.0");
  EXPECT_EQ(param_error([&] { Params::from_pairs({{"Ids.a", "x"}}).list("Ids"); }).name(), "Ids.a");
  EXPECT_EQ(param_error([&] {
              Params::from_pairs({{"Ids.", "x"}}).list("Ids");
            }).reason(),
            ParamError::Reason::Invalid);
  EXPECT_EQ(param_error([&] {
              Params::from_pairs({{"Ids.12345", "x"}}).list("Ids");
            }).name(),
            "Ids.12345");
  // Other parameters that merely start with the same letters are not items.
  EXPECT_EQ(Params::from_pairs({{"IdsExtra", "x"}}).list("Ids"), std::nullopt);
}

TEST(ParamsTags, FromArrayJsonStringAndFlattened) {
  Params p = json_body({{"Tags", json::array({{{"Key", "env"}, {"Value", "prod"}},
                                              {{"Key", "team"}, {"Value", ""}},
                                              {{"Key", "novalue"}}})},
                        {"TagString", R"([{"Key":"a","Value":"b"}])"},
                        {"Custom", json::array({{{"TagKey", "k"}, {"TagValue", "v"}}})}});
  EXPECT_EQ(p.tags("Tags"), (StringMap{{"env", "prod"}, {"novalue", ""}, {"team", ""}}));
  EXPECT_EQ(p.tags("TagString"), (StringMap{{"a", "b"}}));
  EXPECT_EQ(p.tags("Custom", "TagKey", "TagValue"), (StringMap{{"k", "v"}}));
  EXPECT_EQ(p.tags("Missing"), std::nullopt);

  Params flat = Params::from_request(
      request("Tags.1.Key=env&Tags.1.Value=prod&Tags.2.Key=team&Tags.2.Value=a%20b", "", ""));
  EXPECT_EQ(flat.tags("Tags"), (StringMap{{"env", "prod"}, {"team", "a b"}}));
}

TEST(ParamsTags, Rejects) {
  Params p = json_body({{"NoKey", json::array({{{"Value", "v"}}})},
                        {"EmptyKey", json::array({{{"Key", ""}, {"Value", "v"}}})},
                        {"NumberKey", json::array({{{"Key", 1}, {"Value", "v"}}})},
                        {"NumberValue", json::array({{{"Key", "k"}, {"Value", 2}}})},
                        {"NotObject", json::array({"k"})},
                        {"NotList", {{"Key", "k"}}}});
  for (const char* name :
       {"NoKey", "EmptyKey", "NumberKey", "NumberValue", "NotObject", "NotList"}) {
    ParamError e = param_error([&] { p.tags(name); });
    EXPECT_EQ(e.name(), name);
    EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  }
  EXPECT_EQ(param_error([&] {
              Params::from_pairs({{"Tags.1.Value", "v"}}).tags("Tags");
            }).name(),
            "Tags");
}

TEST(ParamError, CarriesNameReasonAndDetail) {
  ParamError e("KeyId", ParamError::Reason::Invalid, "bad length");
  EXPECT_EQ(e.name(), "KeyId");
  EXPECT_EQ(e.reason(), ParamError::Reason::Invalid);
  EXPECT_EQ(e.detail(), "bad length");
  EXPECT_NE(std::string(e.what()).find("KeyId"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("bad length"), std::string::npos);
}

}  // namespace
}  // namespace kmsconf::server
