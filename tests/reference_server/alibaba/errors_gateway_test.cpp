// The gateway errors of the Alibaba catalog (spec §2.5) provoked over HTTP with every signing
// style, in the verification order of protocol/alibaba/signer.hpp, and checked against the
// catalog: HTTP status, Code, Message, RequestId (and the x-acs-request-id header repeating it),
// HostId and the Recommend URL. Each test starts from the code's provocation
// (errors_provocations.cpp) and adds the other ways of provoking it.
#include <chrono>
#include <string>
#include <vector>

#include "protocol/digest.hpp"
#include "tests/reference_server/alibaba/errors_fixture.hpp"

namespace kmsconf::testing::ali_errors {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// ---------------------------------------------------------------------------------------------
// Gateway codes (§2.5), in the verification order of signer.hpp.

TEST_F(AlibabaErrorsTest, MissingParameterOfAnOperation) {
  EXPECT_TRUE(provokes(ErrorCode::MissingParameter));  // DescribeKey without KeyId
  std::string id = create_key();
  EXPECT_TRUE(
      ali::is_error(call("Encrypt", {{"KeyId", id}}), ErrorCode::MissingParameter, {"Plaintext"}));
  EXPECT_TRUE(ali::is_error(call("ScheduleKeyDeletion", {{"KeyId", id}}),
                            ErrorCode::MissingParameter, {"PendingWindowInDays"}));
  EXPECT_TRUE(ali::is_error(call("CreateAlias", {{"KeyId", id}}), ErrorCode::MissingParameter,
                            {"AliasName"}));
  EXPECT_TRUE(ali::is_error(call("Decrypt"), ErrorCode::MissingParameter, {"CiphertextBlob"}));
}

TEST_F(AlibabaErrorsTest, MissingParameterOfTheV1CommonParameters) {
  for (auto signing : kV1Signings) {
    for (const char* name : {"Action", "Version", "AccessKeyId", "Signature", "SignatureMethod",
                             "SignatureVersion", "Timestamp", "SignatureNonce"}) {
      EXPECT_TRUE(
          ali::is_error(call("ListKeys", json::object(), with(signing, set_param(name, {}))),
                        ErrorCode::MissingParameter, {name}))
          << signing_name(signing) << " without " << name;
      // Present but empty counts as missing.
      EXPECT_TRUE(
          ali::is_error(call("ListKeys", json::object(), with(signing, set_param(name, ""))),
                        ErrorCode::MissingParameter, {name}))
          << signing_name(signing) << " with an empty " << name;
    }
  }
}

TEST_F(AlibabaErrorsTest, MissingParameterOfTheV3Headers) {
  for (auto signing : kV3Signings) {
    for (const char* name : {"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                             "x-acs-content-sha256"}) {
      EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), with(signing, erase_header(name))),
                                ErrorCode::MissingParameter, {name}))
          << signing_name(signing) << " without " << name;
    }
  }
}

TEST_F(AlibabaErrorsTest, InvalidParameterForBadValues) {
  std::string id = create_key();
  struct Case {
    const char* action;
    json params;
    const char* parameter;
  };
  const Case cases[] = {
      // Enumerations (§4.6) are case-sensitive.
      {"CreateKey", {{"KeySpec", "AES_999"}}, "KeySpec"},
      {"CreateKey", {{"KeySpec", "aliyun_aes_256"}}, "KeySpec"},
      {"CreateKey", {{"KeyUsage", "SIGN"}}, "KeyUsage"},
      {"CreateKey", {{"Origin", "external"}}, "Origin"},
      {"CreateKey", {{"ProtectionLevel", "TPM"}}, "ProtectionLevel"},
      {"CreateKey", {{"KeySpec", "RSA_2048"}, {"Origin", "EXTERNAL"}}, "Origin"},
      {"CreateKey",
       {{"EnableAutomaticRotation", "true"}, {"RotationInterval", "6d"}},
       "RotationInterval"},
      {"CreateKey", {{"EnableAutomaticRotation", "yes"}}, "EnableAutomaticRotation"},
      {"GenerateDataKey", {{"KeyId", id}, {"KeySpec", "AES_512"}}, "KeySpec"},
      {"AsymmetricSign",
       {{"KeyId", id}, {"KeyVersionId", "v"}, {"Algorithm", "MD5"}, {"Digest", "aGk="}},
       "Algorithm"},
      // Base64 (§1.2: standard, padded).
      {"Encrypt", {{"KeyId", id}, {"Plaintext", "not base64!"}}, "Plaintext"},
      {"Encrypt", {{"KeyId", id}, {"Plaintext", "aGVsbG8"}}, "Plaintext"},
      {"Decrypt", {{"CiphertextBlob", "%%%%"}}, "CiphertextBlob"},
      // EncryptionContext (§4.8): a JSON object of strings.
      {"Encrypt",
       {{"KeyId", id}, {"Plaintext", "aGk="}, {"EncryptionContext", "{not json"}},
       "EncryptionContext"},
      {"Encrypt",
       {{"KeyId", id}, {"Plaintext", "aGk="}, {"EncryptionContext", R"({"Key":12345})"}},
       "EncryptionContext"},
      {"Encrypt",
       {{"KeyId", id}, {"Plaintext", "aGk="}, {"EncryptionContext", R"({"Key":["a","b"]})"}},
       "EncryptionContext"},
      {"Encrypt",
       {{"KeyId", id}, {"Plaintext", "aGk="}, {"EncryptionContext", R"(["a"])"}},
       "EncryptionContext"},
      // Aliases (§3.4).
      {"CreateAlias", {{"KeyId", id}, {"AliasName", "alias/bad name"}}, "AliasName"},
      {"CreateAlias", {{"KeyId", id}, {"AliasName", "alias/acs-reserved"}}, "AliasName"},
      {"CreateAlias", {{"KeyId", id}, {"AliasName", "no-prefix"}}, "AliasName"},
      {"CreateAlias", {{"KeyId", id}, {"AliasName", "alias/"}}, "AliasName"},
      {"CreateAlias",
       {{"KeyId", id}, {"AliasName", "alias/" + std::string(250, 'a')}},
       "AliasName"},
      // Ranges (§3.2, §3.5, §4.9).
      {"ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 6}}, "PendingWindowInDays"},
      {"ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 367}}, "PendingWindowInDays"},
      {"ScheduleKeyDeletion",
       {{"KeyId", id}, {"PendingWindowInDays", "seven"}},
       "PendingWindowInDays"},
      {"GenerateDataKey", {{"KeyId", id}, {"NumberOfBytes", 0}}, "NumberOfBytes"},
      {"GenerateDataKey", {{"KeyId", id}, {"NumberOfBytes", 1025}}, "NumberOfBytes"},
      {"ListKeys", {{"PageSize", 101}}, "PageSize"},
      {"ListKeys", {{"PageNumber", 0}}, "PageNumber"},
      {"ListKeys", {{"Filters", R"([{"Key":"Colour","Values":["red"]}])"}}, "Filters"},
      {"UpdateKeyDescription",
       {{"KeyId", id}, {"Description", std::string(8193, 'd')}},
       "Description"},
      {"Encrypt",
       {{"KeyId", id}, {"Plaintext", base64_encode(std::string(6145, 'p'))}},
       "Plaintext"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(ali::is_error(call(c.action, c.params), ErrorCode::InvalidParameter, {c.parameter}))
        << c.action << " " << c.params.dump();
  }
}

TEST_F(AlibabaErrorsTest, InvalidParameterForAFormatOtherThanJsonOrXml) {
  for (auto signing : kV1Signings) {
    AlibabaCallOptions options = with(signing);
    options.format = "YAML";
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), options),
                              ErrorCode::InvalidParameter, {"Format"}))
        << signing_name(signing);
    options.format = "json";  // any letter case of JSON is fine (§1.1)
    EXPECT_TRUE(call("ListKeys", json::object(), options).ok()) << signing_name(signing);
  }
}

TEST_F(AlibabaErrorsTest, IncompleteSignatureForOtherAuthorizationSchemes) {
  EXPECT_TRUE(provokes(ErrorCode::IncompleteSignature));  // Bearer, on V3
  for (const char* value :
       {"Bearer abc", "Basic dXNlcjpwYXNz", "ACS4-HMAC-SHA256 Credential=a/b,Signature=ab",
        "ACS3-HMAC-SM3 Credential=LTAItestaccesskey0001,SignedHeaders=host,Signature=ab",
        "ACS3-RSA-SHA256 Credential=LTAItestaccesskey0001,SignedHeaders=host,Signature=ab"}) {
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(),
                                   with(AlibabaSigning::V3, set_header("Authorization", value))),
                              ErrorCode::IncompleteSignature))
        << value;
    // An Authorization header on an otherwise valid V1 request is not ignored.
    EXPECT_TRUE(
        ali::is_error(call("ListKeys", json::object(),
                           with(AlibabaSigning::V1PopCore, set_header("Authorization", value))),
                      ErrorCode::IncompleteSignature))
        << value;
  }
}

TEST_F(AlibabaErrorsTest, IncompleteSignatureForAMalformedAcs3Header) {
  const std::string credential = std::string("Credential=") + kAliAccessKey;
  for (const std::string& value : {
           std::string("ACS3-HMAC-SHA256"),
           std::string("ACS3-HMAC-SHA256 garbage"),
           "ACS3-HMAC-SHA256 " + credential + ",SignedHeaders=host",
           "ACS3-HMAC-SHA256 " + credential + ",Signature=abcd",
           std::string("ACS3-HMAC-SHA256 SignedHeaders=host,Signature=abcd"),
           "ACS3-HMAC-SHA256 " + credential + ",SignedHeaders=host,Signature=",
           std::string("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abcd"),
           "ACS3-HMAC-SHA256 " + credential + ",SignedHeaders=host;;x-acs-date,Signature=abcd",
           "ACS3-HMAC-SHA256 " + credential + ",SignedHeaders=host,Signature=ab,Extra=1",
           "ACS3-HMAC-SHA256 " + credential + ",Credential=x,SignedHeaders=host,Signature=ab",
       }) {
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(),
                                   with(AlibabaSigning::V3, set_header("Authorization", value))),
                              ErrorCode::IncompleteSignature))
        << value;
  }
}

TEST_F(AlibabaErrorsTest, IncompleteSignatureForAnUnsignedXAcsHeader) {
  // §2.3: host, content-type and every x-acs-* header must be signed.
  for (auto signing : kV3Signings) {
    EXPECT_TRUE(ali::is_error(
        call("ListKeys", json::object(), with(signing, set_header("x-acs-extra", "1"))),
        ErrorCode::IncompleteSignature))
        << signing_name(signing);
  }
  // Signed by hand without x-acs-date / without content-type / naming a header not sent.
  alibaba::V3SignOptions sign;
  sign.signed_headers_override = std::vector<std::string>{
      "host", "x-acs-action", "x-acs-content-sha256", "x-acs-signature-nonce", "x-acs-version"};
  EXPECT_TRUE(
      ali::is_error(send_v3("ListKeys", json::object(), sign), ErrorCode::IncompleteSignature));
  sign.signed_headers_override =
      std::vector<std::string>{"host",       "x-acs-action",          "x-acs-content-sha256",
                               "x-acs-date", "x-acs-signature-nonce", "x-acs-version"};
  EXPECT_TRUE(ali::is_error(send_v3("ListKeys", json::object(), sign, "PageSize=5",
                                    std::string(alibaba::kFormContentType)),
                            ErrorCode::IncompleteSignature));
  sign.signed_headers_override->push_back("x-acs-not-sent");
  EXPECT_TRUE(
      ali::is_error(send_v3("ListKeys", json::object(), sign), ErrorCode::IncompleteSignature));
  // The same request signing every header it sends goes through.
  sign.signed_headers_override.reset();
  auto accepted = send_v3("ListKeys", json::object(), sign);
  EXPECT_TRUE(accepted.ok()) << accepted.parsed.message;
}

TEST_F(AlibabaErrorsTest, SignatureDoesNotMatchWithAWrongSecret) {
  EXPECT_TRUE(provokes(ErrorCode::SignatureDoesNotMatch));  // V3
  auto wrong = make_client(kAliAccessKey, "not-the-right-secret");
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call_as(*wrong, "ListKeys", json::object(), with(signing)),
                              ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
  }
  // Refused before IAM: a restricted credential with a wrong secret is not NoPermission.
  auto restricted_wrong = make_client(kRestrictedAk, kAliSecret);
  EXPECT_TRUE(
      ali::is_error(call_as(*restricted_wrong, "CreateKey"), ErrorCode::SignatureDoesNotMatch));
  // The message never echoes the StringToSign (it would carry the request's Plaintext).
  auto r = call_as(*wrong, "Encrypt", {{"KeyId", kUnknownKeyId}, {"Plaintext", "c2VjcmV0"}},
                   with(AlibabaSigning::V1PopCore));
  EXPECT_EQ(r.parsed.message.find("c2VjcmV0"), std::string::npos) << r.parsed.message;
}

TEST_F(AlibabaErrorsTest, SignatureDoesNotMatchWithATamperedParameter) {
  std::string id = create_key();
  std::string other = create_key();
  const json params{{"KeyId", id}, {"Plaintext", "aGk="}};
  for (auto signing : kV1Signings) {
    // An operation parameter, a common one, and one added after signing.
    EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(signing, set_param("KeyId", other))),
                              ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
    EXPECT_TRUE(
        ali::is_error(call("Encrypt", params, with(signing, set_param("Plaintext", "aG8="))),
                      ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
    EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(signing, set_param("Format", "XML"))),
                              ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
    auto extra = [](HttpRequest& r) { r.raw_query += r.raw_query.empty() ? "A=1" : "&A=1"; };
    EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(signing, extra)),
                              ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
  }
  // V1 signs the method (§2.2 step 4).
  AlibabaCallOptions get =
      with(AlibabaSigning::V1PopCore, [](HttpRequest& r) { r.method = "POST"; });
  get.method = "GET";
  EXPECT_TRUE(
      ali::is_error(call("ListKeys", json::object(), get), ErrorCode::SignatureDoesNotMatch));
  // V3: a query parameter changed after signing.
  EXPECT_TRUE(
      ali::is_error(call("Encrypt", params, with(AlibabaSigning::V3, set_param("KeyId", other))),
                    ErrorCode::SignatureDoesNotMatch));
  // V3: a signed header changed after signing.
  EXPECT_TRUE(ali::is_error(
      call("Encrypt", params, with(AlibabaSigning::V3, set_header("x-acs-signature-nonce", "n2"))),
      ErrorCode::SignatureDoesNotMatch));
  // Nothing was encrypted under the other key by any of these.
  EXPECT_TRUE(call("Encrypt", params).ok());
}

TEST_F(AlibabaErrorsTest, SignatureDoesNotMatchWithATamperedBody) {
  std::string id = create_key();
  const json params{{"KeyId", id}, {"Plaintext", "aGk="}};
  auto change_body = [](HttpRequest& r) {
    auto at = r.body.find("aGk%3D");
    ASSERT_NE(at, std::string::npos) << r.body;
    r.body.replace(at, 6, "aG8%3D");
  };
  // V3 with a form body: the stated x-acs-content-sha256 no longer matches the body...
  EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(AlibabaSigning::V3FormBody, change_body)),
                            ErrorCode::SignatureDoesNotMatch));
  // ...and restating the hash does not help: the hash is signed.
  auto change_body_and_hash = [&](HttpRequest& r) {
    change_body(r);
    r.headers["x-acs-content-sha256"] = sha256_hex(r.body);
  };
  EXPECT_TRUE(
      ali::is_error(call("Encrypt", params, with(AlibabaSigning::V3FormBody, change_body_and_hash)),
                    ErrorCode::SignatureDoesNotMatch));
  // A body added to a V3 query-style request.
  auto add_body = [](HttpRequest& r) {
    r.body = "Plaintext=aG8%3D";
    r.headers["Content-Type"] = std::string(alibaba::kFormContentType);
  };
  EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(AlibabaSigning::V3, add_body)),
                            ErrorCode::IncompleteSignature));  // content-type now present, unsigned
  auto add_body_unlabelled = [](HttpRequest& r) { r.body = "Plaintext=aG8%3D"; };
  EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(AlibabaSigning::V3, add_body_unlabelled)),
                            ErrorCode::SignatureDoesNotMatch));
  // V1 pop-core carries everything in the body.
  EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(AlibabaSigning::V1PopCore, change_body)),
                            ErrorCode::SignatureDoesNotMatch));
  EXPECT_TRUE(ali::is_error(call("Encrypt", params, with(AlibabaSigning::V1Tea, change_body)),
                            ErrorCode::SignatureDoesNotMatch));
}

TEST_F(AlibabaErrorsTest, InvalidSignatureMethodForAnotherV1Scheme) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidSignatureMethod));  // HMAC-SHA256, pop-core
  for (auto signing : kV1Signings) {
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(),
                                   with(signing, set_param("SignatureMethod", "HMAC-SHA256"))),
                              ErrorCode::InvalidSignatureMethod,
                              {"SignatureMethod", "HMAC-SHA256"}))
        << signing_name(signing);
    EXPECT_TRUE(ali::is_error(
        call("ListKeys", json::object(), with(signing, set_param("SignatureVersion", "2.0"))),
        ErrorCode::InvalidSignatureMethod, {"SignatureVersion", "2.0"}))
        << signing_name(signing);
  }
  // Case matters, and long values are cut when quoted back.
  EXPECT_TRUE(ali::is_error(
      call("ListKeys", json::object(),
           with(AlibabaSigning::V1PopCore, set_param("SignatureMethod", "hmac-sha1"))),
      ErrorCode::InvalidSignatureMethod, {"SignatureMethod", "hmac-sha1"}));
  EXPECT_TRUE(ali::is_error(
      call("ListKeys", json::object(),
           with(AlibabaSigning::V1PopCore, set_param("SignatureMethod", std::string(100, 'M')))),
      ErrorCode::InvalidSignatureMethod, {"SignatureMethod", std::string(64, 'M')}));
}

TEST_F(AlibabaErrorsTest, InvalidTimeStampExpiredBothWaysWithV1AndV3) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidTimeStampExpired));  // 901 s ahead, V3
  // On a whole second, so the second-precision timestamps hit the window's edges exactly.
  clock_->set(std::chrono::floor<seconds>(clock_->now()));
  for (auto signing : kAllSignings) {
    for (seconds offset :
         {seconds(901), -seconds(901), seconds(hours(24)), -seconds(hours(24 * 365))}) {
      AlibabaCallOptions options = with(signing);
      options.timestamp = iso8601_utc(clock_->now() + offset);
      EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), options),
                                ErrorCode::InvalidTimeStampExpired))
          << signing_name(signing) << " " << offset.count() << " s";
    }
    // Inside the ±15 min window (§2.6), edges included, the same request is fine.
    for (seconds offset : {seconds(840), -seconds(840), seconds(900), -seconds(900)}) {
      AlibabaCallOptions options = with(signing);
      options.timestamp = iso8601_utc(clock_->now() + offset);
      auto r = call("ListKeys", json::object(), options);
      EXPECT_TRUE(r.ok()) << signing_name(signing) << " " << offset.count()
                          << " s: " << r.parsed.message;
    }
  }
}

TEST_F(AlibabaErrorsTest, InvalidTimeStampFormatWithV1AndV3) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidTimeStampFormat));
  for (auto signing : kAllSignings) {
    for (const char* text : {"2024-05-01 12:34:56", "2024-05-01T12:34:56.123Z",
                             "2024-05-01T12:34:56+08:00", "2024-05-01T12:34:56", "1714566896",
                             "Wed, 01 May 2024 12:34:56 GMT", "2024-13-01T12:34:56Z"}) {
      AlibabaCallOptions options = with(signing);
      options.timestamp = text;
      EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), options),
                                ErrorCode::InvalidTimeStampFormat))
          << signing_name(signing) << " " << text;
    }
  }
}

TEST_F(LegacyTimestampCodeTest, IllegalTimestampForExpiredAndMalformedTimestamps) {
  EXPECT_TRUE(provokes(ErrorCode::IllegalTimestamp));  // 16 min old, V3
  for (auto signing : kAllSignings) {
    AlibabaCallOptions expired = with(signing);
    expired.timestamp = iso8601_utc(clock_->now() - minutes(16));
    EXPECT_TRUE(
        ali::is_error(call("ListKeys", json::object(), expired), ErrorCode::IllegalTimestamp))
        << signing_name(signing);
    AlibabaCallOptions malformed = with(signing);
    malformed.timestamp = "2024-05-01 12:34:56";
    EXPECT_TRUE(
        ali::is_error(call("ListKeys", json::object(), malformed), ErrorCode::IllegalTimestamp))
        << signing_name(signing);
    EXPECT_TRUE(call("ListKeys", json::object(), with(signing)).ok()) << signing_name(signing);
  }
}

TEST_F(AlibabaErrorsTest, SignatureNonceUsed) {
  EXPECT_TRUE(provokes(ErrorCode::SignatureNonceUsed));
  for (auto signing : kAllSignings) {
    AlibabaCallOptions options = with(signing);
    options.nonce = std::string("errors-test-nonce-") + signing_name(signing);
    ASSERT_TRUE(call("ListKeys", json::object(), options).ok());
    // A different request under the same nonce is a replay too.
    EXPECT_TRUE(ali::is_error(call("DescribeRegions", json::object(), options),
                              ErrorCode::SignatureNonceUsed))
        << signing_name(signing);
  }
}

TEST_F(AlibabaErrorsTest, InvalidVersion) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidVersion));  // 2016-01-21, V1
  for (const char* version : {"2016-01-21", "2014-05-26", "20160120"}) {
    alibaba::V1SignOptions v1;
    v1.version = version;
    EXPECT_TRUE(ali::is_error(send_v1("ListKeys", json::object(), v1), ErrorCode::InvalidVersion))
        << version;
    alibaba::V3SignOptions v3;
    v3.version = version;
    EXPECT_TRUE(ali::is_error(send_v3("ListKeys", json::object(), v3), ErrorCode::InvalidVersion))
        << version;
  }
}

TEST_F(AlibabaErrorsTest, InvalidActionNotFound) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidActionNotFound));
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call("NoSuchAction", json::object(), with(signing)),
                              ErrorCode::InvalidActionNotFound))
        << signing_name(signing);
    // A secrets action of the same API version (§3.10) is not served by this KMS.
    EXPECT_TRUE(ali::is_error(
        call("CreateSecret", {{"SecretName", "s1"}, {"SecretData", "v"}, {"VersionId", "v1"}},
             with(signing)),
        ErrorCode::InvalidActionNotFound))
        << signing_name(signing);
  }
  // Action names are case-sensitive; the handler table is not consulted for a near miss.
  EXPECT_TRUE(ali::is_error(call("describekey", {{"KeyId", kUnknownKeyId}}),
                            ErrorCode::InvalidActionNotFound));
  EXPECT_TRUE(ali::is_error(call("GetSecretValue", {{"SecretName", "s1"}}),
                            ErrorCode::InvalidActionNotFound));
}

TEST_F(AlibabaErrorsTest, UnsupportedHttpMethod) {
  // §1.1: GET and POST only; §2.5 UnsupportedHTTPMethod 403. The method is checked before the
  // signature, so even a correctly signed V1 request (whose StringToSign names the method) and
  // a V3 one are refused.
  EXPECT_TRUE(provokes(ErrorCode::UnsupportedHTTPMethod));  // PUT, pop-core
  for (const char* method : {"PUT", "DELETE", "PATCH"}) {
    for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V3FormBody}) {
      AlibabaCallOptions options = with(signing);
      options.method = method;
      EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), options),
                                ErrorCode::UnsupportedHTTPMethod))
          << method << " " << signing_name(signing);
    }
  }
  AlibabaCallOptions get = with(AlibabaSigning::V1PopCore);
  get.method = "GET";
  EXPECT_TRUE(call("ListKeys", json::object(), get).ok());
}

TEST_F(AlibabaErrorsTest, MissingSecurityTokenForAnStsAccessKey) {
  EXPECT_TRUE(provokes(ErrorCode::MissingSecurityToken));
  auto no_token = make_client(kStsAk, kStsSk);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call_as(*no_token, "ListKeys", json::object(), with(signing)),
                              ErrorCode::MissingSecurityToken))
        << signing_name(signing);
  }
  // Empty counts as missing.
  auto empty = call_as(*no_token, "ListKeys", json::object(),
                       with(AlibabaSigning::V3, set_header("x-acs-security-token", "")));
  EXPECT_TRUE(ali::is_error(empty, ErrorCode::IncompleteSignature) ||
              ali::is_error(empty, ErrorCode::MissingSecurityToken))
      << empty.parsed.error_code.value_or("") << " " << empty.parsed.message;
}

TEST_F(AlibabaErrorsTest, InvalidSecurityTokenMismatchWithAccessKey) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidSecurityTokenMismatchWithAccessKey));
  auto wrong = make_client(kStsAk, kStsSk, "CAISnotthetokenofthiskey=");
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call_as(*wrong, "ListKeys", json::object(), with(signing)),
                              ErrorCode::InvalidSecurityTokenMismatchWithAccessKey))
        << signing_name(signing);
  }
  auto right = make_client(kStsAk, kStsSk, kStsToken);
  for (auto signing : kAllSignings) {
    auto r = call_as(*right, "ListKeys", json::object(), with(signing));
    EXPECT_TRUE(r.ok()) << signing_name(signing) << ": " << r.parsed.message;
  }
  // The token is signed: changing it after signing is a signature mismatch.
  EXPECT_TRUE(
      ali::is_error(call_as(*right, "ListKeys", json::object(),
                            with(AlibabaSigning::V1PopCore, set_param("SecurityToken", "x"))),
                    ErrorCode::SignatureDoesNotMatch));
  EXPECT_TRUE(
      ali::is_error(call_as(*right, "ListKeys", json::object(),
                            with(AlibabaSigning::V3, set_header("x-acs-security-token", "x"))),
                    ErrorCode::SignatureDoesNotMatch));
}

TEST_F(AlibabaErrorsTest, ForbiddenNoPermissionOutsideAllowedActions) {
  EXPECT_TRUE(provokes(ErrorCode::ForbiddenNoPermission));
  std::string id = create_key();
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(
        call_as(*restricted, "Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}}, with(signing)),
        ErrorCode::ForbiddenNoPermission))
        << signing_name(signing);
  }
  EXPECT_TRUE(ali::is_error(
      call_as(*restricted, "ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}}),
      ErrorCode::ForbiddenNoPermission));
  // The refused call changed nothing; the allowed actions of the same credential go through.
  auto described = call_as(*restricted, "DescribeKey", {{"KeyId", id}});
  ASSERT_TRUE(described.ok()) << described.parsed.message;
  EXPECT_EQ(described.body()["KeyMetadata"]["KeyState"], "Enabled");
  EXPECT_TRUE(call_as(*restricted, "ListKeys").ok());
}

TEST_F(AlibabaErrorsTest, ForbiddenKmsServiceNotEnabledForAClosedAccount) {
  EXPECT_TRUE(provokes(ErrorCode::ForbiddenKmsServiceNotEnabled));
  auto closed = make_client(kClosedAk, kClosedSk);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call_as(*closed, "ListKeys", json::object(), with(signing)),
                              ErrorCode::ForbiddenKmsServiceNotEnabled))
        << signing_name(signing);
  }
  EXPECT_TRUE(
      ali::is_error(call_as(*closed, "CreateKey"), ErrorCode::ForbiddenKmsServiceNotEnabled));
  EXPECT_TRUE(
      ali::is_error(call_as(*closed, "DescribeRegions"), ErrorCode::ForbiddenKmsServiceNotEnabled));
  // The one action that reports the status still answers, with NotEnabled (§3.9).
  auto status = call_as(*closed, "DescribeAccountKmsStatus");
  ASSERT_TRUE(status.ok()) << status.parsed.message;
  EXPECT_EQ(status.body().value("AccountStatus", ""), "NotEnabled");
  EXPECT_EQ(ok("DescribeAccountKmsStatus").value("AccountStatus", ""), "Enabled");
}

TEST_F(ThrottledErrorsTest, RejectedThrottling) {
  EXPECT_TRUE(provokes(ErrorCode::RejectedThrottling));  // the pool's one token is spent
  std::string id = create_key();
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(
        ali::is_error(call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}}, with(signing)),
                      ErrorCode::RejectedThrottling))
        << signing_name(signing);
  }
}

}  // namespace
}  // namespace kmsconf::testing::ali_errors
