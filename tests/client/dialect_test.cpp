// The dialect descriptors (client/dialect.hpp): names, defaults and credential variables as the
// vendors document them, throttling codes from each catalog (spec tables), and the builder and
// parser against an in-process reference server of each dialect.
#include "client/dialect.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "client/http_client.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::client {
namespace {

TEST(Dialect, NamesRoundTripAndUnknownNamesAreRefused) {
  EXPECT_EQ(find_dialect("volcengine")->id, DialectId::Volcengine);
  EXPECT_EQ(find_dialect("alibaba")->id, DialectId::Alibaba);
  EXPECT_EQ(find_dialect("aws"), nullptr);
  EXPECT_EQ(find_dialect("Volcengine"), nullptr);  // one spelling
  EXPECT_EQ(dialect_names(), (std::vector<std::string>{"volcengine", "alibaba"}));
  EXPECT_EQ(dialect_choices(), "volcengine or alibaba");
}

// The SDKs' environment variables (Volcengine's SDKs; Alibaba Cloud's credentials chain).
TEST(Dialect, CredentialVariablesAreTheSdksOnes) {
  const auto& volc = descriptor(DialectId::Volcengine).credential_variables;
  EXPECT_EQ(volc.access_key_id, "VOLC_ACCESSKEY");
  EXPECT_EQ(volc.secret, "VOLC_SECRETKEY");
  const auto& ali = descriptor(DialectId::Alibaba).credential_variables;
  EXPECT_EQ(ali.access_key_id, "ALIBABA_CLOUD_ACCESS_KEY_ID");
  EXPECT_EQ(ali.secret, "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  EXPECT_EQ(ali.session_token, "ALIBABA_CLOUD_SECURITY_TOKEN");
}

struct ClassifyRow {
  DialectId dialect;
  int status;
  const char* code;
  AnswerClass expected;
};

// Spec: Volcengine §errors (403 Reject.Throttling.Action, 429 FlowLimitExceeded at the gateway);
// Alibaba §errors (400 Throttling, Throttling.User, Throttling.Api; 429 Rejected.Throttling).
TEST(Dialect, ThrottlingCodesOfEachCatalogAreNeverPlainErrors) {
  const ClassifyRow rows[] = {
      {DialectId::Volcengine, 200, "", AnswerClass::Ok},
      {DialectId::Volcengine, 403, "Reject.Throttling.Action", AnswerClass::Throttled},
      {DialectId::Volcengine, 429, "FlowLimitExceeded", AnswerClass::Throttled},
      {DialectId::Volcengine, 403, "AccessDenied", AnswerClass::ClientError},
      {DialectId::Volcengine, 400, "InvalidParameter", AnswerClass::ClientError},
      {DialectId::Volcengine, 500, "UndefinedError", AnswerClass::ServerError},
      {DialectId::Alibaba, 200, "", AnswerClass::Ok},
      {DialectId::Alibaba, 429, "Rejected.Throttling", AnswerClass::Throttled},
      {DialectId::Alibaba, 400, "Throttling", AnswerClass::Throttled},
      {DialectId::Alibaba, 400, "Throttling.User", AnswerClass::Throttled},
      {DialectId::Alibaba, 400, "Throttling.Api", AnswerClass::Throttled},
      {DialectId::Alibaba, 404, "Forbidden.KeyNotFound", AnswerClass::ClientError},
      {DialectId::Alibaba, 503, "ServiceUnavailableTemporary", AnswerClass::ServerError},
      // Another dialect's throttling code is not this one's.
      {DialectId::Alibaba, 403, "Reject.Throttling.Action", AnswerClass::ClientError},
  };
  for (const auto& row : rows) {
    Answer answer;
    answer.status = row.status;
    answer.code = row.code;
    EXPECT_EQ(classify(descriptor(row.dialect), answer), row.expected)
        << dialect_name(row.dialect) << " " << row.status << " " << row.code;
  }
}

TEST(Dialect, ThrottlingCodesAreCatalogCodesWhoseCauseIsThrottled) {
  for (DialectId id : kDialectIds) {
    const auto& d = descriptor(id);
    EXPECT_FALSE(d.throttling_codes.empty());
    for (auto code : d.throttling_codes) {
      EXPECT_TRUE(d.known_code(code)) << code;
      EXPECT_EQ(d.cause_of(code), Cause::Throttled) << code;
    }
  }
}

// The builder's request, sent as built, is accepted by the reference server of its dialect (which
// always verifies signatures), and the parser reads the regions it lists.
class DialectRoundTrip : public ::testing::TestWithParam<DialectId> {};

TEST_P(DialectRoundTrip, BuiltRequestIsAcceptedAndParsed) {
  const auto& d = descriptor(GetParam());
  server::ReferenceServerOptions options;
  options.dialect = GetParam();
  options.regions = {std::string(d.default_region)};
  server::ReferenceServer server(options);
  server.start();
  const auto& credential = server.default_credential();
  Credentials credentials{credential.access_key_id, credential.secret_access_key, ""};
  auto endpoint = *Endpoint::parse(server.endpoint());
  HttpClient http(endpoint);

  const nlohmann::json params = nlohmann::json::object();
  std::string action(d.probe_action);
  std::string region(d.default_region);
  std::string host = endpoint.host_header();
  auto answer = d.parse(http.send(d.build({action, params, credentials, region, host})));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->code, "");
  EXPECT_EQ(classify(d, *answer), AnswerClass::Ok);
  EXPECT_NE(answer->body.dump().find(region), std::string::npos) << answer->body.dump();

  Credentials wrong = credentials;
  wrong.secret = "not-the-secret-of-this-key";
  auto refused = d.parse(http.send(d.build({action, params, wrong, region, host})));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(d.cause_of(refused->code), Cause::Authentication) << refused->code;
  EXPECT_EQ(classify(d, *refused), AnswerClass::ClientError);
}

TEST_P(DialectRoundTrip, OtherDialectsEnvelopeIsNotParsed) {
  const auto& d = descriptor(GetParam());
  HttpResponse plain;
  plain.status = 200;
  plain.body = R"({"hello": "world"})";
  EXPECT_FALSE(d.parse(plain).has_value() && d.speaks(plain));
  HttpResponse html;
  html.status = 502;
  html.body = "<html>bad gateway</html>";
  EXPECT_FALSE(d.parse(html).has_value());
}

INSTANTIATE_TEST_SUITE_P(EachDialect, DialectRoundTrip, ::testing::ValuesIn(kDialectIds),
                         [](const auto& info) { return std::string(dialect_name(info.param)); });

}  // namespace
}  // namespace kmsconf::client
