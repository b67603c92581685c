// DialectDriver::send for both dialects against a recording fake KMS: each AuthOverride field
// and placement shows up on the wire as documented, and the dialects' own verifiers (the
// reference server's) accept the untouched requests and reject the deviated ones for the
// intended reason. Answers are read into Exchange; a non-envelope answer is a transport error.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "client/http_client.hpp"
#include "conformance/driver.hpp"
#include "protocol/alibaba/signer.hpp"
#include "protocol/time_format.hpp"
#include "protocol/volcengine/signer.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::AuthOverride;
using conformance::Exchange;
using conformance::Placement;
using conformance::ResolvedStep;

constexpr const char* kVolcAk = "AKLTdriverstest000001";
constexpr const char* kVolcSk = "driver-test-secret-volcengine";
constexpr const char* kAliAk = "LTAIdriverstest000001";
constexpr const char* kAliSk = "driver-test-secret-alibaba";

ResolvedStep step(const std::string& action, json params = json::object(),
                  Placement placement = Placement::Auto) {
  ResolvedStep s;
  s.action = action;
  s.params = std::move(params);
  s.placement = placement;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Volcengine

class VolcDriverTest : public ::testing::Test {
 protected:
  VolcDriverTest()
      : fake_([](const HttpRequest&, const std::string& action) {
          if (action == "Broken") return volc_error(400, action, "InvalidParameter", "bad KeyID");
          if (action == "NotJson") {
            HttpResponse r;
            r.status = 502;
            r.body = "<html>bad gateway</html>";
            return r;
          }
          return volc_ok(action, {{"Echo", action}});
        }) {
    driver_ = conformance::make_driver("volcengine", fake_.endpoint(), {kVolcAk, kVolcSk, ""},
                                       "cn-beijing", client::ClientOptions{});
  }

  // The server-side verdict on the request as it was received.
  std::string verify(const HttpRequest& request) {
    volcengine::VerifyOptions options;
    auto lookup = [](std::string_view ak) -> std::optional<std::string> {
      if (ak == kVolcAk) return std::string(kVolcSk);
      return std::nullopt;
    };
    auto verdict = volcengine::verify_request(request, lookup, options);
    if (std::holds_alternative<volcengine::VerifiedCaller>(verdict)) return "ok";
    return std::string(
        volcengine::error_info(std::get<volcengine::AuthFailure>(verdict).code).wire_code);
  }

  HttpRequest received() { return fake_.requests().back(); }

  FakeKms fake_;
  std::unique_ptr<conformance::DialectDriver> driver_;
};

TEST_F(VolcDriverTest, DefaultIsASignedJsonPostTheVerifierAccepts) {
  Exchange e = driver_->send(step("Encrypt", {{"KeyID", "k1"}, {"Plaintext", "aGk="}}), nullptr);
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.code, "");
  EXPECT_EQ(e.body["Result"]["Echo"], "Encrypt");
  HttpRequest r = received();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(json::parse(r.body)["KeyID"], "k1");
  EXPECT_NE(r.raw_query.find("Action=Encrypt"), std::string::npos);
  EXPECT_NE(r.header("Authorization").find("Credential=" + std::string(kVolcAk) + "/"),
            std::string::npos);
  EXPECT_NE(r.header("Authorization").find("/cn-beijing/kms/request"), std::string::npos);
  EXPECT_EQ(verify(r), "ok");
  EXPECT_EQ(driver_->dialect(), "volcengine");
}

TEST_F(VolcDriverTest, PlacementsAndMethodOverride) {
  driver_->send(step("DescribeKey", {{"KeyID", "k1"}}, Placement::Query), nullptr);
  HttpRequest q = received();
  EXPECT_EQ(q.method, "GET");
  EXPECT_NE(q.raw_query.find("KeyID=k1"), std::string::npos);
  EXPECT_TRUE(q.body.empty());
  EXPECT_EQ(verify(q), "ok");

  driver_->send(step("DescribeKey", {{"KeyID", "k1"}}, Placement::FormBody), nullptr);
  HttpRequest f = received();
  EXPECT_EQ(f.method, "POST");
  EXPECT_EQ(f.body, "KeyID=k1");
  EXPECT_NE(f.header("Content-Type").find("x-www-form-urlencoded"), std::string::npos);
  EXPECT_EQ(verify(f), "ok");

  ResolvedStep get = step("DescribeKey", {{"KeyID", "k1"}});
  get.auth.method = "GET";
  driver_->send(get, nullptr);
  HttpRequest g = received();
  EXPECT_EQ(g.method, "GET");
  EXPECT_NE(g.raw_query.find("KeyID=k1"), std::string::npos);  // auto placement follows GET
  EXPECT_EQ(verify(g), "ok");                                  // signed as sent

  ResolvedStep put = step("DescribeKey", {{"KeyID", "k1"}}, Placement::JsonBody);
  put.auth.method = "PUT";
  driver_->send(put, nullptr);
  EXPECT_EQ(received().method, "PUT");
  EXPECT_EQ(verify(received()), "ok");
}

TEST_F(VolcDriverTest, RegionOfTheStepScopesTheCredential) {
  ResolvedStep s = step("DescribeKey", {{"KeyID", "k1"}});
  s.region = "cn-shanghai";
  driver_->send(s, nullptr);
  EXPECT_NE(received().header("Authorization").find("/cn-shanghai/kms/request"), std::string::npos);
}

TEST_F(VolcDriverTest, SigningStyles) {
  ResolvedStep go = step("DescribeKey", {{"KeyID", "k1"}});
  go.auth.signing = "go";
  driver_->send(go, nullptr);
  HttpRequest g = received();
  EXPECT_NE(g.header("Authorization").find("SignedHeaders=content-type;host;"), std::string::npos)
      << g.header("Authorization");
  EXPECT_EQ(verify(g), "ok");

  ResolvedStep node = step("DescribeKey", {{"KeyID", "k1"}});
  node.auth.signing = "node";
  driver_->send(node, nullptr);
  EXPECT_EQ(received().header("Authorization").find(";host;"), std::string::npos);

  ResolvedStep bad = step("DescribeKey");
  bad.auth.signing = "python";
  EXPECT_THROW(driver_->send(bad, nullptr), std::invalid_argument);
}

TEST_F(VolcDriverTest, CredentialOverrides) {
  ResolvedStep wrong = step("DescribeKey");
  wrong.auth.secret = "wrong-secret-entirely";
  driver_->send(wrong, nullptr);
  EXPECT_EQ(verify(received()), "SignatureDoesNotMatch");

  ResolvedStep unknown = step("DescribeKey");
  unknown.auth.access_key_id = "AKLTunknown";
  driver_->send(unknown, nullptr);
  EXPECT_NE(received().header("Authorization").find("Credential=AKLTunknown/"), std::string::npos);
  EXPECT_EQ(verify(received()), "InvalidAccessKey");

  ResolvedStep token = step("DescribeKey");
  token.auth.session_token = "sts-token-for-the-test";
  driver_->send(token, nullptr);
  EXPECT_EQ(received().header("X-Security-Token"), "sts-token-for-the-test");
  EXPECT_EQ(verify(received()), "ok");
}

TEST_F(VolcDriverTest, TimeOffsetShiftsXDate) {
  ResolvedStep s = step("DescribeKey");
  s.auth.time_offset = std::chrono::seconds(-3600);
  driver_->send(s, nullptr);
  auto sent = volcengine::parse_x_date(received().header("X-Date"));
  ASSERT_TRUE(sent);
  auto skew =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *sent)
          .count();
  EXPECT_NEAR(static_cast<double>(skew), 3600.0, 30.0);
  EXPECT_EQ(verify(received()), "InvalidTimestamp");
}

TEST_F(VolcDriverTest, UnsignedDroppedAndUnsignedHeaders) {
  ResolvedStep none = step("DescribeKey");
  none.auth.unsigned_request = true;
  driver_->send(none, nullptr);
  EXPECT_FALSE(received().has_header("Authorization"));
  EXPECT_EQ(verify(received()), "MissingAuthenticationToken");

  // Unsigned with a hand-written Authorization: that one goes out as written.
  ResolvedStep hand = step("DescribeKey");
  hand.auth.unsigned_request = true;
  hand.auth.extra_headers = {{"Authorization", "Bearer not-a-signature"}};
  driver_->send(hand, nullptr);
  EXPECT_EQ(received().header("Authorization"), "Bearer not-a-signature");
  EXPECT_EQ(verify(received()), "InvalidAuthorization");

  ResolvedStep dropped = step("DescribeKey");
  dropped.auth.drop_headers = {"x-date"};
  driver_->send(dropped, nullptr);
  EXPECT_FALSE(received().has_header("X-Date"));
  EXPECT_TRUE(received().has_header("Authorization"));
  EXPECT_EQ(verify(received()), "MissingRequestInfo");

  ResolvedStep left_out = step("DescribeKey");
  left_out.auth.unsigned_headers = {"X-Date"};
  driver_->send(left_out, nullptr);
  EXPECT_TRUE(received().has_header("X-Date"));
  std::string auth(received().header("Authorization"));
  EXPECT_EQ(auth.find("x-date"), std::string::npos) << auth;
  EXPECT_EQ(verify(received()), "SignatureDoesNotMatch");
}

TEST_F(VolcDriverTest, TamperingBreaksTheSignature) {
  for (std::string target : {"body", "query", "header:X-Date", "header:X-Extra"}) {
    ResolvedStep s = step("Encrypt", {{"KeyID", "k1"}});
    s.auth.tamper = target;
    s.auth.extra_headers = {{"X-Extra", "42"}};
    driver_->send(s, nullptr);
    HttpRequest r = received();
    EXPECT_NE(verify(r), "ok") << target;
    if (target == "body") {
      EXPECT_EQ(json::parse(r.body)["KeyID"], "k1");  // still JSON
    } else if (target == "query") {
      EXPECT_NE(r.raw_query.find("Tampered=1"), std::string::npos);
    } else if (target == "header:X-Date") {
      EXPECT_TRUE(volcengine::parse_x_date(r.header("X-Date")));
    } else {
      EXPECT_EQ(r.header("X-Extra"), "43");
    }
  }
  ResolvedStep bad = step("Encrypt");
  bad.auth.tamper = "path";
  EXPECT_THROW(driver_->send(bad, nullptr), std::invalid_argument);
}

TEST_F(VolcDriverTest, ExtraHeadersAreSentAndSigned) {
  ResolvedStep s = step("DescribeKey");
  s.auth.extra_headers = {{"X-Extra", "1"}};
  driver_->send(s, nullptr);
  EXPECT_EQ(received().header("X-Extra"), "1");
  EXPECT_NE(received().header("Authorization").find("x-extra"), std::string::npos);
  EXPECT_EQ(verify(received()), "ok");
}

TEST_F(VolcDriverTest, ReplaySendsThePreviousRequestByteForByte) {
  Exchange first = driver_->send(step("Encrypt", {{"KeyID", "k1"}}), nullptr);
  ResolvedStep again = step("Decrypt", {{"Other", "x"}});
  again.auth.replay = true;
  Exchange second = driver_->send(again, &first);
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].raw_query, requests[1].raw_query);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].header("Authorization"), requests[1].header("Authorization"));
  EXPECT_EQ(requests[0].header("X-Date"), requests[1].header("X-Date"));
  EXPECT_EQ(second.request.body, first.request.body);
  EXPECT_THROW(driver_->send(again, nullptr), std::invalid_argument);
}

TEST_F(VolcDriverTest, ErrorsAreReadIntoTheExchange) {
  Exchange e = driver_->send(step("Broken"), nullptr);
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "InvalidParameter");
  EXPECT_EQ(e.message, "bad KeyID");
  EXPECT_EQ(e.body["ResponseMetadata"]["Error"]["Code"], "InvalidParameter");
  try {
    driver_->send(step("NotJson"), nullptr);
    FAIL() << "a non-envelope answer must throw";
  } catch (const client::TransportError& error) {
    EXPECT_EQ(error.kind(), client::TransportErrorKind::MalformedResponse);
    EXPECT_NE(std::string(error.what()).find("HTTP 502"), std::string::npos);
  }
}

TEST_F(VolcDriverTest, KnownCodesComeFromTheCatalog) {
  EXPECT_TRUE(driver_->known_code("InvalidParameter"));
  EXPECT_TRUE(driver_->known_code("SignatureDoesNotMatch"));
  EXPECT_TRUE(driver_->known_code("Not Found"));
  EXPECT_FALSE(driver_->known_code("NoSuchCode"));
  EXPECT_FALSE(driver_->known_code("InvalidAccessKeyId.NotFound"));  // Alibaba's
}

// ---------------------------------------------------------------------------------------------
// Alibaba Cloud

class AliDriverTest : public ::testing::Test {
 protected:
  AliDriverTest()
      : fake_([](const HttpRequest&, const std::string& action) {
          if (action == "Broken") {
            return ali_error(404, "Forbidden.KeyNotFound", "The specified Key is not found.");
          }
          return ali_ok({{"Echo", action}});
        }) {
    driver_ = conformance::make_driver("alibaba", fake_.endpoint(), {kAliAk, kAliSk, ""},
                                       "cn-hangzhou", client::ClientOptions{});
  }

  std::string verify(const HttpRequest& request) {
    alibaba::VerifyOptions options;
    options.nonce_seen = [this](std::string_view ak, std::string_view nonce) {
      return !nonces_.insert(std::string(ak) + "/" + std::string(nonce)).second;
    };
    auto lookup = [](std::string_view ak) -> std::optional<std::string> {
      if (ak == kAliAk) return std::string(kAliSk);
      return std::nullopt;
    };
    auto verdict = alibaba::verify_request(request, lookup, options);
    if (std::holds_alternative<alibaba::VerifiedCaller>(verdict)) return "ok";
    return std::string(alibaba::error_info(std::get<alibaba::AuthFailure>(verdict).code).wire_code);
  }

  HttpRequest received() { return fake_.requests().back(); }

  FakeKms fake_;
  std::unique_ptr<conformance::DialectDriver> driver_;
  std::set<std::string> nonces_;
};

TEST_F(AliDriverTest, DefaultIsV3WithParametersInTheQuery) {
  Exchange e = driver_->send(step("Encrypt", {{"KeyId", "k1"}, {"Plaintext", "hi"}}), nullptr);
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.body["Echo"], "Encrypt");
  HttpRequest r = received();
  EXPECT_EQ(r.method, "POST");
  EXPECT_TRUE(r.header("Authorization").starts_with("ACS3-HMAC-SHA256 "));
  EXPECT_EQ(r.header("x-acs-action"), "Encrypt");
  EXPECT_NE(r.raw_query.find("KeyId=k1"), std::string::npos);
  EXPECT_EQ(verify(r), "ok");
  EXPECT_EQ(driver_->dialect(), "alibaba");
}

TEST_F(AliDriverTest, SignersAndPlacements) {
  ResolvedStep v1 = step("Encrypt", {{"KeyId", "k1"}});
  v1.auth.signing = "v1";
  driver_->send(v1, nullptr);
  HttpRequest pop = received();
  EXPECT_NE(pop.body.find("Signature="), std::string::npos);  // pop-core: all in the form body
  EXPECT_TRUE(pop.raw_query.empty());
  EXPECT_EQ(verify(pop), "ok");

  ResolvedStep tea = step("Encrypt", {{"KeyId", "k1"}});
  tea.auth.signing = "v1-tea";
  driver_->send(tea, nullptr);
  HttpRequest t = received();
  EXPECT_NE(t.raw_query.find("Signature="), std::string::npos);
  EXPECT_NE(t.body.find("KeyId=k1"), std::string::npos);
  EXPECT_EQ(verify(t), "ok");

  driver_->send(step("DescribeKey", {{"KeyId", "k1"}}, Placement::Query), nullptr);
  EXPECT_EQ(received().method, "GET");
  EXPECT_EQ(verify(received()), "ok");

  driver_->send(step("DescribeKey", {{"KeyId", "k1"}}, Placement::FormBody), nullptr);
  EXPECT_EQ(received().body, "KeyId=k1");
  EXPECT_EQ(verify(received()), "ok");

  EXPECT_THROW(driver_->send(step("DescribeKey", {}, Placement::JsonBody), nullptr),
               std::invalid_argument);
  ResolvedStep bad = step("DescribeKey");
  bad.auth.signing = "v2";
  EXPECT_THROW(driver_->send(bad, nullptr), std::invalid_argument);
}

TEST_F(AliDriverTest, CredentialAndTimeOverrides) {
  ResolvedStep wrong = step("DescribeKey", {{"KeyId", "k1"}});
  wrong.auth.secret = "wrong-secret-entirely";
  driver_->send(wrong, nullptr);
  EXPECT_EQ(verify(received()), "SignatureDoesNotMatch");

  ResolvedStep unknown = step("DescribeKey", {{"KeyId", "k1"}});
  unknown.auth.access_key_id = "LTAIunknown";
  driver_->send(unknown, nullptr);
  EXPECT_EQ(verify(received()), "InvalidAccessKeyId.NotFound");

  ResolvedStep token = step("DescribeKey", {{"KeyId", "k1"}});
  token.auth.session_token = "sts-token-for-the-test";
  driver_->send(token, nullptr);
  EXPECT_EQ(received().header("x-acs-security-token"), "sts-token-for-the-test");

  ResolvedStep late = step("DescribeKey", {{"KeyId", "k1"}});
  late.auth.time_offset = std::chrono::seconds(7200);
  driver_->send(late, nullptr);
  auto sent = parse_iso8601_utc(received().header("x-acs-date"));
  ASSERT_TRUE(sent);
  EXPECT_GT(*sent, std::chrono::system_clock::now() + std::chrono::seconds(7000));
  EXPECT_EQ(verify(received()), "InvalidTimeStamp.Expired");
}

TEST_F(AliDriverTest, UnsignedTamperedDroppedAndUnsignedHeaders) {
  ResolvedStep v3 = step("DescribeKey", {{"KeyId", "k1"}});
  v3.auth.unsigned_request = true;
  driver_->send(v3, nullptr);
  EXPECT_FALSE(received().has_header("Authorization"));
  EXPECT_NE(verify(received()), "ok");

  ResolvedStep v1 = step("DescribeKey", {{"KeyId", "k1"}});
  v1.auth.unsigned_request = true;
  v1.auth.signing = "v1";
  driver_->send(v1, nullptr);
  EXPECT_EQ(received().body.find("Signature="), std::string::npos);
  EXPECT_NE(received().body.find("SignatureNonce="), std::string::npos);
  EXPECT_EQ(verify(received()), "MissingParameter");

  ResolvedStep query = step("DescribeKey", {{"KeyId", "k1"}});
  query.auth.tamper = "query";
  driver_->send(query, nullptr);
  EXPECT_EQ(verify(received()), "SignatureDoesNotMatch");

  ResolvedStep body = step("DescribeKey", {{"KeyId", "k1"}});
  body.auth.tamper = "body";
  body.auth.signing = "v1";
  driver_->send(body, nullptr);
  EXPECT_EQ(verify(received()), "SignatureDoesNotMatch");

  ResolvedStep dropped = step("DescribeKey", {{"KeyId", "k1"}});
  dropped.auth.drop_headers = {"x-acs-signature-nonce"};
  driver_->send(dropped, nullptr);
  EXPECT_FALSE(received().has_header("x-acs-signature-nonce"));
  EXPECT_EQ(verify(received()), "MissingParameter");

  ResolvedStep left_out = step("DescribeKey", {{"KeyId", "k1"}});
  left_out.auth.unsigned_headers = {"x-acs-date"};
  driver_->send(left_out, nullptr);
  EXPECT_EQ(std::string(received().header("Authorization")).find("x-acs-date"), std::string::npos);
  EXPECT_EQ(verify(received()), "IncompleteSignature");

  ResolvedStep v1_unsigned = step("DescribeKey");
  v1_unsigned.auth.signing = "v1";
  v1_unsigned.auth.unsigned_headers = {"host"};
  EXPECT_THROW(driver_->send(v1_unsigned, nullptr), std::invalid_argument);
}

TEST_F(AliDriverTest, ExtraHeadersAndReplay) {
  ResolvedStep extra = step("DescribeKey", {{"KeyId", "k1"}});
  extra.auth.extra_headers = {{"x-acs-extra", "1"}};
  Exchange first = driver_->send(extra, nullptr);
  EXPECT_NE(received().header("Authorization").find("x-acs-extra"), std::string::npos);
  EXPECT_EQ(verify(received()), "ok");

  ResolvedStep replay = step("DescribeKey");
  replay.auth.replay = true;
  driver_->send(replay, &first);
  EXPECT_EQ(received().header("x-acs-signature-nonce"),
            fake_.requests().front().header("x-acs-signature-nonce"));
  EXPECT_EQ(verify(received()), "SignatureNonceUsed");
}

TEST_F(AliDriverTest, ErrorsAndCatalog) {
  Exchange e = driver_->send(step("Broken"), nullptr);
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code, "Forbidden.KeyNotFound");
  EXPECT_EQ(e.message, "The specified Key is not found.");
  EXPECT_TRUE(driver_->known_code("Forbidden.KeyNotFound"));
  EXPECT_TRUE(driver_->known_code("InvalidAccessKeyId.NotFound"));
  EXPECT_FALSE(driver_->known_code("InvalidAccessKey"));  // Volcengine's
}

TEST(MakeDriver, UnknownDialectIsRefused) {
  auto endpoint = *client::Endpoint::parse("http://127.0.0.1:1");
  EXPECT_THROW(conformance::make_driver("aws", endpoint, {}, "", {}), std::invalid_argument);
}

}  // namespace
}  // namespace kmsconf::testing
