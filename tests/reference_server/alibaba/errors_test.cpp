// Every error of the Alibaba catalog (protocol/alibaba/errors.hpp; spec §1.5, §2.5, §3.0, §5)
// that a client can provoke, provoked over HTTP and checked against the catalog: HTTP status,
// Code, the formatted Message, RequestId (and the x-acs-request-id header repeating it), HostId
// and the Recommend URL naming the code and the request id. The seed page's table (DescribeKey:
// InvalidParameter, Forbidden.KeyNotFound, Forbidden.AliasNotFound, InvalidAccessKeyId.NotFound)
// is covered code by code. Codes a correct reference server never sends are asserted as catalog
// entries with the spec's status. The last part feeds the server bad input and checks it never
// answers 500 or dies.
#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/alibaba/signer.hpp"
#include "protocol/digest.hpp"
#include "reference_server/alibaba/adapter.hpp"
#include "reference_server/pipeline.hpp"
#include "tests/reference_server/alibaba/client_crypto.hpp"
#include "tests/reference_server/alibaba/error_support.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {
namespace {

using alibaba::ErrorCode;
using client::AlibabaCallOptions;
using client::AlibabaSigning;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kRestrictedAk = "LTAIrestrictedkey0001";
constexpr const char* kRestrictedSk = "restricted-secret-for-errors";
constexpr const char* kClosedAk = "LTAIclosedaccount0001";
constexpr const char* kClosedSk = "closed-account-secret";
constexpr const char* kClosedAccount = "1540355698849999";
constexpr const char* kStsAk = "STS.NUgYrLnoC37mZZCNnAbez";
constexpr const char* kStsSk = "sts-secret-for-errors";
constexpr const char* kStsToken = "CAISzQJ1q6Ft5B2yfSjIr5bkEvvBq+tT0Lo=";
constexpr const char* kUnknownKeyId = "0b7c5c0e-1111-4222-8333-944455556666";

constexpr std::array kAllSignings{AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea,
                                  AlibabaSigning::V3, AlibabaSigning::V3FormBody};
constexpr std::array kV1Signings{AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea};
constexpr std::array kV3Signings{AlibabaSigning::V3, AlibabaSigning::V3FormBody};

const char* signing_name(AlibabaSigning signing) {
  switch (signing) {
    case AlibabaSigning::V1PopCore:
      return "V1PopCore";
    case AlibabaSigning::V1Tea:
      return "V1Tea";
    case AlibabaSigning::V3:
      return "V3";
    case AlibabaSigning::V3FormBody:
      return "V3FormBody";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Which catalog entries this file provokes, and which are catalog entries only.

// Emitted by the reference server; each has at least one test below that provokes it over HTTP.
const std::vector<ErrorCode>& provokable() {
  static const std::vector<ErrorCode> codes{
      ErrorCode::MissingParameter,
      ErrorCode::InvalidParameter,
      ErrorCode::IncompleteSignature,
      ErrorCode::SignatureDoesNotMatch,
      ErrorCode::InvalidSignatureMethod,
      ErrorCode::InvalidTimeStampExpired,
      ErrorCode::InvalidTimeStampFormat,
      ErrorCode::IllegalTimestamp,
      ErrorCode::SignatureNonceUsed,
      ErrorCode::InvalidVersion,
      ErrorCode::InvalidActionNotFound,
      ErrorCode::InvalidAccessKeyIdNotFound,
      ErrorCode::MissingSecurityToken,
      ErrorCode::InvalidSecurityTokenMismatchWithAccessKey,
      ErrorCode::RejectedThrottling,
      ErrorCode::UnsupportedHTTPMethod,
      ErrorCode::ForbiddenNoPermission,
      ErrorCode::RejectedLimitExceeded,
      ErrorCode::RejectedUnsupportedOperation,
      ErrorCode::AliasAlreadyExists,
      ErrorCode::InvalidKeyMaterial,
      ErrorCode::InvalidImportToken,
      ErrorCode::ExpiredImportToken,
      ErrorCode::UnsupportedOrigin,
      ErrorCode::ForbiddenKmsServiceNotEnabled,
      ErrorCode::ForbiddenKeyNotFound,
      ErrorCode::ForbiddenKeyVersionNotFound,
      ErrorCode::ForbiddenAliasNotFound,
      ErrorCode::RejectedDisabled,
      ErrorCode::RejectedPendingDeletion,
      ErrorCode::RejectedPendingImport,
      ErrorCode::RejectedStateModifiedFailed,
      ErrorCode::InternalFailure,  // through the test-only fault hook
      ErrorCode::DryRunOperationError,
      ErrorCode::ValidationError,
      ErrorCode::AccessDeniedError,
  };
  return codes;
}

// Codes the reference server never sends, with the status the spec gives them (§2.5, §5, §3.9)
// and why no request can provoke them here.
struct CatalogOnly {
  ErrorCode code;
  int spec_status;
  const char* why;
};
const std::vector<CatalogOnly>& catalog_only() {
  static const std::vector<CatalogOnly> codes{
      {ErrorCode::InvalidAccessKeyIdInactive, 400, "credentials have no active/inactive flag"},
      {ErrorCode::ForbiddenAccessKey, 403, "credentials have no enabled/disabled flag"},
      {ErrorCode::InvalidSecurityTokenExpired, 400, "STS tokens carry no expiry here"},
      {ErrorCode::InvalidSecurityTokenMalformed, 400, "tokens are opaque strings compared whole"},
      {ErrorCode::ContentMD5NotMatched, 400,
       "ROA only; a V3 body-hash mismatch is SignatureDoesNotMatch"},
      {ErrorCode::Throttling, 400, "KMS quotas answer Rejected.Throttling 429"},
      {ErrorCode::ThrottlingUser, 400, "no gateway-level flow control besides the KMS quotas"},
      {ErrorCode::ThrottlingApi, 400, "no gateway-level flow control besides the KMS quotas"},
      {ErrorCode::ParseRequestParameterException, 400, "bad values are InvalidParameter"},
      {ErrorCode::UnsupportedAlias, 400, "every alias is valid in every region here"},
      {ErrorCode::UnsupportedProtectionLevel, 400, "SOFTWARE and HSM are both served"},
      {ErrorCode::ForbiddenInDebt, 403, "no billing"},
      {ErrorCode::ForbiddenInDebtOverdue, 403, "no billing"},
      {ErrorCode::ForbiddenProhibitedByRiskControl, 403, "no risk control"},
      {ErrorCode::ForbiddenUbsmsInvalidUserid, 403, "no account service"},
      {ErrorCode::ForbiddenUbsmsInvalidBid, 403, "no account service"},
      {ErrorCode::RejectedEnabled, 409, "§4.2: no documented operation refuses an Enabled key"},
      {ErrorCode::ServiceUnavailableTemporary, 503, "the in-process server is never unavailable"},
      {ErrorCode::CreateLXOrderFailed, 400, "OpenKmsService is not served"},
      {ErrorCode::ForbiddenNoRealNameAuthentication, 400, "OpenKmsService is not served"},
      {ErrorCode::ForbiddenOpened, 400, "OpenKmsService is not served"},
  };
  return codes;
}

std::set<ErrorCode>& seen() {
  static std::set<ErrorCode> codes;
  return codes;
}

// ali::is_error, and on success records that the code was provoked over HTTP.
template <typename Response>
::testing::AssertionResult provoked(const Response& response, ErrorCode code,
                                    const std::vector<std::string>& args = {}) {
  auto result = ali::is_error(response, code, args);
  if (result) seen().insert(code);
  return result;
}

// After an unfiltered run, every provokable code must have been provoked by some test.
class ProvokedEverything : public ::testing::Environment {
 public:
  void TearDown() override {
    if (std::string(GTEST_FLAG_GET(filter)) != "*") return;  // a partial run proves nothing
    for (ErrorCode code : provokable()) {
      EXPECT_TRUE(seen().count(code))
          << alibaba::error_info(code).name << " is listed as provokable but no test provoked it";
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kProvokedEverything =
    ::testing::AddGlobalTestEnvironment(new ProvokedEverything);

TEST(AlibabaErrorCatalogPartitionTest, EveryCatalogEntryIsProvokedOrDocumentedAsCatalogOnly) {
  std::multiset<ErrorCode> listed(provokable().begin(), provokable().end());
  for (const auto& entry : catalog_only()) listed.insert(entry.code);
  for (const alibaba::ErrorInfo& info : alibaba::all_errors()) {
    EXPECT_EQ(listed.count(info.code), 1u) << info.name << " must be in exactly one list";
  }
  EXPECT_EQ(listed.size(), alibaba::all_errors().size());
}

TEST(AlibabaErrorCatalogPartitionTest, CatalogOnlyCodesExistWithTheSpecStatus) {
  for (const auto& entry : catalog_only()) {
    const auto& info = alibaba::error_info(entry.code);
    EXPECT_EQ(info.http_status, entry.spec_status) << info.name << " (" << entry.why << ")";
    EXPECT_FALSE(info.wire_code.empty()) << info.name;
    EXPECT_FALSE(info.message_template.empty()) << info.name;
    EXPECT_EQ(alibaba::error_code_from_wire(info.wire_code), entry.code) << info.name;
  }
  // The misspellings of older pages (§5) are recognised, never emitted.
  EXPECT_EQ(alibaba::error_code_from_wire("SerivceUnavailableTemporary"),
            ErrorCode::ServiceUnavailableTemporary);
  EXPECT_EQ(alibaba::error_code_from_wire("Rejetced.PendingDeletion"),
            ErrorCode::RejectedPendingDeletion);
}

// ---------------------------------------------------------------------------------------------
// Request surgery: hooks run on a signed request before it is sent.

using Hook = std::function<void(HttpRequest&)>;

// Rewrites one parameter wherever it sits (query and form body); nullopt removes it.
Hook set_param(std::string name, std::optional<std::string> value) {
  return [name, value](HttpRequest& r) {
    bool found = false;
    for (std::string* text : {&r.raw_query, &r.body}) {
      if (text->empty()) continue;
      auto pairs = parse_query(*text);
      ASSERT_TRUE(pairs.has_value()) << *text;
      QueryPairs kept;
      for (auto& [key, current] : *pairs) {
        if (key != name) {
          kept.emplace_back(key, current);
          continue;
        }
        found = true;
        if (value) kept.emplace_back(key, *value);
      }
      *text = build_query(kept);
    }
    ASSERT_TRUE(found) << name << " is not in the signed request";
  };
}

Hook set_header(std::string name, std::string value) {
  return [name, value](HttpRequest& r) { r.headers[name] = value; };
}

Hook erase_header(std::string name) {
  return [name](HttpRequest& r) { ASSERT_EQ(r.headers.erase(name), 1u) << name; };
}

AlibabaCallOptions with(AlibabaSigning signing, Hook hook = {}) {
  AlibabaCallOptions options;
  options.signing = signing;
  options.after_signing = std::move(hook);
  return options;
}

// ---------------------------------------------------------------------------------------------
// Fixture: the default credential plus a restricted one, one of a closed account and an STS one.

class AlibabaErrorsTest : public AlibabaServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add(
        {kRestrictedAk, kRestrictedSk, kAliAccount, {"DescribeKey", "ListKeys"}, ""});
    options.credentials.add({kClosedAk, kClosedSk, kClosedAccount, {"*"}, ""});
    options.credentials.set_account(kClosedAccount, server::AccountSettings{false});
    options.credentials.add({kStsAk, kStsSk, kAliAccount, {"*"}, kStsToken});
  }

  client::AlibabaCallResult call_as(client::AlibabaClient& client, const std::string& action,
                                    const json& params = json::object(),
                                    AlibabaCallOptions options = {}) {
    return client.call(action, params, at_server_time(std::move(options)));
  }

  client::Endpoint endpoint() const { return *client::Endpoint::parse(server_->endpoint()); }

  // A V1 request signed by hand (pop-core layout), for what the client never sends.
  client::AlibabaCallResult send_v1(const std::string& action, const json& params,
                                    alibaba::V1SignOptions sign) {
    client::AlibabaCallResult out;
    out.request.method = "POST";
    out.request.headers["Host"] = endpoint().host_header();
    QueryPairs pairs;
    for (const auto& [name, value] : params.items()) pairs.emplace_back(name, value);
    out.request.body = build_query(pairs);
    sign.action = action;
    if (sign.timestamp.empty()) sign.timestamp = iso8601_utc(clock_->now());
    alibaba::sign_v1(out.request, {kAliAccessKey, kAliSecret, ""}, sign);
    return finish(std::move(out));
  }

  // A V3 request (operation params in the query) signed by hand.
  client::AlibabaCallResult send_v3(const std::string& action, const json& params,
                                    alibaba::V3SignOptions sign, const std::string& body = "",
                                    const std::string& content_type = "") {
    client::AlibabaCallResult out;
    out.request.method = "POST";
    out.request.headers["Host"] = endpoint().host_header();
    QueryPairs pairs;
    for (const auto& [name, value] : params.items()) pairs.emplace_back(name, value);
    out.request.raw_query = build_query(pairs);
    out.request.body = body;
    if (!content_type.empty()) out.request.headers["Content-Type"] = content_type;
    sign.action = action;
    if (sign.date.empty()) sign.date = iso8601_utc(clock_->now());
    alibaba::sign_v3(out.request, {kAliAccessKey, kAliSecret, ""}, sign);
    return finish(std::move(out));
  }

  client::AlibabaCallResult finish(client::AlibabaCallResult out) {
    out.response = client_->http().send(out.request);
    out.parsed = ali::envelope_of(out.response);
    return out;
  }

  std::string key_state(const std::string& id) {
    return ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"].value("KeyState", "");
  }

  std::string external_key() { return create_key({{"Origin", "EXTERNAL"}}); }

  // GetParametersForImport: {ImportToken, wrapping public key DER}.
  std::pair<std::string, std::string> import_parameters(const std::string& id) {
    json p = ok("GetParametersForImport", {{"KeyId", id},
                                           {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                           {"WrappingKeySpec", "RSA_2048"}});
    return {p.value("ImportToken", ""), base64_decode(p.value("PublicKey", "")).value_or("")};
  }

  client::AlibabaCallResult import(const std::string& id, const std::string& token,
                                   const std::string& encrypted_material) {
    return call("ImportKeyMaterial", {{"KeyId", id},
                                      {"ImportToken", token},
                                      {"EncryptedKeyMaterial", base64_encode(encrypted_material)}});
  }

  std::string first_version(const std::string& id) {
    json versions = ok("ListKeyVersions", {{"KeyId", id}});
    return versions["KeyVersions"]["KeyVersion"][0].value("KeyVersionId", "");
  }
};

// ---------------------------------------------------------------------------------------------
// The seed's table (DescribeKey), code by code.

TEST_F(AlibabaErrorsTest, DescribeKeyInvalidParameter) {
  // An over-long KeyId, and an ARN that names no key.
  EXPECT_TRUE(provoked(call("DescribeKey", {{"KeyId", std::string(513, 'k')}}),
                       ErrorCode::InvalidParameter, {"KeyId"}));
  EXPECT_TRUE(provoked(call("DescribeKey", {{"KeyId", "acs:kms:cn-hangzhou:1540355698840000:x"}}),
                       ErrorCode::InvalidParameter, {"KeyId"}));
}

TEST_F(AlibabaErrorsTest, DescribeKeyForbiddenKeyNotFound) {
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call("DescribeKey", {{"KeyId", kUnknownKeyId}}, with(signing)),
                         ErrorCode::ForbiddenKeyNotFound))
        << signing_name(signing);
  }
  // As an ARN (§3.0), and a key whose deletion window has passed (§4.1).
  std::string arn = std::string("acs:kms:cn-hangzhou:") + kAliAccount + ":key/" + kUnknownKeyId;
  EXPECT_TRUE(provoked(call("DescribeKey", {{"KeyId", arn}}), ErrorCode::ForbiddenKeyNotFound));
  std::string id = create_key();
  json blob = ok("Encrypt", {{"KeyId", id}, {"Plaintext", base64_encode("gone soon")}});
  ok("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  clock_->advance(hours(24 * 7) + seconds(1));
  EXPECT_TRUE(provoked(call("DescribeKey", {{"KeyId", id}}), ErrorCode::ForbiddenKeyNotFound));
  EXPECT_TRUE(provoked(call("Decrypt", {{"CiphertextBlob", blob["CiphertextBlob"]}}),
                       ErrorCode::ForbiddenKeyNotFound));
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", kUnknownKeyId}, {"Plaintext", "aGk="}}),
                       ErrorCode::ForbiddenKeyNotFound));
}

TEST_F(AlibabaErrorsTest, DescribeKeyForbiddenAliasNotFound) {
  EXPECT_TRUE(provoked(call("DescribeKey", {{"KeyId", "alias/nobody-has-this"}}),
                       ErrorCode::ForbiddenAliasNotFound));
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", "alias/nobody-has-this"}, {"Plaintext", "aGk="}}),
                       ErrorCode::ForbiddenAliasNotFound));
  EXPECT_TRUE(provoked(call("DeleteAlias", {{"AliasName", "alias/nobody-has-this"}}),
                       ErrorCode::ForbiddenAliasNotFound));
  std::string id = create_key();
  EXPECT_TRUE(provoked(call("UpdateAlias", {{"AliasName", "alias/nobody-has-this"}, {"KeyId", id}}),
                       ErrorCode::ForbiddenAliasNotFound));
}

TEST_F(AlibabaErrorsTest, DescribeKeyInvalidAccessKeyIdNotFound) {
  auto stranger = make_client("LTAInobodyknowsme0001", kAliSecret);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(
        provoked(call_as(*stranger, "DescribeKey", {{"KeyId", kUnknownKeyId}}, with(signing)),
                 ErrorCode::InvalidAccessKeyIdNotFound))
        << signing_name(signing);
  }
}

// ---------------------------------------------------------------------------------------------
// Gateway codes (§2.5), in the verification order of signer.hpp.

TEST_F(AlibabaErrorsTest, MissingParameterOfAnOperation) {
  EXPECT_TRUE(provoked(call("DescribeKey"), ErrorCode::MissingParameter, {"KeyId"}));
  std::string id = create_key();
  EXPECT_TRUE(
      provoked(call("Encrypt", {{"KeyId", id}}), ErrorCode::MissingParameter, {"Plaintext"}));
  EXPECT_TRUE(provoked(call("ScheduleKeyDeletion", {{"KeyId", id}}), ErrorCode::MissingParameter,
                       {"PendingWindowInDays"}));
  EXPECT_TRUE(
      provoked(call("CreateAlias", {{"KeyId", id}}), ErrorCode::MissingParameter, {"AliasName"}));
  EXPECT_TRUE(provoked(call("Decrypt"), ErrorCode::MissingParameter, {"CiphertextBlob"}));
}

TEST_F(AlibabaErrorsTest, MissingParameterOfTheV1CommonParameters) {
  for (auto signing : kV1Signings) {
    for (const char* name : {"Action", "Version", "AccessKeyId", "Signature", "SignatureMethod",
                             "SignatureVersion", "Timestamp", "SignatureNonce"}) {
      EXPECT_TRUE(provoked(call("ListKeys", json::object(), with(signing, set_param(name, {}))),
                           ErrorCode::MissingParameter, {name}))
          << signing_name(signing) << " without " << name;
      // Present but empty counts as missing.
      EXPECT_TRUE(provoked(call("ListKeys", json::object(), with(signing, set_param(name, ""))),
                           ErrorCode::MissingParameter, {name}))
          << signing_name(signing) << " with an empty " << name;
    }
  }
}

TEST_F(AlibabaErrorsTest, MissingParameterOfTheV3Headers) {
  for (auto signing : kV3Signings) {
    for (const char* name : {"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                             "x-acs-content-sha256"}) {
      EXPECT_TRUE(provoked(call("ListKeys", json::object(), with(signing, erase_header(name))),
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
    EXPECT_TRUE(provoked(call(c.action, c.params), ErrorCode::InvalidParameter, {c.parameter}))
        << c.action << " " << c.params.dump();
  }
}

TEST_F(AlibabaErrorsTest, InvalidParameterForAFormatOtherThanJsonOrXml) {
  for (auto signing : kV1Signings) {
    AlibabaCallOptions options = with(signing);
    options.format = "YAML";
    EXPECT_TRUE(provoked(call("ListKeys", json::object(), options), ErrorCode::InvalidParameter,
                         {"Format"}))
        << signing_name(signing);
    options.format = "json";  // any letter case of JSON is fine (§1.1)
    EXPECT_TRUE(call("ListKeys", json::object(), options).ok()) << signing_name(signing);
  }
}

TEST_F(AlibabaErrorsTest, IncompleteSignatureForOtherAuthorizationSchemes) {
  for (const char* value :
       {"Bearer abc", "Basic dXNlcjpwYXNz", "ACS4-HMAC-SHA256 Credential=a/b,Signature=ab",
        "ACS3-HMAC-SM3 Credential=LTAItestaccesskey0001,SignedHeaders=host,Signature=ab",
        "ACS3-RSA-SHA256 Credential=LTAItestaccesskey0001,SignedHeaders=host,Signature=ab"}) {
    EXPECT_TRUE(provoked(call("ListKeys", json::object(),
                              with(AlibabaSigning::V3, set_header("Authorization", value))),
                         ErrorCode::IncompleteSignature))
        << value;
    // An Authorization header on an otherwise valid V1 request is not ignored.
    EXPECT_TRUE(provoked(call("ListKeys", json::object(),
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
    EXPECT_TRUE(provoked(call("ListKeys", json::object(),
                              with(AlibabaSigning::V3, set_header("Authorization", value))),
                         ErrorCode::IncompleteSignature))
        << value;
  }
}

TEST_F(AlibabaErrorsTest, IncompleteSignatureForAnUnsignedXAcsHeader) {
  // §2.3: host, content-type and every x-acs-* header must be signed.
  for (auto signing : kV3Signings) {
    EXPECT_TRUE(
        provoked(call("ListKeys", json::object(), with(signing, set_header("x-acs-extra", "1"))),
                 ErrorCode::IncompleteSignature))
        << signing_name(signing);
  }
  // Signed by hand without x-acs-date / without content-type / naming a header not sent.
  alibaba::V3SignOptions sign;
  sign.signed_headers_override = std::vector<std::string>{
      "host", "x-acs-action", "x-acs-content-sha256", "x-acs-signature-nonce", "x-acs-version"};
  EXPECT_TRUE(provoked(send_v3("ListKeys", json::object(), sign), ErrorCode::IncompleteSignature));
  sign.signed_headers_override =
      std::vector<std::string>{"host",       "x-acs-action",          "x-acs-content-sha256",
                               "x-acs-date", "x-acs-signature-nonce", "x-acs-version"};
  EXPECT_TRUE(provoked(send_v3("ListKeys", json::object(), sign, "PageSize=5",
                               std::string(alibaba::kFormContentType)),
                       ErrorCode::IncompleteSignature));
  sign.signed_headers_override->push_back("x-acs-not-sent");
  EXPECT_TRUE(provoked(send_v3("ListKeys", json::object(), sign), ErrorCode::IncompleteSignature));
  // The same request signing every header it sends goes through.
  sign.signed_headers_override.reset();
  auto accepted = send_v3("ListKeys", json::object(), sign);
  EXPECT_TRUE(accepted.ok()) << accepted.parsed.message;
}

TEST_F(AlibabaErrorsTest, SignatureDoesNotMatchWithAWrongSecret) {
  auto wrong = make_client(kAliAccessKey, "not-the-right-secret");
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call_as(*wrong, "ListKeys", json::object(), with(signing)),
                         ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
  }
  // Refused before IAM: a restricted credential with a wrong secret is not NoPermission.
  auto restricted_wrong = make_client(kRestrictedAk, kAliSecret);
  EXPECT_TRUE(provoked(call_as(*restricted_wrong, "CreateKey"), ErrorCode::SignatureDoesNotMatch));
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
    EXPECT_TRUE(provoked(call("Encrypt", params, with(signing, set_param("KeyId", other))),
                         ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
    EXPECT_TRUE(provoked(call("Encrypt", params, with(signing, set_param("Plaintext", "aG8="))),
                         ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
    EXPECT_TRUE(provoked(call("Encrypt", params, with(signing, set_param("Format", "XML"))),
                         ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
    auto extra = [](HttpRequest& r) { r.raw_query += r.raw_query.empty() ? "A=1" : "&A=1"; };
    EXPECT_TRUE(
        provoked(call("Encrypt", params, with(signing, extra)), ErrorCode::SignatureDoesNotMatch))
        << signing_name(signing);
  }
  // V1 signs the method (§2.2 step 4).
  AlibabaCallOptions get =
      with(AlibabaSigning::V1PopCore, [](HttpRequest& r) { r.method = "POST"; });
  get.method = "GET";
  EXPECT_TRUE(provoked(call("ListKeys", json::object(), get), ErrorCode::SignatureDoesNotMatch));
  // V3: a query parameter changed after signing.
  EXPECT_TRUE(provoked(call("Encrypt", params, with(AlibabaSigning::V3, set_param("KeyId", other))),
                       ErrorCode::SignatureDoesNotMatch));
  // V3: a signed header changed after signing.
  EXPECT_TRUE(provoked(
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
  EXPECT_TRUE(provoked(call("Encrypt", params, with(AlibabaSigning::V3FormBody, change_body)),
                       ErrorCode::SignatureDoesNotMatch));
  // ...and restating the hash does not help: the hash is signed.
  auto change_body_and_hash = [&](HttpRequest& r) {
    change_body(r);
    r.headers["x-acs-content-sha256"] = sha256_hex(r.body);
  };
  EXPECT_TRUE(
      provoked(call("Encrypt", params, with(AlibabaSigning::V3FormBody, change_body_and_hash)),
               ErrorCode::SignatureDoesNotMatch));
  // A body added to a V3 query-style request.
  auto add_body = [](HttpRequest& r) {
    r.body = "Plaintext=aG8%3D";
    r.headers["Content-Type"] = std::string(alibaba::kFormContentType);
  };
  EXPECT_TRUE(provoked(call("Encrypt", params, with(AlibabaSigning::V3, add_body)),
                       ErrorCode::IncompleteSignature));  // content-type now present, unsigned
  auto add_body_unlabelled = [](HttpRequest& r) { r.body = "Plaintext=aG8%3D"; };
  EXPECT_TRUE(provoked(call("Encrypt", params, with(AlibabaSigning::V3, add_body_unlabelled)),
                       ErrorCode::SignatureDoesNotMatch));
  // V1 pop-core carries everything in the body.
  EXPECT_TRUE(provoked(call("Encrypt", params, with(AlibabaSigning::V1PopCore, change_body)),
                       ErrorCode::SignatureDoesNotMatch));
  EXPECT_TRUE(provoked(call("Encrypt", params, with(AlibabaSigning::V1Tea, change_body)),
                       ErrorCode::SignatureDoesNotMatch));
}

TEST_F(AlibabaErrorsTest, InvalidSignatureMethodForAnotherV1Scheme) {
  for (auto signing : kV1Signings) {
    EXPECT_TRUE(provoked(call("ListKeys", json::object(),
                              with(signing, set_param("SignatureMethod", "HMAC-SHA256"))),
                         ErrorCode::InvalidSignatureMethod, {"SignatureMethod", "HMAC-SHA256"}))
        << signing_name(signing);
    EXPECT_TRUE(provoked(
        call("ListKeys", json::object(), with(signing, set_param("SignatureVersion", "2.0"))),
        ErrorCode::InvalidSignatureMethod, {"SignatureVersion", "2.0"}))
        << signing_name(signing);
  }
  // Case matters, and long values are cut when quoted back.
  EXPECT_TRUE(
      provoked(call("ListKeys", json::object(),
                    with(AlibabaSigning::V1PopCore, set_param("SignatureMethod", "hmac-sha1"))),
               ErrorCode::InvalidSignatureMethod, {"SignatureMethod", "hmac-sha1"}));
  EXPECT_TRUE(provoked(
      call("ListKeys", json::object(),
           with(AlibabaSigning::V1PopCore, set_param("SignatureMethod", std::string(100, 'M')))),
      ErrorCode::InvalidSignatureMethod, {"SignatureMethod", std::string(64, 'M')}));
}

TEST_F(AlibabaErrorsTest, InvalidTimeStampExpiredBothWaysWithV1AndV3) {
  // On a whole second, so the second-precision timestamps hit the window's edges exactly.
  clock_->set(std::chrono::floor<seconds>(clock_->now()));
  for (auto signing : kAllSignings) {
    for (seconds offset :
         {seconds(901), -seconds(901), seconds(hours(24)), -seconds(hours(24 * 365))}) {
      AlibabaCallOptions options = with(signing);
      options.timestamp = iso8601_utc(clock_->now() + offset);
      EXPECT_TRUE(
          provoked(call("ListKeys", json::object(), options), ErrorCode::InvalidTimeStampExpired))
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
  for (auto signing : kAllSignings) {
    for (const char* text : {"2024-05-01 12:34:56", "2024-05-01T12:34:56.123Z",
                             "2024-05-01T12:34:56+08:00", "2024-05-01T12:34:56", "1714566896",
                             "Wed, 01 May 2024 12:34:56 GMT", "2024-13-01T12:34:56Z"}) {
      AlibabaCallOptions options = with(signing);
      options.timestamp = text;
      EXPECT_TRUE(
          provoked(call("ListKeys", json::object(), options), ErrorCode::InvalidTimeStampFormat))
          << signing_name(signing) << " " << text;
    }
  }
}

class LegacyTimestampCodeTest : public AlibabaErrorsTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    AlibabaErrorsTest::configure(options);
    options.legacy_timestamp_code = true;  // §6: KMS's legacy docs
  }
};

TEST_F(LegacyTimestampCodeTest, IllegalTimestampForExpiredAndMalformedTimestamps) {
  for (auto signing : kAllSignings) {
    AlibabaCallOptions expired = with(signing);
    expired.timestamp = iso8601_utc(clock_->now() - minutes(16));
    EXPECT_TRUE(provoked(call("ListKeys", json::object(), expired), ErrorCode::IllegalTimestamp))
        << signing_name(signing);
    AlibabaCallOptions malformed = with(signing);
    malformed.timestamp = "2024-05-01 12:34:56";
    EXPECT_TRUE(provoked(call("ListKeys", json::object(), malformed), ErrorCode::IllegalTimestamp))
        << signing_name(signing);
    EXPECT_TRUE(call("ListKeys", json::object(), with(signing)).ok()) << signing_name(signing);
  }
}

TEST_F(AlibabaErrorsTest, SignatureNonceUsed) {
  for (auto signing : kAllSignings) {
    AlibabaCallOptions options = with(signing);
    options.nonce = std::string("errors-test-nonce-") + signing_name(signing);
    ASSERT_TRUE(call("ListKeys", json::object(), options).ok());
    // A different request under the same nonce is a replay too.
    EXPECT_TRUE(
        provoked(call("DescribeRegions", json::object(), options), ErrorCode::SignatureNonceUsed))
        << signing_name(signing);
  }
}

TEST_F(AlibabaErrorsTest, InvalidVersion) {
  for (const char* version : {"2016-01-21", "2014-05-26", "20160120"}) {
    alibaba::V1SignOptions v1;
    v1.version = version;
    EXPECT_TRUE(provoked(send_v1("ListKeys", json::object(), v1), ErrorCode::InvalidVersion))
        << version;
    alibaba::V3SignOptions v3;
    v3.version = version;
    EXPECT_TRUE(provoked(send_v3("ListKeys", json::object(), v3), ErrorCode::InvalidVersion))
        << version;
  }
}

TEST_F(AlibabaErrorsTest, InvalidActionNotFound) {
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call("NoSuchAction", json::object(), with(signing)),
                         ErrorCode::InvalidActionNotFound))
        << signing_name(signing);
    // A secrets action of the same API version (§3.10) is not served by this KMS.
    EXPECT_TRUE(provoked(
        call("CreateSecret", {{"SecretName", "s1"}, {"SecretData", "v"}, {"VersionId", "v1"}},
             with(signing)),
        ErrorCode::InvalidActionNotFound))
        << signing_name(signing);
  }
  // Action names are case-sensitive; the handler table is not consulted for a near miss.
  EXPECT_TRUE(
      provoked(call("describekey", {{"KeyId", kUnknownKeyId}}), ErrorCode::InvalidActionNotFound));
  EXPECT_TRUE(
      provoked(call("GetSecretValue", {{"SecretName", "s1"}}), ErrorCode::InvalidActionNotFound));
}

TEST_F(AlibabaErrorsTest, UnsupportedHttpMethod) {
  // §1.1: GET and POST only; §2.5 UnsupportedHTTPMethod 403. The method is checked before the
  // signature, so even a correctly signed V1 request (whose StringToSign names the method) and
  // a V3 one are refused.
  for (const char* method : {"PUT", "DELETE", "PATCH"}) {
    for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V3FormBody}) {
      AlibabaCallOptions options = with(signing);
      options.method = method;
      EXPECT_TRUE(
          provoked(call("ListKeys", json::object(), options), ErrorCode::UnsupportedHTTPMethod))
          << method << " " << signing_name(signing);
    }
  }
  AlibabaCallOptions get = with(AlibabaSigning::V1PopCore);
  get.method = "GET";
  EXPECT_TRUE(call("ListKeys", json::object(), get).ok());
}

TEST_F(AlibabaErrorsTest, MissingSecurityTokenForAnStsAccessKey) {
  auto no_token = make_client(kStsAk, kStsSk);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call_as(*no_token, "ListKeys", json::object(), with(signing)),
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
  auto wrong = make_client(kStsAk, kStsSk, "CAISnotthetokenofthiskey=");
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call_as(*wrong, "ListKeys", json::object(), with(signing)),
                         ErrorCode::InvalidSecurityTokenMismatchWithAccessKey))
        << signing_name(signing);
  }
  auto right = make_client(kStsAk, kStsSk, kStsToken);
  for (auto signing : kAllSignings) {
    auto r = call_as(*right, "ListKeys", json::object(), with(signing));
    EXPECT_TRUE(r.ok()) << signing_name(signing) << ": " << r.parsed.message;
  }
  // The token is signed: changing it after signing is a signature mismatch.
  EXPECT_TRUE(provoked(call_as(*right, "ListKeys", json::object(),
                               with(AlibabaSigning::V1PopCore, set_param("SecurityToken", "x"))),
                       ErrorCode::SignatureDoesNotMatch));
  EXPECT_TRUE(provoked(call_as(*right, "ListKeys", json::object(),
                               with(AlibabaSigning::V3, set_header("x-acs-security-token", "x"))),
                       ErrorCode::SignatureDoesNotMatch));
}

TEST_F(AlibabaErrorsTest, ForbiddenNoPermissionOutsideAllowedActions) {
  std::string id = create_key();
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(
        call_as(*restricted, "Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}}, with(signing)),
        ErrorCode::ForbiddenNoPermission))
        << signing_name(signing);
  }
  EXPECT_TRUE(provoked(
      call_as(*restricted, "ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}}),
      ErrorCode::ForbiddenNoPermission));
  // The refused call changed nothing; the allowed actions of the same credential go through.
  auto described = call_as(*restricted, "DescribeKey", {{"KeyId", id}});
  ASSERT_TRUE(described.ok()) << described.parsed.message;
  EXPECT_EQ(described.body()["KeyMetadata"]["KeyState"], "Enabled");
  EXPECT_TRUE(call_as(*restricted, "ListKeys").ok());
}

TEST_F(AlibabaErrorsTest, ForbiddenKmsServiceNotEnabledForAClosedAccount) {
  auto closed = make_client(kClosedAk, kClosedSk);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call_as(*closed, "ListKeys", json::object(), with(signing)),
                         ErrorCode::ForbiddenKmsServiceNotEnabled))
        << signing_name(signing);
  }
  EXPECT_TRUE(provoked(call_as(*closed, "CreateKey"), ErrorCode::ForbiddenKmsServiceNotEnabled));
  EXPECT_TRUE(
      provoked(call_as(*closed, "DescribeRegions"), ErrorCode::ForbiddenKmsServiceNotEnabled));
  // The one action that reports the status still answers, with NotEnabled (§3.9).
  auto status = call_as(*closed, "DescribeAccountKmsStatus");
  ASSERT_TRUE(status.ok()) << status.parsed.message;
  EXPECT_EQ(status.body().value("AccountStatus", ""), "NotEnabled");
  EXPECT_EQ(ok("DescribeAccountKmsStatus").value("AccountStatus", ""), "Enabled");
}

class ThrottledErrorsTest : public AlibabaErrorsTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    AlibabaErrorsTest::configure(options);
    options.quotas.merge_json_text(
        R"({"pools":{"symmetric":{"rate":0.0001,"burst":1,
            "actions":["Encrypt","Decrypt","GenerateDataKey","GenerateDataKeyWithoutPlaintext"]}}})",
        "errors_test quotas");
  }
};

TEST_F(ThrottledErrorsTest, RejectedThrottling) {
  std::string id = create_key();
  ok("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}}, with(signing)),
                         ErrorCode::RejectedThrottling))
        << signing_name(signing);
  }
}

// ---------------------------------------------------------------------------------------------
// Service codes (§5).

TEST_F(AlibabaErrorsTest, RejectedUnsupportedOperation) {
  std::string aes = create_key();
  std::string rsa_sign = create_key({{"KeySpec", "RSA_2048"}, {"KeyUsage", "SIGN/VERIFY"}});
  std::string ec = create_key({{"KeySpec", "EC_P256"}});
  // Rotation is for symmetric keys only (§4.4).
  for (const std::string& id : {rsa_sign, ec}) {
    EXPECT_TRUE(provoked(
        call("UpdateRotationPolicy",
             {{"KeyId", id}, {"EnableAutomaticRotation", true}, {"RotationInterval", "30d"}}),
        ErrorCode::RejectedUnsupportedOperation));
  }
  // ...and not for EXTERNAL ones.
  EXPECT_TRUE(provoked(call("UpdateRotationPolicy", {{"KeyId", external_key()},
                                                     {"EnableAutomaticRotation", true},
                                                     {"RotationInterval", "30d"}}),
                       ErrorCode::RejectedUnsupportedOperation));
  // An algorithm that does not fit the key spec (§3.6).
  std::string rsa_version = first_version(rsa_sign);
  EXPECT_TRUE(provoked(call("AsymmetricSign", {{"KeyId", rsa_sign},
                                               {"KeyVersionId", rsa_version},
                                               {"Algorithm", "ECDSA_SHA_256"},
                                               {"Digest", base64_encode(std::string(32, 'd'))}}),
                       ErrorCode::RejectedUnsupportedOperation));
  EXPECT_TRUE(provoked(call("AsymmetricSign", {{"KeyId", ec},
                                               {"KeyVersionId", first_version(ec)},
                                               {"Algorithm", "RSA_PSS_SHA_256"},
                                               {"Digest", base64_encode(std::string(32, 'd'))}}),
                       ErrorCode::RejectedUnsupportedOperation));
  // A key of the wrong usage or kind for the operation.
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", rsa_sign}, {"Plaintext", "aGk="}}),
                       ErrorCode::RejectedUnsupportedOperation));
  EXPECT_TRUE(provoked(call("AsymmetricEncrypt", {{"KeyId", rsa_sign},
                                                  {"KeyVersionId", rsa_version},
                                                  {"Algorithm", "RSAES_OAEP_SHA_256"},
                                                  {"Plaintext", "aGk="}}),
                       ErrorCode::RejectedUnsupportedOperation));
  // Manual versions are for asymmetric keys only (§4.4)...
  EXPECT_TRUE(provoked(call("CreateKeyVersion", {{"KeyId", aes}}),
                       ErrorCode::RejectedUnsupportedOperation));
  // ...at least 7 days apart.
  EXPECT_TRUE(
      provoked(call("CreateKeyVersion", {{"KeyId", ec}}), ErrorCode::RejectedUnsupportedOperation));
  clock_->advance(hours(24 * 7));
  EXPECT_TRUE(call("CreateKeyVersion", {{"KeyId", ec}}).ok());
  // A deletion-protected key cannot be scheduled for deletion (§4.3).
  ok("SetDeletionProtection",
     {{"ProtectedResourceArn", std::string("acs:kms:cn-hangzhou:") + kAliAccount + ":key/" + aes},
      {"EnableDeletionProtection", true},
      {"DeletionProtectionDescription", "in use"}});
  EXPECT_TRUE(provoked(call("ScheduleKeyDeletion", {{"KeyId", aes}, {"PendingWindowInDays", 7}}),
                       ErrorCode::RejectedUnsupportedOperation,
                       {std::string(server::alibaba::kDeletionProtectedReason)}));
  EXPECT_EQ(key_state(aes), "Enabled");
  ok("SetDeletionProtection", {{"KeyId", aes}, {"EnableDeletionProtection", false}});
  EXPECT_TRUE(call("ScheduleKeyDeletion", {{"KeyId", aes}, {"PendingWindowInDays", 7}}).ok());
}

TEST_F(AlibabaErrorsTest, RejectedLimitExceededPastFiftyVersions) {
  // §4.9: ≤ 50 versions per key; manual versions ≥ 7 days apart (§4.4).
  std::string ec = create_key({{"KeySpec", "EC_P256"}});
  for (int version = 2; version <= 50; ++version) {
    clock_->advance(hours(24 * 7) + seconds(1));
    auto r = call("CreateKeyVersion", {{"KeyId", ec}});
    ASSERT_TRUE(r.ok()) << "version " << version << ": " << r.parsed.message;
  }
  clock_->advance(hours(24 * 7) + seconds(1));
  EXPECT_TRUE(
      provoked(call("CreateKeyVersion", {{"KeyId", ec}}), ErrorCode::RejectedLimitExceeded));
  EXPECT_EQ(ok("ListKeyVersions", {{"KeyId", ec}}).value("TotalCount", 0), 50);
}

TEST_F(AlibabaErrorsTest, AliasAlreadyExists) {
  std::string first = create_key();
  std::string second = create_key();
  ok("CreateAlias", {{"KeyId", first}, {"AliasName", "alias/taken"}});
  EXPECT_TRUE(provoked(call("CreateAlias", {{"KeyId", second}, {"AliasName", "alias/taken"}}),
                       ErrorCode::AliasAlreadyExists));
  EXPECT_TRUE(provoked(call("CreateAlias", {{"KeyId", first}, {"AliasName", "alias/taken"}}),
                       ErrorCode::AliasAlreadyExists));
  // The alias still names the first key.
  EXPECT_EQ(ok("DescribeKey", {{"KeyId", "alias/taken"}})["KeyMetadata"]["KeyId"], first);
}

TEST_F(AlibabaErrorsTest, InvalidKeyMaterial) {
  std::string id = external_key();
  auto [token, wrapping] = import_parameters(id);
  ASSERT_FALSE(wrapping.empty());
  // Not a ciphertext of the wrapping key.
  EXPECT_TRUE(provoked(import(id, token, std::string(256, '\x5a')), ErrorCode::InvalidKeyMaterial));
  // Wrapped correctly, but 16 bytes for an Aliyun_AES_256 key (§3.7: 32).
  EXPECT_TRUE(provoked(import(id, token, ali::wrap_oaep_sha256(wrapping, std::string(16, 'k'))),
                       ErrorCode::InvalidKeyMaterial));
  EXPECT_EQ(key_state(id), "PendingImport");
  // The right material goes in; a re-import must carry the very same bytes (§3.7).
  ASSERT_TRUE(import(id, token, ali::wrap_oaep_sha256(wrapping, std::string(32, 'k'))).ok());
  EXPECT_EQ(key_state(id), "Enabled");
  auto [token2, wrapping2] = import_parameters(id);
  EXPECT_TRUE(provoked(import(id, token2, ali::wrap_oaep_sha256(wrapping2, std::string(32, 'K'))),
                       ErrorCode::InvalidKeyMaterial));
  EXPECT_TRUE(import(id, token2, ali::wrap_oaep_sha256(wrapping2, std::string(32, 'k'))).ok());
}

TEST_F(AlibabaErrorsTest, InvalidImportToken) {
  std::string id = external_key();
  std::string material(32, 'm');
  // No session yet.
  EXPECT_TRUE(provoked(import(id, "bm90LWEtdG9rZW4=", std::string(256, 'x')),
                       ErrorCode::InvalidImportToken));
  auto [token, wrapping] = import_parameters(id);
  std::string wrapped = ali::wrap_oaep_sha256(wrapping, material);
  EXPECT_TRUE(provoked(import(id, "bm90LWEtdG9rZW4=", wrapped), ErrorCode::InvalidImportToken));
  // Another key's token: tokens are bound to their key (§3.7).
  std::string other = external_key();
  auto [other_token, other_wrapping] = import_parameters(other);
  EXPECT_TRUE(provoked(import(id, other_token, wrapped), ErrorCode::InvalidImportToken));
  // A newer session replaces the older token.
  auto [newer_token, newer_wrapping] = import_parameters(id);
  EXPECT_TRUE(provoked(import(id, token, wrapped), ErrorCode::InvalidImportToken));
  EXPECT_TRUE(import(id, newer_token, ali::wrap_oaep_sha256(newer_wrapping, material)).ok());
}

TEST_F(AlibabaErrorsTest, ExpiredImportTokenAfter24Hours) {
  std::string id = external_key();
  auto [token, wrapping] = import_parameters(id);
  std::string wrapped = ali::wrap_oaep_sha256(wrapping, std::string(32, 'e'));
  clock_->advance(hours(24) + seconds(1));
  EXPECT_TRUE(provoked(import(id, token, wrapped), ErrorCode::ExpiredImportToken));
  EXPECT_EQ(key_state(id), "PendingImport");
  // Just inside the 24 h a fresh token works.
  auto [fresh, fresh_wrapping] = import_parameters(id);
  clock_->advance(hours(24) - seconds(1));
  EXPECT_TRUE(import(id, fresh, ali::wrap_oaep_sha256(fresh_wrapping, std::string(32, 'e'))).ok());
}

TEST_F(AlibabaErrorsTest, UnsupportedOriginForImportOnANonExternalKey) {
  std::string id = create_key();
  EXPECT_TRUE(provoked(call("GetParametersForImport", {{"KeyId", id},
                                                       {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                                       {"WrappingKeySpec", "RSA_2048"}}),
                       ErrorCode::UnsupportedOrigin));
  EXPECT_TRUE(provoked(
      call("ImportKeyMaterial",
           {{"KeyId", id}, {"ImportToken", "dG9rZW4="}, {"EncryptedKeyMaterial", "bWF0ZXJpYWw="}}),
      ErrorCode::UnsupportedOrigin));
  EXPECT_TRUE(provoked(call("DeleteKeyMaterial", {{"KeyId", id}}), ErrorCode::UnsupportedOrigin));
  EXPECT_EQ(key_state(id), "Enabled");
}

TEST_F(AlibabaErrorsTest, ForbiddenKeyVersionNotFound) {
  std::string aes = create_key();
  std::string ec = create_key({{"KeySpec", "EC_P256"}});
  const std::string unknown = "11111111-2222-4333-8444-555555555555";
  EXPECT_TRUE(provoked(call("DescribeKeyVersion", {{"KeyId", aes}, {"KeyVersionId", unknown}}),
                       ErrorCode::ForbiddenKeyVersionNotFound));
  EXPECT_TRUE(provoked(call("GetPublicKey", {{"KeyId", ec}, {"KeyVersionId", unknown}}),
                       ErrorCode::ForbiddenKeyVersionNotFound));
  // Another key's version is not this key's.
  EXPECT_TRUE(provoked(call("GetPublicKey", {{"KeyId", ec}, {"KeyVersionId", first_version(aes)}}),
                       ErrorCode::ForbiddenKeyVersionNotFound));
  EXPECT_TRUE(provoked(call("AsymmetricSign", {{"KeyId", ec},
                                               {"KeyVersionId", unknown},
                                               {"Algorithm", "ECDSA_SHA_256"},
                                               {"Digest", base64_encode(std::string(32, 'd'))}}),
                       ErrorCode::ForbiddenKeyVersionNotFound));
}

TEST_F(AlibabaErrorsTest, StateRefusals) {
  // The full matrix is state_matrix_test.cpp; one of each code here.
  std::string disabled = create_key();
  ok("DisableKey", {{"KeyId", disabled}});
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", disabled}, {"Plaintext", "aGk="}}),
                       ErrorCode::RejectedDisabled));
  std::string pending = create_key();
  ok("ScheduleKeyDeletion", {{"KeyId", pending}, {"PendingWindowInDays", 7}});
  EXPECT_TRUE(
      provoked(call("GenerateDataKey", {{"KeyId", pending}}), ErrorCode::RejectedPendingDeletion));
  EXPECT_TRUE(
      provoked(call("EnableKey", {{"KeyId", pending}}), ErrorCode::RejectedStateModifiedFailed));
  std::string awaiting = external_key();
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", awaiting}, {"Plaintext", "aGk="}}),
                       ErrorCode::RejectedPendingImport));
  EXPECT_TRUE(provoked(call("CancelKeyDeletion", {{"KeyId", disabled}}),
                       ErrorCode::RejectedStateModifiedFailed));
}

// ---------------------------------------------------------------------------------------------
// InternalFailure through the test-only fault hook (ReferenceServerOptions::fault_injection).

AlibabaCallOptions with_fault(const std::string& name,
                              AlibabaSigning signing = AlibabaSigning::V3) {
  AlibabaCallOptions options = with(signing);
  options.extra_headers[std::string(server::kFaultHeader)] = name;
  return options;
}

class AlibabaFaultInjectionTest : public AlibabaErrorsTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    AlibabaErrorsTest::configure(options);
    options.fault_injection = true;
  }
};

TEST_F(AlibabaFaultInjectionTest, TheCatchAllInternalFailureWithEverySigning) {
  const std::string fault(server::kFaultUndefinedError);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(call("ListKeys", json::object(), with_fault(fault, signing)),
                         ErrorCode::InternalFailure))
        << signing_name(signing);
  }
  // The failed call did nothing; without the header the same call goes through.
  EXPECT_TRUE(
      provoked(call("CreateKey", json::object(), with_fault(fault)), ErrorCode::InternalFailure));
  EXPECT_EQ(ok("ListKeys")["TotalCount"], 0);
  std::string id = create_key();
  // A fault stands for the service failing, so it wins over DryRun's verdict too.
  EXPECT_TRUE(provoked(
      call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}, with_fault(fault)),
      ErrorCode::InternalFailure));
}

TEST_F(AlibabaFaultInjectionTest, OnlyAfterAuthenticationAndAdmission) {
  const std::string fault(server::kFaultUndefinedError);
  EXPECT_TRUE(
      provoked(call("ListKeys", json::object(), with_fault(fault, AlibabaSigning::V1PopCore)),
               ErrorCode::InternalFailure));
  auto wrong_secret = make_client(kAliAccessKey, "not-the-secret");
  EXPECT_TRUE(provoked(call_as(*wrong_secret, "ListKeys", json::object(), with_fault(fault)),
                       ErrorCode::SignatureDoesNotMatch));
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  EXPECT_TRUE(provoked(call_as(*restricted, "CreateKey", json::object(), with_fault(fault)),
                       ErrorCode::ForbiddenNoPermission));
  auto closed = make_client(kClosedAk, kClosedSk);
  EXPECT_TRUE(provoked(call_as(*closed, "ListKeys", json::object(), with_fault(fault)),
                       ErrorCode::ForbiddenKmsServiceNotEnabled));
}

TEST_F(AlibabaFaultInjectionTest, AnUnknownFaultIsInvalidParameterNamingTheHeader) {
  for (const char* name : {"NoSuchFault", "undefinederror", "InternalFailure"}) {
    EXPECT_TRUE(provoked(call("ListKeys", json::object(), with_fault(name)),
                         ErrorCode::InvalidParameter, {std::string(server::kFaultHeader)}))
        << "'" << name << "'";
  }
}

TEST_F(AlibabaErrorsTest, TheFaultHeaderIsIgnoredWhenTheHookIsOff) {
  for (const std::string& name : {std::string(server::kFaultUndefinedError), std::string("x")}) {
    auto r = call("CreateKey", json::object(), with_fault(name));
    EXPECT_TRUE(r.ok()) << name << " -> " << r.parsed.status << " " << r.parsed.message;
  }
  EXPECT_EQ(ok("ListKeys")["TotalCount"], 2);
}

// ---------------------------------------------------------------------------------------------
// DryRun (§3.0): never executes; DryRunOperationError when the call would have succeeded,
// ValidationError (naming why) when it would not, AccessDeniedError when the caller may not.

TEST_F(AlibabaErrorsTest, DryRunOperationErrorWhenTheCallWouldSucceed) {
  std::string id = create_key();
  json sealed = ok("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(provoked(
        call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}, with(signing)),
        ErrorCode::DryRunOperationError))
        << signing_name(signing);
  }
  EXPECT_TRUE(
      provoked(call("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}, {"DryRun", "true"}}),
               ErrorCode::DryRunOperationError));
  EXPECT_TRUE(provoked(call("GenerateDataKey", {{"KeyId", id}, {"DryRun", "true"}}),
                       ErrorCode::DryRunOperationError));
  // DryRun=false runs the call.
  EXPECT_TRUE(call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", false}}).ok());
}

TEST_F(AlibabaErrorsTest, ValidationErrorWhenTheDryRunWouldFail) {
  std::string id = create_key();
  auto reason = [](ErrorCode code, std::initializer_list<std::string_view> args = {}) {
    return alibaba::format_message(code, args);
  };
  EXPECT_TRUE(
      provoked(call("Encrypt", {{"KeyId", kUnknownKeyId}, {"Plaintext", "aGk="}, {"DryRun", true}}),
               ErrorCode::ValidationError, {reason(ErrorCode::ForbiddenKeyNotFound)}));
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", id}, {"DryRun", true}}),
                       ErrorCode::ValidationError,
                       {reason(ErrorCode::MissingParameter, {"Plaintext"})}));
  EXPECT_TRUE(provoked(
      call("Decrypt", {{"CiphertextBlob", base64_encode(std::string(10, 'z'))}, {"DryRun", true}}),
      ErrorCode::ValidationError, {reason(ErrorCode::InvalidParameter, {"CiphertextBlob"})}));
  // A call the key's state would refuse would not have succeeded either.
  ok("DisableKey", {{"KeyId", id}});
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}),
                       ErrorCode::ValidationError, {reason(ErrorCode::RejectedDisabled)}));
}

TEST_F(AlibabaErrorsTest, AccessDeniedErrorWhenTheDryRunCallerMayNotCallTheAction) {
  std::string id = create_key();
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  EXPECT_TRUE(provoked(
      call_as(*restricted, "Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}),
      ErrorCode::AccessDeniedError));
  // Without DryRun it is the ordinary refusal.
  EXPECT_TRUE(provoked(call_as(*restricted, "Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}}),
                       ErrorCode::ForbiddenNoPermission));
}

// ---------------------------------------------------------------------------------------------
// Bad input never yields a 500 or a dead server.

class AlibabaBadInputTest : public AlibabaErrorsTest {
 protected:
  void expect_still_serving() {
    auto r = call("ListKeys");
    EXPECT_TRUE(r.ok()) << r.parsed.status << " " << r.parsed.message;
  }
};

TEST_F(AlibabaBadInputTest, MalformedPercentEscapes) {
  // Added after signing: the signer refuses bad escapes. Checked first (step 1 of signer.hpp).
  for (const char* bad : {"Broken=%zz", "Broken=%", "Broken=%4", "%G0=1"}) {
    auto in_query = [bad](HttpRequest& r) {
      if (!r.raw_query.empty()) r.raw_query.push_back('&');
      r.raw_query.append(bad);
    };
    for (auto signing : kAllSignings) {
      EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), with(signing, in_query)),
                                ErrorCode::InvalidParameter, {"QueryString"}))
          << bad << " " << signing_name(signing);
    }
    auto in_body = [bad](HttpRequest& r) {
      r.body.push_back('&');
      r.body.append(bad);
    };
    for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V3FormBody}) {
      EXPECT_TRUE(ali::is_error(call("ListKeys", {{"PageSize", 5}}, with(signing, in_body)),
                                ErrorCode::InvalidParameter, {"Body"}))
          << bad << " " << signing_name(signing);
    }
  }
  expect_still_serving();
}

TEST_F(AlibabaBadInputTest, DeeplyNestedJsonParameters) {
  constexpr size_t kDepth = 100000;  // percent-encoding triples each bracket; under 1 MiB
  std::string id = create_key();
  std::string open(kDepth, '[');
  std::string closed = open + std::string(kDepth, ']');
  for (const std::string& nested : {open, closed, std::string(kDepth, '{')}) {
    for (const char* action : {"Encrypt", "ListKeys", "CreateKey"}) {
      json params = std::string(action) == "Encrypt"
                        ? json{{"KeyId", id}, {"Plaintext", "aGk="}, {"EncryptionContext", nested}}
                    : std::string(action) == "ListKeys" ? json{{"Filters", nested}}
                                                        : json{{"Tags", nested}};
      auto r = call(action, params, with(AlibabaSigning::V1PopCore));
      EXPECT_EQ(r.parsed.status, 400) << action << ": " << r.parsed.message;
      EXPECT_EQ(r.parsed.error_code, "InvalidParameter") << action;
    }
  }
  expect_still_serving();
}

TEST_F(AlibabaBadInputTest, HugeAndNegativeNumbers) {
  std::string id = create_key();
  for (const char* n : {"99999999999999999999999", "-1", "1e3", "0x10", " 7", "7 ", ""}) {
    auto r = call("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", n}});
    EXPECT_EQ(r.parsed.status, 400) << n << ": " << r.parsed.message;
    EXPECT_NE(r.parsed.status, 500) << n;
  }
  for (const char* n : {"99999999999999999999999", "-1", "abc"}) {
    EXPECT_TRUE(ali::is_error(call("GenerateDataKey", {{"KeyId", id}, {"NumberOfBytes", n}}),
                              ErrorCode::InvalidParameter, {"NumberOfBytes"}))
        << n;
    EXPECT_TRUE(ali::is_error(call("ListKeys", {{"PageNumber", n}}), ErrorCode::InvalidParameter,
                              {"PageNumber"}))
        << n;
  }
  EXPECT_EQ(key_state(id), "Enabled");
}

TEST_F(AlibabaBadInputTest, InvalidUtf8AndControlCharactersAreNotInternalErrors) {
  std::string id = create_key();
  for (const std::string& text :
       {std::string("caf\xC3\x28 \xFF", 7), std::string("nul\0byte", 8), std::string("\r\n\t")}) {
    auto r = call("UpdateKeyDescription", {{"KeyId", id}, {"Description", text}});
    EXPECT_NE(r.parsed.status, 500) << r.parsed.message;
    auto alias = call("CreateAlias", {{"KeyId", id}, {"AliasName", "alias/" + text}});
    EXPECT_TRUE(ali::is_error(alias, ErrorCode::InvalidParameter, {"AliasName"}));
    auto context =
        call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"EncryptionContext", text}});
    EXPECT_TRUE(ali::is_error(context, ErrorCode::InvalidParameter, {"EncryptionContext"}));
  }
  expect_still_serving();
}

TEST_F(AlibabaBadInputTest, GarbageSignatureValues) {
  for (const std::string& signature :
       {std::string(), std::string("%%%"), std::string("not base64"), std::string(5000, 'A')}) {
    auto r = call("ListKeys", json::object(),
                  with(AlibabaSigning::V1PopCore, set_param("Signature", signature)));
    EXPECT_EQ(r.parsed.status, 400) << r.parsed.message;
  }
  for (const std::string& signature :
       {std::string("zz"), std::string("00"), std::string(5000, 'f')}) {
    std::string value = std::string("ACS3-HMAC-SHA256 Credential=") + kAliAccessKey +
                        ",SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                        "x-acs-signature-nonce;x-acs-version,Signature=" +
                        signature;
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(),
                                   with(AlibabaSigning::V3, set_header("Authorization", value))),
                              ErrorCode::SignatureDoesNotMatch));
  }
  expect_still_serving();
}

class AlibabaSmallBodyLimitTest : public AlibabaBadInputTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    AlibabaBadInputTest::configure(options);
    options.max_body_bytes = 2048;
  }
};

TEST_F(AlibabaSmallBodyLimitTest, OversizeBodyIsTheDialectsInvalidParameter) {
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V3FormBody}) {
    auto r = call("CreateKey", {{"Description", std::string(4000, 'd')}}, with(signing));
    EXPECT_EQ(r.response.status, 400);
    EXPECT_EQ(r.parsed.error_code, "InvalidParameter");
    // The parameter slot holds the HTTP layer's reason, which names the limit.
    std::string marker = "\x1f";
    std::string shape = alibaba::format_message(ErrorCode::InvalidParameter, {marker});
    EXPECT_TRUE(r.parsed.message.starts_with(shape.substr(0, shape.find(marker))))
        << r.parsed.message;
    EXPECT_TRUE(r.parsed.message.ends_with(shape.substr(shape.find(marker) + 1)))
        << r.parsed.message;
    EXPECT_NE(r.parsed.message.find("2048"), std::string::npos) << r.parsed.message;
    const json& body = r.body();
    EXPECT_FALSE(body.value("RequestId", "").empty());
    EXPECT_EQ(r.response.headers.count("x-acs-request-id"), 1u);
    EXPECT_TRUE(body.contains("HostId"));
    EXPECT_EQ(body.value("Recommend", ""),
              alibaba::recommend_url("InvalidParameter", body.value("RequestId", "")));
    client_->http().close();
  }
  // Nothing was created, and the server still serves (on a fresh connection).
  EXPECT_EQ(ok("ListKeys").value("TotalCount", -1), 0);
}

TEST_F(AlibabaBadInputTest, GarbageBytesOnTheSocket) {
  const std::string garbage[] = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",
      std::string("\0\0\0\0\r\n\r\n", 8),
      "GET\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
      "GET / HTTP/7.7\r\n\r\n",
      "GET /?Action=ListKeys HTTP/1.1\r\nBad Header Line\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 11\r\n\r\nAction=%ZZ&",
      "GET /?Action=ListKeys&Version=2016-01-20 HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string(3000, '\xff') + "\r\n\r\n",
  };
  for (const std::string& bytes : garbage) {
    std::string reply;
    try {
      reply = client::raw_exchange(endpoint(), bytes, std::chrono::milliseconds(3000));
    } catch (const client::TransportError& e) {
      ADD_FAILURE() << "no answer and no close: " << e.what();
      continue;
    }
    if (!reply.empty()) {
      EXPECT_TRUE(reply.starts_with("HTTP/1.1 4")) << reply.substr(0, 200);
      EXPECT_EQ(reply.find("HTTP/1.1 5"), std::string::npos) << reply.substr(0, 200);
    }
    expect_still_serving();
  }
}

}  // namespace
}  // namespace kmsconf::testing
