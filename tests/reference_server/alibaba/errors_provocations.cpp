// The provocation table of the Alibaba error tests: for every catalog code the reference server
// can send, one request that provokes it over HTTP (spec §2.5, §3.0, §4.2, §5), and the check
// that runs it. Individual tests start from these; errors_catalog_test.cpp runs them all.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tests/reference_server/alibaba/client_crypto.hpp"
#include "tests/reference_server/alibaba/errors_fixture.hpp"

namespace kmsconf::testing::ali_errors {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const std::vector<AlibabaErrorsTest::Provocation>& AlibabaErrorsTest::provocations() {
  using T = AlibabaErrorsTest;
  using R = client::AlibabaCallResult;
  static const std::vector<Provocation> table{
      // §2.5 gateway codes.
      {ErrorCode::MissingParameter,
       ServerSetup::Plain,
       "DescribeKey without KeyId",
       {"KeyId"},
       [](T& t) -> R { return t.call("DescribeKey"); }},
      {ErrorCode::InvalidParameter,
       ServerSetup::Plain,
       "DescribeKey with a 513-character KeyId",
       {"KeyId"},
       [](T& t) -> R {
         return t.call("DescribeKey", {{"KeyId", std::string(513, 'k')}});
       }},
      {ErrorCode::IncompleteSignature,
       ServerSetup::Plain,
       "a Bearer Authorization header",
       {},
       [](T& t) -> R {
         return t.call("ListKeys", json::object(),
                       with(AlibabaSigning::V3, set_header("Authorization", "Bearer abc")));
       }},
      {ErrorCode::SignatureDoesNotMatch,
       ServerSetup::Plain,
       "signed with a wrong secret",
       {},
       [](T& t) -> R {
         auto wrong = t.make_client(kAliAccessKey, "not-the-right-secret");
         return t.call_as(*wrong, "ListKeys");
       }},
      {ErrorCode::InvalidSignatureMethod,
       ServerSetup::Plain,
       "V1 with SignatureMethod=HMAC-SHA256",
       {"SignatureMethod", "HMAC-SHA256"},
       [](T& t) -> R {
         return t.call(
             "ListKeys", json::object(),
             with(AlibabaSigning::V1PopCore, set_param("SignatureMethod", "HMAC-SHA256")));
       }},
      {ErrorCode::InvalidTimeStampExpired,
       ServerSetup::Plain,
       "a timestamp 901 s ahead",
       {},
       [](T& t) -> R {
         AlibabaCallOptions options;
         options.timestamp = iso8601_utc(t.clock_->now() + seconds(901));
         return t.call("ListKeys", json::object(), options);
       }},
      {ErrorCode::InvalidTimeStampFormat,
       ServerSetup::Plain,
       "a timestamp with a space",
       {},
       [](T& t) -> R {
         AlibabaCallOptions options;
         options.timestamp = "2024-05-01 12:34:56";
         return t.call("ListKeys", json::object(), options);
       }},
      {ErrorCode::IllegalTimestamp,
       ServerSetup::LegacyTimestamps,
       "a timestamp 16 min old",
       {},
       [](T& t) -> R {
         AlibabaCallOptions options;
         options.timestamp = iso8601_utc(t.clock_->now() - minutes(16));
         return t.call("ListKeys", json::object(), options);
       }},
      {ErrorCode::SignatureNonceUsed,
       ServerSetup::Plain,
       "a second request under the same nonce",
       {},
       [](T& t) -> R {
         AlibabaCallOptions options;
         options.nonce = "provocation-nonce";
         auto first = t.call("ListKeys", json::object(), options);
         EXPECT_TRUE(first.ok()) << first.parsed.message;
         return t.call("DescribeRegions", json::object(), options);
       }},
      {ErrorCode::InvalidVersion,
       ServerSetup::Plain,
       "Version=2016-01-21",
       {},
       [](T& t) -> R {
         alibaba::V1SignOptions v1;
         v1.version = "2016-01-21";
         return t.send_v1("ListKeys", json::object(), v1);
       }},
      {ErrorCode::InvalidActionNotFound,
       ServerSetup::Plain,
       "Action=NoSuchAction",
       {},
       [](T& t) -> R { return t.call("NoSuchAction"); }},
      {ErrorCode::InvalidAccessKeyIdNotFound,
       ServerSetup::Plain,
       "an AccessKeyId nobody has",
       {},
       [](T& t) -> R {
         auto stranger = t.make_client("LTAInobodyknowsme0001", kAliSecret);
         return t.call_as(*stranger, "DescribeKey", {{"KeyId", kUnknownKeyId}});
       }},
      {ErrorCode::MissingSecurityToken,
       ServerSetup::Plain,
       "an STS key without its token",
       {},
       [](T& t) -> R {
         auto no_token = t.make_client(kStsAk, kStsSk);
         return t.call_as(*no_token, "ListKeys");
       }},
      {ErrorCode::InvalidSecurityTokenMismatchWithAccessKey,
       ServerSetup::Plain,
       "an STS key with another token",
       {},
       [](T& t) -> R {
         auto wrong = t.make_client(kStsAk, kStsSk, "CAISnotthetokenofthiskey=");
         return t.call_as(*wrong, "ListKeys");
       }},
      {ErrorCode::RejectedThrottling,
       ServerSetup::Throttled,
       "a second Encrypt from a 1-token pool",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         t.ok("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
         return t.call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
       }},
      {ErrorCode::UnsupportedHTTPMethod,
       ServerSetup::Plain,
       "a PUT",
       {},
       [](T& t) -> R {
         AlibabaCallOptions options = with(AlibabaSigning::V1PopCore);
         options.method = "PUT";
         return t.call("ListKeys", json::object(), options);
       }},
      {ErrorCode::ForbiddenNoPermission,
       ServerSetup::Plain,
       "Encrypt by a credential without it",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         auto restricted = t.make_client(kRestrictedAk, kRestrictedSk);
         return t.call_as(*restricted, "Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
       }},
      {ErrorCode::ForbiddenKmsServiceNotEnabled,
       ServerSetup::Plain,
       "ListKeys of a closed account",
       {},
       [](T& t) -> R {
         auto closed = t.make_client(kClosedAk, kClosedSk);
         return t.call_as(*closed, "ListKeys");
       }},

      // §5 service codes.
      {ErrorCode::RejectedLimitExceeded,
       ServerSetup::Plain,
       "a 51st version of a key",
       {},
       [](T& t) -> R {
         // §4.9: ≤ 50 versions per key; manual versions ≥ 7 days apart (§4.4).
         std::string ec = t.create_key({{"KeySpec", "EC_P256"}});
         for (int version = 2; version <= 50; ++version) {
           t.clock_->advance(hours(24 * 7) + seconds(1));
           auto r = t.call("CreateKeyVersion", {{"KeyId", ec}});
           EXPECT_TRUE(r.ok()) << "version " << version << ": " << r.parsed.message;
         }
         t.clock_->advance(hours(24 * 7) + seconds(1));
         return t.call("CreateKeyVersion", {{"KeyId", ec}});
       }},
      {ErrorCode::RejectedUnsupportedOperation,
       ServerSetup::Plain,
       "CreateKeyVersion of an AES key",
       {},
       [](T& t) -> R {
         std::string aes = t.create_key();
         return t.call("CreateKeyVersion", {{"KeyId", aes}});
       }},
      {ErrorCode::AliasAlreadyExists,
       ServerSetup::Plain,
       "CreateAlias of a taken name",
       {},
       [](T& t) -> R {
         std::string first = t.create_key();
         std::string second = t.create_key();
         t.ok("CreateAlias", {{"KeyId", first}, {"AliasName", "alias/taken"}});
         return t.call("CreateAlias", {{"KeyId", second}, {"AliasName", "alias/taken"}});
       }},
      {ErrorCode::InvalidKeyMaterial,
       ServerSetup::Plain,
       "material not wrapped by the wrapping key",
       {},
       [](T& t) -> R {
         std::string id = t.external_key();
         auto [token, wrapping] = t.import_parameters(id);
         EXPECT_FALSE(wrapping.empty());
         return t.import(id, token, std::string(256, '\x5a'));
       }},
      {ErrorCode::InvalidImportToken,
       ServerSetup::Plain,
       "an import before any token was issued",
       {},
       [](T& t) -> R {
         std::string id = t.external_key();
         return t.import(id, "bm90LWEtdG9rZW4=", std::string(256, 'x'));
       }},
      {ErrorCode::ExpiredImportToken,
       ServerSetup::Plain,
       "an import token 24 h + 1 s old",
       {},
       [](T& t) -> R {
         std::string id = t.external_key();
         auto [token, wrapping] = t.import_parameters(id);
         std::string wrapped = ali::wrap_oaep_sha256(wrapping, std::string(32, 'e'));
         t.clock_->advance(hours(24) + seconds(1));
         return t.import(id, token, wrapped);
       }},
      {ErrorCode::UnsupportedOrigin,
       ServerSetup::Plain,
       "GetParametersForImport of an Aliyun_KMS key",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         return t.call("GetParametersForImport", {{"KeyId", id},
                                                  {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                                  {"WrappingKeySpec", "RSA_2048"}});
       }},
      {ErrorCode::ForbiddenKeyNotFound,
       ServerSetup::Plain,
       "DescribeKey of an unknown key",
       {},
       [](T& t) -> R {
         return t.call("DescribeKey", {{"KeyId", kUnknownKeyId}});
       }},
      {ErrorCode::ForbiddenKeyVersionNotFound,
       ServerSetup::Plain,
       "DescribeKeyVersion of no version",
       {},
       [](T& t) -> R {
         std::string aes = t.create_key();
         return t.call("DescribeKeyVersion",
                       {{"KeyId", aes}, {"KeyVersionId", "11111111-2222-4333-8444-555555555555"}});
       }},
      {ErrorCode::ForbiddenAliasNotFound,
       ServerSetup::Plain,
       "DescribeKey of an unknown alias",
       {},
       [](T& t) -> R {
         return t.call("DescribeKey", {{"KeyId", "alias/nobody-has-this"}});
       }},
      {ErrorCode::RejectedDisabled,
       ServerSetup::Plain,
       "Encrypt under a Disabled key",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         t.ok("DisableKey", {{"KeyId", id}});
         return t.call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
       }},
      {ErrorCode::RejectedPendingDeletion,
       ServerSetup::Plain,
       "GenerateDataKey, key PendingDeletion",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         t.ok("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
         return t.call("GenerateDataKey", {{"KeyId", id}});
       }},
      {ErrorCode::RejectedPendingImport,
       ServerSetup::Plain,
       "Encrypt under a PendingImport key",
       {},
       [](T& t) -> R {
         return t.call("Encrypt", {{"KeyId", t.external_key()}, {"Plaintext", "aGk="}});
       }},
      {ErrorCode::RejectedStateModifiedFailed,
       ServerSetup::Plain,
       "EnableKey, key PendingDeletion",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         t.ok("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
         return t.call("EnableKey", {{"KeyId", id}});
       }},
      {ErrorCode::InternalFailure,
       ServerSetup::FaultInjection,
       "the UndefinedError fault",
       {},
       [](T& t) -> R {
         return t.call("ListKeys", json::object(),
                       with_fault(std::string(server::kFaultUndefinedError)));
       }},

      // §3.0 DryRun outcomes.
      {ErrorCode::DryRunOperationError,
       ServerSetup::Plain,
       "a DryRun Encrypt that would succeed",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         return t.call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}});
       }},
      // The reason is Forbidden.KeyNotFound's Message (spec §5).
      {ErrorCode::ValidationError,
       ServerSetup::Plain,
       "a DryRun Encrypt under an unknown key",
       {"The specified Key is not found."},
       [](T& t) -> R {
         return t.call("Encrypt",
                       {{"KeyId", kUnknownKeyId}, {"Plaintext", "aGk="}, {"DryRun", true}});
       }},
      {ErrorCode::AccessDeniedError,
       ServerSetup::Plain,
       "a DryRun Encrypt by a credential without it",
       {},
       [](T& t) -> R {
         std::string id = t.create_key();
         auto restricted = t.make_client(kRestrictedAk, kRestrictedSk);
         return t.call_as(*restricted, "Encrypt",
                          {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}});
       }},
  };
  return table;
}

::testing::AssertionResult AlibabaErrorsTest::provokes(ErrorCode code) {
  const std::string name(alibaba::error_info(code).name);
  const auto& table = provocations();
  auto entry = std::find_if(table.begin(), table.end(),
                            [code](const Provocation& p) { return p.code == code; });
  if (entry == table.end()) {
    return ::testing::AssertionFailure() << name << " has no provocation";
  }
  if (entry->setup != server_setup()) {
    return ::testing::AssertionFailure()
           << "the provocation of " << name << " needs setup " << setup_name(entry->setup)
           << ", this server is " << setup_name(server_setup());
  }
  auto checked = ali::is_error(entry->send(*this), code, entry->args);
  if (!checked) {
    return ::testing::AssertionFailure()
           << "the provocation of " << name << " (" << entry->what << ") " << checked.message();
  }
  return checked;
}

}  // namespace kmsconf::testing::ali_errors
