#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <set>

#include "protocol/alibaba/errors.hpp"
#include "protocol/alibaba/signer.hpp"
#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"
#include "tests/protocol/alibaba_test_support.hpp"

namespace kmsconf::alibaba {
namespace {

using namespace kmsconf::alibaba::testing;
using namespace std::chrono_literals;

using Result = std::variant<VerifiedCaller, AuthFailure>;

constexpr char kAccessKeyId[] = "testAccessKeyId";
constexpr char kSecret[] = "testAccessKeySecret";
constexpr char kStsAccessKeyId[] = "STS.testStsAccessKeyId";

SecretLookup known_keys() {
  return [](std::string_view id) -> std::optional<std::string> {
    if (id == kAccessKeyId || id == kStsAccessKeyId) return std::string(kSecret);
    if (id == "testid") return std::string("testsecret");
    return std::nullopt;
  };
}

VerifyOptions pinned_options() {
  VerifyOptions options;
  options.now = vectors_now();
  return options;
}

const AuthFailure* failure_of(const Result& result) {
  return std::get_if<AuthFailure>(&result);
}

std::string describe(const Result& result) {
  if (auto* failure = failure_of(result)) {
    return std::string(error_info(failure->code).name) + ": " + failure->message();
  }
  return "accepted";
}

// The signature the request carries (V1 param or V3 Authorization field), to make sure no
// message ever quotes it.
std::string signature_in(const HttpRequest& request) {
  const std::string authorization(request.header("Authorization"));
  if (const size_t at = authorization.find("Signature="); at != std::string::npos) {
    return authorization.substr(at + 10);
  }
  auto params = request_params(request);
  return params ? find_value(*params, "Signature") : std::string();
}

void expect_accepted(const Result& result) {
  EXPECT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
}

void expect_failure(const Result& result, ErrorCode code, const HttpRequest& request) {
  const AuthFailure* failure = failure_of(result);
  ASSERT_NE(failure, nullptr) << "accepted, expected " << error_info(code).name;
  EXPECT_EQ(failure->code, code) << describe(result);
  const std::string message = failure->message();
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
  const std::string signature = signature_in(request);
  if (!signature.empty()) {
    EXPECT_EQ(message.find(signature), std::string::npos) << message;
  }
}

Result verify(const HttpRequest& request, const VerifyOptions& options = pinned_options()) {
  return verify_request(request, known_keys(), options);
}

HttpRequest signed_vector(std::string_view id) {
  return signed_request_of(vector_by_id(id));
}

// Re-signs a V1 vector with one option changed.
HttpRequest resigned_v1(std::string_view id, const std::function<void(V1SignOptions&)>& change) {
  const Json& vector = vector_by_id(id);
  HttpRequest request = v1_unsigned_request(vector);
  V1SignOptions options = v1_options(vector);
  change(options);
  sign_v1(request, credentials_of(vector), options);
  return request;
}

// Rewrites one V1 parameter on the wire (query or form body), keeping the rest as sent.
void set_param(HttpRequest& request, std::string_view name, std::optional<std::string> value) {
  for (std::string* part : {&request.raw_query, &request.body}) {
    auto pairs = parse_query(*part);
    ASSERT_TRUE(pairs);
    bool found = false;
    QueryPairs updated;
    for (auto& [key, current] : *pairs) {
      if (key != name) {
        updated.emplace_back(key, current);
      } else if (!found && value) {
        updated.emplace_back(key, *value);
      }
      found = found || key == name;
    }
    if (found) {
      *part = build_query(updated);
      return;
    }
  }
  if (value)
    request.raw_query +=
        (request.raw_query.empty() ? "" : "&") + std::string(name) + "=" + uri_encode(*value);
}

// What the adapter does with the caller's Action and Version (§1.2); the verifier leaves them.
std::optional<ErrorCode> adapter_check(const VerifiedCaller& caller) {
  static const std::set<std::string> kActions{"DescribeKey", "Encrypt", "Decrypt", "ListKeys",
                                              "TagResources"};
  if (!kActions.contains(caller.action)) return ErrorCode::InvalidActionNotFound;
  if (caller.version != kApiVersion) return ErrorCode::InvalidVersion;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Every server_verification_case of the vectors file

struct CaseRun {
  std::vector<HttpRequest> requests;  // sent in order; the last one's outcome is checked
  VerifyOptions options = pinned_options();
};

// The replay guard the reference server plugs in, reduced to a set for this file.
std::function<bool(std::string_view, std::string_view)> remembering_guard() {
  auto seen = std::make_shared<std::set<std::pair<std::string, std::string>>>();
  return [seen](std::string_view ak, std::string_view nonce) {
    return !seen->emplace(std::string(ak), std::string(nonce)).second;
  };
}

CaseRun prepare_case(const Json& verification_case) {
  const std::string id = verification_case.at("id");
  HttpRequest request = signed_vector(verification_case.at("base_vector").get<std::string>());
  CaseRun run;
  if (id == "accept-v1-get" || id == "accept-v1-format-lowercase" ||
      id == "accept-v3-extra-signed-header") {
    // no mutation
  } else if (id == "reject-v1-tampered-param") {
    set_param(request, "KeyId", "05754286-3ba2-4fa6-8d41-4323aca6f8a2");
  } else if (id == "reject-v1-key-without-ampersand") {
    set_param(request, "Signature", "GJpays8IyahCHlvVDxcFJ8du1Zo=");
  } else if (id == "reject-v1-method-mismatch") {
    set_param(request, "Signature", "jppAJ3nqdzgo/k8l7Q0tbmGL27s=");
  } else if (id == "reject-v1-expired-timestamp" || id == "reject-v3-expired-date") {
    run.options.now = at("2024-05-01T12:50:57Z");
  } else if (id == "reject-v1-nonce-replay") {
    run.options.nonce_seen = remembering_guard();
    run.requests.push_back(request);
  } else if (id == "reject-v1-unknown-ak") {
    // no mutation: the test's lookup knows no key for this case
  } else if (id == "reject-v1-missing-signature") {
    set_param(request, "Signature", std::nullopt);
  } else if (id == "reject-unknown-action") {
    request = resigned_v1("v1-get-DescribeKey", [](V1SignOptions& o) { o.action += "X"; });
  } else if (id == "reject-bad-version") {
    request = resigned_v1("v1-get-DescribeKey", [](V1SignOptions& o) { o.version = "2016-01-21"; });
  } else if (id == "reject-v3-body-hash-mismatch") {
    request.body[0] = request.body[0] == 'K' ? 'k' : 'K';
  } else if (id == "reject-v3-unsigned-acs-header") {
    request.headers["x-acs-extra"] = "1";
  } else if (id == "reject-v3-wrong-algorithm") {
    std::string authorization(request.header("Authorization"));
    authorization.replace(0, kV3Algorithm.size(), "ACS3-HMAC-SHA1");
    request.headers["Authorization"] = authorization;
  } else {
    ADD_FAILURE() << "verification case " << id << " has no mutation here";
  }
  run.requests.push_back(std::move(request));
  return run;
}

TEST(AlibabaServerVerificationCases, EveryCaseGetsTheExpectedOutcome) {
  for (const Json& verification_case : vectors_file().at("server_verification_cases")) {
    const std::string id = verification_case.at("id");
    SCOPED_TRACE(id);
    CaseRun run = prepare_case(verification_case);
    SecretLookup lookup = known_keys();
    if (id == "reject-v1-unknown-ak") lookup = [](std::string_view) { return std::nullopt; };

    Result result;
    for (const HttpRequest& request : run.requests) {
      result = verify_request(request, lookup, run.options);
    }
    const HttpRequest& last = run.requests.back();
    // Action and Version are the adapter's to judge; apply its check to accepted requests.
    std::optional<ErrorCode> code;
    if (auto* failure = failure_of(result)) {
      code = failure->code;
      expect_failure(result, failure->code, last);  // the message hygiene checks
    } else {
      code = adapter_check(std::get<VerifiedCaller>(result));
    }

    const Json& expect = verification_case.at("expect");
    const int http = expect.at("http");
    if (http == 200) {
      EXPECT_FALSE(code) << describe(result);
      continue;
    }
    ASSERT_TRUE(code) << "accepted, expected " << expect.at("code");
    EXPECT_EQ(error_info(*code).wire_code, expect.at("code").get<std::string>())
        << describe(result);
    EXPECT_EQ(error_info(*code).http_status, http);
  }
}

TEST(AlibabaServerVerificationCases, LegacySwitchAnswersIllegalTimestamp) {
  const Json& verification_case = vectors_file().at("server_verification_cases").at(6);
  ASSERT_EQ(verification_case.at("id"), "reject-v1-expired-timestamp");
  CaseRun run = prepare_case(verification_case);
  run.options.legacy_timestamp_code = true;
  const Result result = verify_request(run.requests.back(), known_keys(), run.options);
  expect_failure(result, ErrorCode::IllegalTimestamp, run.requests.back());
  EXPECT_EQ(error_info(ErrorCode::IllegalTimestamp).wire_code,
            verification_case.at("expect").at("alt_code_legacy_kms").get<std::string>());
}

// The mutated signatures of the file are what the file says they are.
TEST(AlibabaServerVerificationCases, MutatedSignaturesAreWhatTheCasesDescribe) {
  const Json& vector = vector_by_id("v1-get-DescribeKey");
  const std::string string_to_sign = vector.at("outputs").at("string_to_sign");
  EXPECT_EQ(base64_encode(hmac_sha1(kSecret, string_to_sign)), "GJpays8IyahCHlvVDxcFJ8du1Zo=");
  const std::string canonical = vector.at("outputs").at("canonicalized_query_string");
  EXPECT_EQ(v1_signature(kSecret, v1_string_to_sign("POST", canonical)),
            "jppAJ3nqdzgo/k8l7Q0tbmGL27s=");
}

// ---------------------------------------------------------------------------------------------
// V1 verification

TEST(AlibabaVerifyV1, AcceptedCallerCarriesActionVersionFormatAndParams) {
  const Result result = verify(signed_vector("v1-post-Encrypt-tea-query-plus-body"));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
  const auto& caller = std::get<VerifiedCaller>(result);
  EXPECT_EQ(caller.scheme, SignatureScheme::V1);
  EXPECT_EQ(caller.access_key_id, kAccessKeyId);
  EXPECT_EQ(caller.action, "Encrypt");
  EXPECT_EQ(caller.version, "2016-01-20");
  EXPECT_EQ(caller.format, "json");
  EXPECT_EQ(caller.nonce, "c0ffee00-1234-4abc-8def-0123456789ab");
  EXPECT_FALSE(caller.security_token);
  EXPECT_EQ(find_value(caller.params, "KeyId"), "key-hzz62f1cb66fa42qo9pfl");   // query
  EXPECT_EQ(find_value(caller.params, "EncryptionContext"), R"({"k":"v w"})");  // body
  EXPECT_EQ(find_value(caller.params, "Signature"), "");                        // never handed on
}

TEST(AlibabaVerifyV1, EveryV1VectorVerifies) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (!is_v1(vector)) continue;
    SCOPED_TRACE(vector.at("id").get<std::string>());
    VerifyOptions options = pinned_options();
    options.check_timestamp = false;  // the published examples date from 2016
    options.require_nonce = false;    // the KMS doc example has no SignatureNonce
    expect_accepted(verify(signed_request_of(vector), options));
  }
}

TEST(AlibabaVerifyV1, NodeStyleWireEncodingStillVerifies) {
  // Tea's Node querystring leaves !'()* unescaped and may use '+' for spaces in a form body.
  HttpRequest request = signed_vector("v1-post-Encrypt-special-chars");
  std::string body = request.body;
  constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kNodeSpellings{
      {{"%21", "!"}, {"%27", "'"}, {"%28", "("}, {"%29", ")"}, {"%2A", "*"}, {"%20", "+"}}};
  for (auto [from, to] : kNodeSpellings) {
    for (size_t at; (at = body.find(from)) != std::string::npos;) body.replace(at, 3, to);
  }
  ASSERT_NE(body, request.body);
  request.body = body;
  expect_accepted(verify(request));
}

TEST(AlibabaVerifyV1, MalformedEncodingIsInvalidParameterNamingThePart) {
  HttpRequest request = signed_vector("v1-get-DescribeKey");
  request.raw_query += "&x=%G1";
  Result result = verify(request);
  expect_failure(result, ErrorCode::InvalidParameter, request);
  EXPECT_EQ(failure_of(result)->message_args, std::vector<std::string>{"QueryString"});

  HttpRequest post = signed_vector("v1-post-Encrypt-special-chars");
  post.body += "&x=%";
  result = verify(post);
  expect_failure(result, ErrorCode::InvalidParameter, post);
  EXPECT_EQ(failure_of(result)->message_args, std::vector<std::string>{"Body"});
}

TEST(AlibabaVerifyV1, EachMissingCommonParameterIsNamed) {
  for (const char* name : {"Action", "Version", "AccessKeyId", "Signature", "SignatureMethod",
                           "SignatureVersion", "Timestamp", "SignatureNonce"}) {
    SCOPED_TRACE(name);
    HttpRequest request = signed_vector("v1-get-DescribeKey");
    set_param(request, name, std::nullopt);
    Result result = verify(request);
    expect_failure(result, ErrorCode::MissingParameter, request);
    EXPECT_EQ(failure_of(result)->message_args, std::vector<std::string>{name});
    EXPECT_NE(failure_of(result)->message().find(std::string("\"") + name + "\""),
              std::string::npos);

    set_param(request, name, "");  // an empty value counts as missing
    expect_failure(verify(request), ErrorCode::MissingParameter, request);
  }
}

TEST(AlibabaVerifyV1, LegacySwitchAcceptsAMissingNonceAndSkipsTheReplayCheck) {
  HttpRequest request =
      resigned_v1("v1-get-DescribeKey", [](V1SignOptions& o) { o.send_nonce = false; });
  expect_failure(verify(request), ErrorCode::MissingParameter, request);
  VerifyOptions options = pinned_options();
  options.require_nonce = false;
  options.nonce_seen = [](std::string_view, std::string_view) -> bool {
    ADD_FAILURE() << "no nonce to check";
    return true;
  };
  const Result result = verify(request, options);
  expect_accepted(result);
  EXPECT_EQ(std::get<VerifiedCaller>(result).nonce, "");
}

TEST(AlibabaVerifyV1, WrongSignatureMethodOrVersion) {
  HttpRequest request = signed_vector("v1-get-DescribeKey");
  set_param(request, "SignatureMethod", "HMAC-SHA256");
  Result result = verify(request);
  expect_failure(result, ErrorCode::InvalidSignatureMethod, request);
  EXPECT_EQ(failure_of(result)->message(),
            "Specified SignatureMethod \"HMAC-SHA256\" is not supported.");

  request = signed_vector("v1-get-DescribeKey");
  set_param(request, "SignatureVersion", "2.0");
  result = verify(request);
  expect_failure(result, ErrorCode::InvalidSignatureMethod, request);
  EXPECT_EQ(failure_of(result)->message_args,
            (std::vector<std::string>{"SignatureVersion", "2.0"}));

  set_param(request, "SignatureVersion", std::string(500, 'v'));  // echoes are cut short
  result = verify(request);
  EXPECT_LT(failure_of(result)->message().size(), 200u);
}

TEST(AlibabaVerifyV1, TimestampFormatAndWindow) {
  for (const char* bad : {"2024-05-01 12:34:56", "2024-05-01T12:34:56.000Z",
                          "2024-05-01T12:34:56+00:00", "1714566896", "2024-13-01T12:34:56Z"}) {
    SCOPED_TRACE(bad);
    HttpRequest request =
        resigned_v1("v1-get-DescribeKey", [&](V1SignOptions& o) { o.timestamp = bad; });
    VerifyOptions options = pinned_options();
    options.check_timestamp = false;  // the format is checked regardless
    expect_failure(verify(request, options), ErrorCode::InvalidTimeStampFormat, request);
    options.legacy_timestamp_code = true;
    expect_failure(verify(request, options), ErrorCode::IllegalTimestamp, request);
  }

  const HttpRequest request = signed_vector("v1-get-DescribeKey");
  VerifyOptions options = pinned_options();
  for (auto offset : {-900s, 900s}) {
    options.now = vectors_now() + offset;
    expect_accepted(verify(request, options));
  }
  for (auto offset : {-901s, 901s}) {
    options.now = vectors_now() + offset;
    expect_failure(verify(request, options), ErrorCode::InvalidTimeStampExpired, request);
  }
  options.max_skew = 60s;
  options.now = vectors_now() + 61s;
  expect_failure(verify(request, options), ErrorCode::InvalidTimeStampExpired, request);
  options.check_timestamp = false;
  options.now = vectors_now() + std::chrono::hours(24 * 365);
  expect_accepted(verify(request, options));
}

TEST(AlibabaVerifyV1, UnknownAccessKey) {
  const HttpRequest request = signed_vector("v1-get-DescribeKey");
  const Result result = verify_request(
      request, [](std::string_view) { return std::nullopt; }, pinned_options());
  expect_failure(result, ErrorCode::InvalidAccessKeyIdNotFound, request);
  expect_failure(verify_request(request, nullptr, pinned_options()),
                 ErrorCode::InvalidAccessKeyIdNotFound, request);
}

TEST(AlibabaVerifyV1, StsKeyNeedsItsTokenAndTheTokenIsNeverEchoed) {
  const Json& vector = vector_by_id("v1-get-DescribeKey");
  V1SignOptions options = v1_options(vector);
  HttpRequest without_token = v1_unsigned_request(vector);
  sign_v1(without_token, Credentials{kStsAccessKeyId, kSecret, ""}, options);
  expect_failure(verify(without_token), ErrorCode::MissingSecurityToken, without_token);

  HttpRequest with_token = v1_unsigned_request(vector);
  sign_v1(with_token, Credentials{kStsAccessKeyId, kSecret, "secretSessionToken"}, options);
  Result result = verify(with_token);
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
  EXPECT_EQ(std::get<VerifiedCaller>(result).security_token, "secretSessionToken");

  set_param(with_token, "KeyId", "tampered");
  result = verify(with_token);
  expect_failure(result, ErrorCode::SignatureDoesNotMatch, with_token);
  const std::string message = failure_of(result)->message();
  EXPECT_EQ(message.find("secretSessionToken"), std::string::npos) << message;
  EXPECT_NE(message.find("SecurityToken%3D%252A%252A%252A"), std::string::npos) << message;
}

TEST(AlibabaVerifyV1, SignatureMismatchEchoesTheServerStringToSign) {
  HttpRequest request = signed_vector("v1-get-DescribeKey");
  set_param(request, "KeyId", "05754286-3ba2-4fa6-8d41-4323aca6f8a2");
  const Json& vector = vector_by_id("v1-get-DescribeKey");
  std::string expected_sts = vector.at("outputs").at("string_to_sign");
  expected_sts.replace(expected_sts.find("f8a1"), 4, "f8a2");

  Result result = verify(request);
  expect_failure(result, ErrorCode::SignatureDoesNotMatch, request);
  EXPECT_EQ(failure_of(result)->message(),
            "Specified signature is not matched with our calculation. server string to sign is:" +
                expected_sts);

  VerifyOptions quiet = pinned_options();
  quiet.echo_string_to_sign = false;
  result = verify(request, quiet);
  EXPECT_EQ(failure_of(result)->message(),
            "Specified signature is not matched with our calculation.");
}

TEST(AlibabaVerifyV1, ReplayIsCheckedOnlyForGenuineRequests) {
  std::vector<std::pair<std::string, std::string>> asked;
  VerifyOptions options = pinned_options();
  options.nonce_seen = [&](std::string_view ak, std::string_view nonce) {
    asked.emplace_back(ak, nonce);
    return asked.size() > 1;
  };
  HttpRequest forged = signed_vector("v1-get-DescribeKey");
  set_param(forged, "KeyId", "other");
  expect_failure(verify(forged, options), ErrorCode::SignatureDoesNotMatch, forged);
  EXPECT_TRUE(asked.empty());  // a forgery cannot burn the genuine client's nonce

  const HttpRequest genuine = signed_vector("v1-get-DescribeKey");
  expect_accepted(verify(genuine, options));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], (std::pair<std::string, std::string>{
                          kAccessKeyId, "c0ffee00-1234-4abc-8def-0123456789ab"}));
  expect_failure(verify(genuine, options), ErrorCode::SignatureNonceUsed, genuine);
}

TEST(AlibabaVerifyV1, OtherAuthorizationSchemesAreIncompleteSignature) {
  for (const char* authorization :
       {"Bearer abc", "ACS4-HMAC-SHA256 Credential=a/b,SignedHeaders=host,Signature=00",
        "acs testAccessKeyId:abc", "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00"}) {
    SCOPED_TRACE(authorization);
    HttpRequest request = signed_vector("v1-get-DescribeKey");  // a valid V1 request otherwise
    request.headers["Authorization"] = authorization;
    expect_failure(verify(request), ErrorCode::IncompleteSignature, request);
  }
  HttpRequest blank = signed_vector("v1-get-DescribeKey");
  blank.headers["Authorization"] = "  ";  // blank: not a scheme, so V1 params decide
  expect_accepted(verify(blank));
}

// ---------------------------------------------------------------------------------------------
// V3 verification

TEST(AlibabaVerifyV3, EveryV3KmsVectorVerifiesAndReportsTheCaller) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (is_v1(vector) || vector.at("id").get<std::string>().starts_with("published")) continue;
    SCOPED_TRACE(vector.at("id").get<std::string>());
    const Result result = verify(signed_request_of(vector));
    ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
    const auto& caller = std::get<VerifiedCaller>(result);
    EXPECT_EQ(caller.scheme, SignatureScheme::V3);
    EXPECT_EQ(caller.action, vector.at("inputs").at("action").get<std::string>());
    EXPECT_EQ(caller.version, "2016-01-20");
    EXPECT_EQ(caller.format, "");
    EXPECT_EQ(caller.nonce, "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c");
    EXPECT_EQ(caller.access_key_id, vector.at("inputs").at("access_key_id").get<std::string>());
    const std::string token = string_or_empty(vector.at("inputs").at("security_token"));
    EXPECT_EQ(caller.security_token.value_or(""), token);
  }
}

TEST(AlibabaVerifyV3, PublishedEcsExampleVerifiesWithItsOwnKey) {
  const HttpRequest request = signed_vector("published-v3-ecs-RunInstances");
  VerifyOptions options;
  options.check_timestamp = false;
  const Result result = verify_request(
      request, [](std::string_view) { return std::optional<std::string>("YourAccessKeySecret"); },
      options);
  expect_accepted(result);
  EXPECT_EQ(std::get<VerifiedCaller>(result).action, "RunInstances");
  EXPECT_EQ(std::get<VerifiedCaller>(result).version, "2014-05-26");
}

TEST(AlibabaVerifyV3, ParamsComeFromQueryAndFormBody) {
  Result result = verify(signed_vector("v3-post-Encrypt-body-style"));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
  const QueryPairs& params = std::get<VerifiedCaller>(result).params;
  EXPECT_EQ(find_value(params, "KeyId"), "alias/app-key_1.v2");
  EXPECT_EQ(find_value(params, "Plaintext"), "Hello World *~/+ (\u00fcn\u00ef) \u4e2d\u6587 !'=&");

  result = verify(signed_vector("v3-get-ListKeys-query-style"));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
  EXPECT_EQ(find_value(std::get<VerifiedCaller>(result).params, "PageSize"), "20");
}

TEST(AlibabaVerifyV3, MalformedAuthorizationIsIncompleteSignature) {
  const std::string base = "ACS3-HMAC-SHA256 ";
  const std::string headers =
      "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
      "x-acs-version";
  for (const std::string& authorization :
       {std::string("ACS3-HMAC-SHA256"), base, base + "Credential=testAccessKeyId," + headers,
        base + headers + ",Signature=00", base + "Credential=," + headers + ",Signature=00",
        base + "Credential=testAccessKeyId," + headers + ",Signature=",
        base + "Credential=testAccessKeyId,SignedHeaders=host;;x-acs-date,Signature=00",
        base + "Credential=testAccessKeyId," + headers + ",Signature=00,Region=x",
        base + "Credential=a,Credential=b," + headers + ",Signature=00",
        base + "Credential=testAccessKeyId," + headers + ",Signature00",
        base + "Credential=testAccessKeyId,," + headers + ",Signature=00"}) {
    SCOPED_TRACE(authorization);
    HttpRequest request = signed_vector("v3-post-DescribeKey-query-style");
    request.headers["Authorization"] = authorization;
    expect_failure(verify(request), ErrorCode::IncompleteSignature, request);
  }
}

TEST(AlibabaVerifyV3, ParseAuthorizationToleratesSpacesAndAnyOrder) {
  auto parsed = parse_authorization(
      " ACS3-HMAC-SHA256 Signature=ab, SignedHeaders=host;x-acs-date,  Credential=AK ");
  ASSERT_TRUE(std::holds_alternative<ParsedAuthorization>(parsed));
  const auto& auth = std::get<ParsedAuthorization>(parsed);
  EXPECT_EQ(auth.access_key_id, "AK");
  EXPECT_EQ(auth.signature, "ab");
  EXPECT_EQ(auth.signed_headers, (std::vector<std::string>{"host", "x-acs-date"}));

  HttpRequest request = signed_vector("v3-post-DescribeKey-query-style");
  std::string spaced(request.header("Authorization"));
  for (size_t at; (at = spaced.find(",S")) != std::string::npos;) spaced.replace(at, 1, ", ");
  request.headers["Authorization"] = spaced;
  expect_accepted(verify(request));
}

TEST(AlibabaVerifyV3, EachMissingRequiredHeaderIsNamed) {
  for (std::string_view name : {std::string_view("host"), kHeaderAction, kHeaderVersion,
                                kHeaderDate, kHeaderNonce, kHeaderContentSha256}) {
    SCOPED_TRACE(name);
    HttpRequest request = signed_vector("v3-post-DescribeKey-query-style");
    request.headers.erase(request.headers.find(name));
    const Result result = verify(request);
    expect_failure(result, ErrorCode::MissingParameter, request);
    EXPECT_EQ(failure_of(result)->message_args, std::vector<std::string>{std::string(name)});
  }
}

TEST(AlibabaVerifyV3, SignedHeadersMustCoverHostContentTypeAndEveryAcsHeader) {
  const Json& vector = vector_by_id("v3-post-Encrypt-body-style");
  auto signed_with = [&](std::vector<std::string> names) {
    HttpRequest request = v3_unsigned_request(vector);
    V3SignOptions options = v3_options(vector);
    options.signed_headers_override = std::move(names);
    sign_v3(request, credentials_of(vector), options);
    return request;
  };
  const std::vector<std::string> all{"content-type",         "host",       "x-acs-action",
                                     "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce",
                                     "x-acs-version"};
  expect_accepted(verify(signed_with(all)));
  for (size_t skip = 0; skip < all.size(); ++skip) {
    std::vector<std::string> fewer = all;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(skip));
    SCOPED_TRACE(all[skip]);
    const HttpRequest request = signed_with(fewer);
    expect_failure(verify(request), ErrorCode::IncompleteSignature, request);
  }
  std::vector<std::string> phantom = all;
  phantom.push_back("x-acs-phantom");  // signed but never sent
  const HttpRequest request = signed_with(phantom);
  expect_failure(verify(request), ErrorCode::IncompleteSignature, request);
  // Signing an optional header such as accept is allowed.
  std::vector<std::string> with_accept = all;
  with_accept.insert(with_accept.begin(), "accept");
  HttpRequest accepted = v3_unsigned_request(vector);
  accepted.headers["accept"] = "application/json";
  V3SignOptions options = v3_options(vector);
  options.signed_headers_override = with_accept;
  sign_v3(accepted, credentials_of(vector), options);
  expect_accepted(verify(accepted));
}

TEST(AlibabaVerifyV3, DateFormatAndWindow) {
  const Json& vector = vector_by_id("v3-get-ListKeys-query-style");
  HttpRequest bad = v3_unsigned_request(vector);
  V3SignOptions options = v3_options(vector);
  options.date = "20240501T123456Z";
  sign_v3(bad, credentials_of(vector), options);
  VerifyOptions verify_options = pinned_options();
  verify_options.check_timestamp = false;
  expect_failure(verify(bad, verify_options), ErrorCode::InvalidTimeStampFormat, bad);
  verify_options.legacy_timestamp_code = true;
  expect_failure(verify(bad, verify_options), ErrorCode::IllegalTimestamp, bad);

  const HttpRequest request = signed_request_of(vector);
  verify_options = pinned_options();
  verify_options.now = vectors_now() - 901s;
  expect_failure(verify(request, verify_options), ErrorCode::InvalidTimeStampExpired, request);
  verify_options.now = vectors_now() - 900s;
  expect_accepted(verify(request, verify_options));
}

TEST(AlibabaVerifyV3, UnknownAccessKeyAndMissingStsToken) {
  const HttpRequest request = signed_vector("v3-post-DescribeKey-query-style");
  expect_failure(verify_request(
                     request, [](std::string_view) { return std::nullopt; }, pinned_options()),
                 ErrorCode::InvalidAccessKeyIdNotFound, request);

  const Json& vector = vector_by_id("v3-post-Decrypt-sts-token");
  HttpRequest unsigned_sts = v3_unsigned_request(vector);
  sign_v3(unsigned_sts, Credentials{kStsAccessKeyId, kSecret, ""}, v3_options(vector));
  expect_failure(verify(unsigned_sts), ErrorCode::MissingSecurityToken, unsigned_sts);
}

TEST(AlibabaVerifyV3, BodyOrHeaderTamperingIsSignatureDoesNotMatch) {
  HttpRequest request = signed_vector("v3-post-Encrypt-body-style");
  request.headers[std::string(kHeaderContentSha256)] = sha256_hex("other body");
  request.body = "other body";  // consistent hash, but not the signed one
  expect_failure(verify(request), ErrorCode::SignatureDoesNotMatch, request);

  request = signed_vector("v3-post-DescribeKey-query-style");
  request.raw_query = "KeyId=other";
  Result result = verify(request);
  expect_failure(result, ErrorCode::SignatureDoesNotMatch, request);
  const std::string message = failure_of(result)->message();
  EXPECT_NE(message.find(" server string to sign is:ACS3-HMAC-SHA256\n"), std::string::npos)
      << message;

  request = signed_vector("v3-post-DescribeKey-query-style");
  request.headers[std::string(kHeaderAction)] = "Decrypt";
  expect_failure(verify(request), ErrorCode::SignatureDoesNotMatch, request);

  request = signed_vector("v3-post-DescribeKey-query-style");
  request.method = "GET";
  expect_failure(verify(request), ErrorCode::SignatureDoesNotMatch, request);

  request = signed_vector("v3-post-DescribeKey-query-style");
  request.path = "/%zz";
  expect_failure(verify(request), ErrorCode::SignatureDoesNotMatch, request);
}

TEST(AlibabaVerifyV3, UppercaseContentHashIsTheSameHash) {
  // The stated hash is signed as sent; the body check ignores hex case.
  const Json& vector = vector_by_id("v3-post-Encrypt-body-style");
  HttpRequest request = v3_unsigned_request(vector);
  sign_v3(request, credentials_of(vector), v3_options(vector));
  std::string upper = ascii::to_upper(request.header(kHeaderContentSha256));
  request.headers[std::string(kHeaderContentSha256)] = upper;
  // Re-sign over the upper-case value so only the body comparison is exercised.
  request.headers.erase("Authorization");
  const std::vector<std::string> names = v3_headers_to_sign(request.headers);
  const V3Parts parts = v3_sign_canonical_request(*v3_canonical_request(request, names, upper),
                                                  kAccessKeyId, kSecret, names);
  request.headers["Authorization"] = parts.authorization;
  expect_accepted(verify(request));
}

TEST(AlibabaVerifyV3, NonceReplay) {
  VerifyOptions options = pinned_options();
  options.nonce_seen = remembering_guard();
  const HttpRequest request = signed_vector("v3-post-DescribeKey-query-style");
  expect_accepted(verify(request, options));
  expect_failure(verify(request, options), ErrorCode::SignatureNonceUsed, request);
  // Same nonce from another access key is another pair.
  expect_accepted(verify(signed_vector("v3-post-Decrypt-sts-token"), options));
}

}  // namespace
}  // namespace kmsconf::alibaba
