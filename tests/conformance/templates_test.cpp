#include "conformance/templates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

namespace kmsconf::conformance {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2026-11-22T09:31:05Z
const system_clock::time_point kNow = system_clock::time_point(seconds(1795339865));

TemplateContext fixed_context() {
  TemplateContext context;
  context.set_clock([] { return kNow; });
  context.set_random([](std::size_t count) {
    std::string bytes;
    for (std::size_t i = 0; i < count; ++i) bytes += static_cast<char>(i + 1);
    return bytes;
  });
  return context;
}

TEST(Templates, ALoneTemplateKeepsTheCapturedType) {
  TemplateContext context = fixed_context();
  context.set("n", 5);
  context.set("flag", true);
  context.set("list", json::array({1, "two"}));
  context.set("key_id", "abc");
  const json params = {{"Count", "{{n}}"},
                       {"Flag", "{{ flag }}"},
                       {"List", "{{list}}"},
                       {"Text", "n={{n}}, id={{key_id}}, list={{list}}"},
                       {"Nested", {{"Array", {"{{key_id}}", 7, nullptr, "x"}}}},
                       {"{{key_id}}", "keys stay literal"}};
  const json out = expand(params, context);
  EXPECT_EQ(out["Count"], 5);
  EXPECT_EQ(out["Flag"], true);
  EXPECT_EQ(out["List"], json::array({1, "two"}));
  EXPECT_EQ(out["Text"], "n=5, id=abc, list=[1,\"two\"]");
  EXPECT_EQ(out["Nested"]["Array"], json::array({"abc", 7, nullptr, "x"}));
  EXPECT_EQ(out["{{key_id}}"], "keys stay literal");
  EXPECT_EQ(expand(json(42), context), 42);
  EXPECT_EQ(expand(json("plain {single} braces"), context), "plain {single} braces");
}

TEST(Templates, UnknownVariableThrowsNamingIt) {
  const TemplateContext context = fixed_context();
  try {
    expand(json{{"KeyID", "{{key_id}}"}}, context);
    FAIL() << "no throw";
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.name(), "key_id");
    EXPECT_THAT(e.what(), testing::HasSubstr("unknown template variable \"key_id\""));
  }
  EXPECT_THROW(expand_string("x-{{key_id}}", context), TemplateError);
  // account_id is known only when the runner learnt it.
  EXPECT_THROW(expand_string("{{account_id}}", context), TemplateError);
}

TEST(Templates, RunWideVariables) {
  TemplateContext context = fixed_context();
  context.set_run_prefix("kc-261122t0931-4f2a");
  context.set_region("cn-beijing");
  context.set_account_id("2100000001");
  EXPECT_EQ(expand_string("{{run_prefix}}-ring", context), "kc-261122t0931-4f2a-ring");
  EXPECT_EQ(expand_string("{{region}}/{{account_id}}", context), "cn-beijing/2100000001");
  EXPECT_TRUE(context.has("run_prefix"));
}

TEST(Templates, BuiltIns) {
  const TemplateContext context = fixed_context();
  EXPECT_EQ(expand(json("{{random_hex:4}}"), context), "01020304");
  EXPECT_EQ(expand(json("{{random_b64:3}}"), context), "AQID");
  EXPECT_EQ(expand(json("{{b64:hello}}"), context), "aGVsbG8=");
  EXPECT_EQ(expand(json("{{uuid}}"), context), "01020304-0506-4708-890a-0b0c0d0e0f10");
  EXPECT_EQ(expand(json("{{now_unix}}"), context), 1795339865);
  EXPECT_EQ(expand(json("{{now_unix+60}}"), context), 1795339925);
  EXPECT_EQ(expand(json("t={{now_unix-5}}"), context), "t=1795339860");
}

TEST(Templates, RealRandomnessAndUuidsHaveTheRightForm) {
  const TemplateContext context;
  const std::string hex = expand_string("{{random_hex:16}}", context);
  EXPECT_TRUE(std::regex_match(hex, std::regex("[0-9a-f]{32}"))) << hex;
  EXPECT_NE(hex, expand_string("{{random_hex:16}}", context));
  const std::string uuid = expand_string("{{uuid}}", context);
  EXPECT_TRUE(std::regex_match(
      uuid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << uuid;
  const auto now = std::chrono::duration_cast<seconds>(system_clock::now().time_since_epoch());
  EXPECT_NEAR(expand(json("{{now_unix}}"), context).get<double>(), static_cast<double>(now.count()),
              5.0);
}

TEST(Templates, MalformedTemplatesThrow) {
  const TemplateContext context = fixed_context();
  for (const char* text :
       {"{{random_hex:0}}", "{{random_hex:x}}", "{{random_b64:5000}}", "{{now_unix+}}",
        "{{now_unix*2}}", "{{foo:bar}}", "x {{oops", "{{}}", "{{ }}", "{{a b}}"}) {
    EXPECT_THROW(expand(json(text), context), TemplateError) << text;
  }
}

TEST(Templates, NamesAndClassification) {
  EXPECT_EQ(template_names("a{{x}}b{{ random_hex:4 }}{{b64:a b}}"),
            (std::vector<std::string>{"x", "random_hex:4", "b64:a b"}));
  EXPECT_TRUE(template_names("no templates {here}").empty());
  EXPECT_THROW(template_names("{{x"), TemplateError);
  EXPECT_EQ(classify_template("key_id"), TemplateKind::Variable);
  EXPECT_EQ(classify_template("run_prefix"), TemplateKind::Variable);
  EXPECT_EQ(classify_template("uuid"), TemplateKind::Builtin);
  EXPECT_EQ(classify_template("now_unix+3600"), TemplateKind::Builtin);
  EXPECT_EQ(classify_template("b64:anything at all"), TemplateKind::Builtin);
  std::string problem;
  EXPECT_EQ(classify_template("random_hex:0", &problem), TemplateKind::Invalid);
  EXPECT_EQ(problem, "random_hex: needs a byte count from 1 to 4096, got \"0\"");
  EXPECT_EQ(classify_template("rand:4", &problem), TemplateKind::Invalid);
  EXPECT_EQ(problem,
            "unknown template function \"rand\" (known: random_hex:N, random_b64:N, b64:text)");
  EXPECT_EQ(classify_template("9lives", &problem), TemplateKind::Invalid);
  EXPECT_EQ(problem, "malformed template \"{{9lives}}\"");
  EXPECT_TRUE(is_reserved_variable("region"));
  EXPECT_FALSE(is_reserved_variable("key_id"));
}

TEST(Templates, ContextsCopyAndMove) {
  TemplateContext base = fixed_context();
  base.set("a", 1);
  TemplateContext copy = base;
  copy.set("a", 2);
  EXPECT_EQ(*base.get("a"), 1);
  EXPECT_EQ(*copy.get("a"), 2);
  EXPECT_EQ(expand(json("{{random_hex:2}}"), copy), "0102");  // the clock/random came along
  TemplateContext moved = std::move(copy);
  EXPECT_EQ(*moved.get("a"), 2);
  moved.erase("a");
  EXPECT_EQ(moved.get("a"), nullptr);
  EXPECT_EQ(base.variables().size(), 1u);
}

TEST(RunPrefix, FormatAndLength) {
  EXPECT_EQ(make_run_prefix(kNow, 0x4f2a), "kc-261122t0931-4f2a");
  EXPECT_EQ(make_run_prefix(kNow, 0x000f), "kc-261122t0931-000f");
  for (int i = 0; i < 20; ++i) {
    const std::string prefix = make_run_prefix(system_clock::now());
    EXPECT_TRUE(std::regex_match(prefix, std::regex("kc-[0-9]{6}t[0-9]{4}-[0-9a-f]{4}"))) << prefix;
    EXPECT_LE(prefix.size(), 20u);
  }
}

}  // namespace
}  // namespace kmsconf::conformance
