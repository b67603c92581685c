// The service errors of the Alibaba catalog (spec §3.0 DryRun, §4.2 key states, §5) provoked
// over HTTP and checked against the catalog, the seed page's DescribeKey table code by code, and
// InternalFailure through the test-only fault hook. Each test starts from the code's provocation
// (errors_provocations.cpp) and adds the other ways of provoking it.
#include <chrono>
#include <string>
#include <vector>

#include "tests/reference_server/alibaba/client_crypto.hpp"
#include "tests/reference_server/alibaba/errors_fixture.hpp"

namespace kmsconf::testing::ali_errors {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;

// ---------------------------------------------------------------------------------------------
// The seed's table (DescribeKey), code by code.

TEST_F(AlibabaErrorsTest, DescribeKeyInvalidParameter) {
  // An over-long KeyId, and an ARN that names no key.
  EXPECT_TRUE(provokes(ErrorCode::InvalidParameter));
  EXPECT_TRUE(
      ali::is_error(call("DescribeKey", {{"KeyId", "acs:kms:cn-hangzhou:1540355698840000:x"}}),
                    ErrorCode::InvalidParameter, {"KeyId"}));
}

TEST_F(AlibabaErrorsTest, DescribeKeyForbiddenKeyNotFound) {
  EXPECT_TRUE(provokes(ErrorCode::ForbiddenKeyNotFound));
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call("DescribeKey", {{"KeyId", kUnknownKeyId}}, with(signing)),
                              ErrorCode::ForbiddenKeyNotFound))
        << signing_name(signing);
  }
  // As an ARN (§3.0), and a key whose deletion window has passed (§4.1).
  std::string arn = std::string("acs:kms:cn-hangzhou:") + kAliAccount + ":key/" + kUnknownKeyId;
  EXPECT_TRUE(
      ali::is_error(call("DescribeKey", {{"KeyId", arn}}), ErrorCode::ForbiddenKeyNotFound));
  std::string id = create_key();
  json blob = ok("Encrypt", {{"KeyId", id}, {"Plaintext", base64_encode("gone soon")}});
  ok("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  clock_->advance(hours(24 * 7) + seconds(1));
  EXPECT_TRUE(ali::is_error(call("DescribeKey", {{"KeyId", id}}), ErrorCode::ForbiddenKeyNotFound));
  EXPECT_TRUE(ali::is_error(call("Decrypt", {{"CiphertextBlob", blob["CiphertextBlob"]}}),
                            ErrorCode::ForbiddenKeyNotFound));
  EXPECT_TRUE(ali::is_error(call("Encrypt", {{"KeyId", kUnknownKeyId}, {"Plaintext", "aGk="}}),
                            ErrorCode::ForbiddenKeyNotFound));
}

TEST_F(AlibabaErrorsTest, DescribeKeyForbiddenAliasNotFound) {
  EXPECT_TRUE(provokes(ErrorCode::ForbiddenAliasNotFound));
  EXPECT_TRUE(
      ali::is_error(call("Encrypt", {{"KeyId", "alias/nobody-has-this"}, {"Plaintext", "aGk="}}),
                    ErrorCode::ForbiddenAliasNotFound));
  EXPECT_TRUE(ali::is_error(call("DeleteAlias", {{"AliasName", "alias/nobody-has-this"}}),
                            ErrorCode::ForbiddenAliasNotFound));
  std::string id = create_key();
  EXPECT_TRUE(
      ali::is_error(call("UpdateAlias", {{"AliasName", "alias/nobody-has-this"}, {"KeyId", id}}),
                    ErrorCode::ForbiddenAliasNotFound));
}

TEST_F(AlibabaErrorsTest, DescribeKeyInvalidAccessKeyIdNotFound) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidAccessKeyIdNotFound));
  auto stranger = make_client("LTAInobodyknowsme0001", kAliSecret);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(
        ali::is_error(call_as(*stranger, "DescribeKey", {{"KeyId", kUnknownKeyId}}, with(signing)),
                      ErrorCode::InvalidAccessKeyIdNotFound))
        << signing_name(signing);
  }
}

// ---------------------------------------------------------------------------------------------
// Service codes (§5).

TEST_F(AlibabaErrorsTest, RejectedUnsupportedOperation) {
  // Manual versions are for asymmetric keys only (§4.4).
  EXPECT_TRUE(provokes(ErrorCode::RejectedUnsupportedOperation));
  std::string aes = create_key();
  std::string rsa_sign = create_key({{"KeySpec", "RSA_2048"}, {"KeyUsage", "SIGN/VERIFY"}});
  std::string ec = create_key({{"KeySpec", "EC_P256"}});
  // Rotation is for symmetric keys only (§4.4).
  for (const std::string& id : {rsa_sign, ec}) {
    EXPECT_TRUE(ali::is_error(
        call("UpdateRotationPolicy",
             {{"KeyId", id}, {"EnableAutomaticRotation", true}, {"RotationInterval", "30d"}}),
        ErrorCode::RejectedUnsupportedOperation));
  }
  // ...and not for EXTERNAL ones.
  EXPECT_TRUE(ali::is_error(call("UpdateRotationPolicy", {{"KeyId", external_key()},
                                                          {"EnableAutomaticRotation", true},
                                                          {"RotationInterval", "30d"}}),
                            ErrorCode::RejectedUnsupportedOperation));
  // An algorithm that does not fit the key spec (§3.6).
  std::string rsa_version = first_version(rsa_sign);
  EXPECT_TRUE(
      ali::is_error(call("AsymmetricSign", {{"KeyId", rsa_sign},
                                            {"KeyVersionId", rsa_version},
                                            {"Algorithm", "ECDSA_SHA_256"},
                                            {"Digest", base64_encode(std::string(32, 'd'))}}),
                    ErrorCode::RejectedUnsupportedOperation));
  EXPECT_TRUE(
      ali::is_error(call("AsymmetricSign", {{"KeyId", ec},
                                            {"KeyVersionId", first_version(ec)},
                                            {"Algorithm", "RSA_PSS_SHA_256"},
                                            {"Digest", base64_encode(std::string(32, 'd'))}}),
                    ErrorCode::RejectedUnsupportedOperation));
  // A key of the wrong usage or kind for the operation.
  EXPECT_TRUE(ali::is_error(call("Encrypt", {{"KeyId", rsa_sign}, {"Plaintext", "aGk="}}),
                            ErrorCode::RejectedUnsupportedOperation));
  EXPECT_TRUE(ali::is_error(call("AsymmetricEncrypt", {{"KeyId", rsa_sign},
                                                       {"KeyVersionId", rsa_version},
                                                       {"Algorithm", "RSAES_OAEP_SHA_256"},
                                                       {"Plaintext", "aGk="}}),
                            ErrorCode::RejectedUnsupportedOperation));
  // Manual versions are at least 7 days apart (§4.4).
  EXPECT_TRUE(ali::is_error(call("CreateKeyVersion", {{"KeyId", ec}}),
                            ErrorCode::RejectedUnsupportedOperation));
  clock_->advance(hours(24 * 7));
  EXPECT_TRUE(call("CreateKeyVersion", {{"KeyId", ec}}).ok());
  // A deletion-protected key cannot be scheduled for deletion (§4.3).
  ok("SetDeletionProtection",
     {{"ProtectedResourceArn", std::string("acs:kms:cn-hangzhou:") + kAliAccount + ":key/" + aes},
      {"EnableDeletionProtection", true},
      {"DeletionProtectionDescription", "in use"}});
  EXPECT_TRUE(ali::is_error(
      call("ScheduleKeyDeletion", {{"KeyId", aes}, {"PendingWindowInDays", 7}}),
      ErrorCode::RejectedUnsupportedOperation, {" Deletion protection is enabled for the key."}));
  EXPECT_EQ(key_state(aes), "Enabled");
  ok("SetDeletionProtection", {{"KeyId", aes}, {"EnableDeletionProtection", false}});
  EXPECT_TRUE(call("ScheduleKeyDeletion", {{"KeyId", aes}, {"PendingWindowInDays", 7}}).ok());
}

TEST_F(AlibabaErrorsTest, RejectedLimitExceededPastFiftyVersions) {
  // §4.9: ≤ 50 versions per key; the provocation makes 49 more, 7 days apart (§4.4).
  EXPECT_TRUE(provokes(ErrorCode::RejectedLimitExceeded));
  // The refused version was not made: the (only) key still has 50.
  json keys = ok("ListKeys");
  ASSERT_EQ(keys.value("TotalCount", 0), 1);
  std::string ec = keys["Keys"]["Key"][0].value("KeyId", "");
  EXPECT_EQ(ok("ListKeyVersions", {{"KeyId", ec}}).value("TotalCount", 0), 50);
  // And it stays refused later on.
  clock_->advance(hours(24 * 7) + seconds(1));
  EXPECT_TRUE(
      ali::is_error(call("CreateKeyVersion", {{"KeyId", ec}}), ErrorCode::RejectedLimitExceeded));
}

TEST_F(AlibabaErrorsTest, AliasAlreadyExists) {
  // The provocation names the first of two keys, then tries to give the name to the second.
  EXPECT_TRUE(provokes(ErrorCode::AliasAlreadyExists));
  json keys = ok("ListKeys");  // oldest first
  ASSERT_EQ(keys.value("TotalCount", 0), 2);
  std::string first = keys["Keys"]["Key"][0].value("KeyId", "");
  EXPECT_TRUE(ali::is_error(call("CreateAlias", {{"KeyId", first}, {"AliasName", "alias/taken"}}),
                            ErrorCode::AliasAlreadyExists));
  // The alias still names the first key.
  EXPECT_EQ(ok("DescribeKey", {{"KeyId", "alias/taken"}})["KeyMetadata"]["KeyId"], first);
}

TEST_F(AlibabaErrorsTest, InvalidKeyMaterial) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidKeyMaterial));  // not a ciphertext of the wrapping key
  std::string id = external_key();
  auto [token, wrapping] = import_parameters(id);
  ASSERT_FALSE(wrapping.empty());
  // Wrapped correctly, but 16 bytes for an Aliyun_AES_256 key (§3.7: 32).
  EXPECT_TRUE(
      ali::is_error(import(id, token, ali::wrap_oaep_sha256(wrapping, std::string(16, 'k'))),
                    ErrorCode::InvalidKeyMaterial));
  EXPECT_EQ(key_state(id), "PendingImport");
  // The right material goes in; a re-import must carry the very same bytes (§3.7).
  ASSERT_TRUE(import(id, token, ali::wrap_oaep_sha256(wrapping, std::string(32, 'k'))).ok());
  EXPECT_EQ(key_state(id), "Enabled");
  auto [token2, wrapping2] = import_parameters(id);
  EXPECT_TRUE(
      ali::is_error(import(id, token2, ali::wrap_oaep_sha256(wrapping2, std::string(32, 'K'))),
                    ErrorCode::InvalidKeyMaterial));
  EXPECT_TRUE(import(id, token2, ali::wrap_oaep_sha256(wrapping2, std::string(32, 'k'))).ok());
}

TEST_F(AlibabaErrorsTest, InvalidImportToken) {
  std::string id = external_key();
  std::string material(32, 'm');
  EXPECT_TRUE(provokes(ErrorCode::InvalidImportToken));  // no session yet
  auto [token, wrapping] = import_parameters(id);
  std::string wrapped = ali::wrap_oaep_sha256(wrapping, material);
  EXPECT_TRUE(
      ali::is_error(import(id, "bm90LWEtdG9rZW4=", wrapped), ErrorCode::InvalidImportToken));
  // Another key's token: tokens are bound to their key (§3.7).
  std::string other = external_key();
  auto [other_token, other_wrapping] = import_parameters(other);
  EXPECT_TRUE(ali::is_error(import(id, other_token, wrapped), ErrorCode::InvalidImportToken));
  // A newer session replaces the older token.
  auto [newer_token, newer_wrapping] = import_parameters(id);
  EXPECT_TRUE(ali::is_error(import(id, token, wrapped), ErrorCode::InvalidImportToken));
  EXPECT_TRUE(import(id, newer_token, ali::wrap_oaep_sha256(newer_wrapping, material)).ok());
}

TEST_F(AlibabaErrorsTest, ExpiredImportTokenAfter24Hours) {
  EXPECT_TRUE(provokes(ErrorCode::ExpiredImportToken));  // 24 h + 1 s after issue
  json keys = ok("ListKeys");
  ASSERT_EQ(keys.value("TotalCount", 0), 1);
  std::string id = keys["Keys"]["Key"][0].value("KeyId", "");
  EXPECT_EQ(key_state(id), "PendingImport");
  // Just inside the 24 h a fresh token works.
  auto [fresh, fresh_wrapping] = import_parameters(id);
  clock_->advance(hours(24) - seconds(1));
  EXPECT_TRUE(import(id, fresh, ali::wrap_oaep_sha256(fresh_wrapping, std::string(32, 'e'))).ok());
}

TEST_F(AlibabaErrorsTest, UnsupportedOriginForImportOnANonExternalKey) {
  EXPECT_TRUE(provokes(ErrorCode::UnsupportedOrigin));  // GetParametersForImport
  std::string id = create_key();
  EXPECT_TRUE(ali::is_error(
      call("ImportKeyMaterial",
           {{"KeyId", id}, {"ImportToken", "dG9rZW4="}, {"EncryptedKeyMaterial", "bWF0ZXJpYWw="}}),
      ErrorCode::UnsupportedOrigin));
  EXPECT_TRUE(
      ali::is_error(call("DeleteKeyMaterial", {{"KeyId", id}}), ErrorCode::UnsupportedOrigin));
  EXPECT_EQ(key_state(id), "Enabled");
}

TEST_F(AlibabaErrorsTest, ForbiddenKeyVersionNotFound) {
  std::string aes = create_key();
  std::string ec = create_key({{"KeySpec", "EC_P256"}});
  const std::string unknown = "11111111-2222-4333-8444-555555555555";
  EXPECT_TRUE(provokes(ErrorCode::ForbiddenKeyVersionNotFound));  // DescribeKeyVersion
  EXPECT_TRUE(ali::is_error(call("GetPublicKey", {{"KeyId", ec}, {"KeyVersionId", unknown}}),
                            ErrorCode::ForbiddenKeyVersionNotFound));
  // Another key's version is not this key's.
  EXPECT_TRUE(
      ali::is_error(call("GetPublicKey", {{"KeyId", ec}, {"KeyVersionId", first_version(aes)}}),
                    ErrorCode::ForbiddenKeyVersionNotFound));
  EXPECT_TRUE(
      ali::is_error(call("AsymmetricSign", {{"KeyId", ec},
                                            {"KeyVersionId", unknown},
                                            {"Algorithm", "ECDSA_SHA_256"},
                                            {"Digest", base64_encode(std::string(32, 'd'))}}),
                    ErrorCode::ForbiddenKeyVersionNotFound));
}

TEST_F(AlibabaErrorsTest, StateRefusals) {
  // The full matrix is state_matrix_test.cpp; one of each code here.
  EXPECT_TRUE(provokes(ErrorCode::RejectedDisabled));             // Encrypt
  EXPECT_TRUE(provokes(ErrorCode::RejectedPendingDeletion));      // GenerateDataKey
  EXPECT_TRUE(provokes(ErrorCode::RejectedStateModifiedFailed));  // EnableKey, PendingDeletion
  EXPECT_TRUE(provokes(ErrorCode::RejectedPendingImport));        // Encrypt
  std::string disabled = create_key();
  ok("DisableKey", {{"KeyId", disabled}});
  EXPECT_TRUE(ali::is_error(call("CancelKeyDeletion", {{"KeyId", disabled}}),
                            ErrorCode::RejectedStateModifiedFailed));
}

// ---------------------------------------------------------------------------------------------
// InternalFailure through the test-only fault hook (ReferenceServerOptions::fault_injection).

TEST_F(AlibabaFaultInjectionTest, TheCatchAllInternalFailureWithEverySigning) {
  EXPECT_TRUE(provokes(ErrorCode::InternalFailure));
  const std::string fault(server::kFaultUndefinedError);
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), with_fault(fault, signing)),
                              ErrorCode::InternalFailure))
        << signing_name(signing);
  }
  // The failed call did nothing; without the header the same call goes through.
  EXPECT_TRUE(ali::is_error(call("CreateKey", json::object(), with_fault(fault)),
                            ErrorCode::InternalFailure));
  EXPECT_EQ(ok("ListKeys")["TotalCount"], 0);
  std::string id = create_key();
  // A fault stands for the service failing, so it wins over DryRun's verdict too.
  EXPECT_TRUE(ali::is_error(
      call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}, with_fault(fault)),
      ErrorCode::InternalFailure));
}

TEST_F(AlibabaFaultInjectionTest, OnlyAfterAuthenticationAndAdmission) {
  const std::string fault(server::kFaultUndefinedError);
  EXPECT_TRUE(
      ali::is_error(call("ListKeys", json::object(), with_fault(fault, AlibabaSigning::V1PopCore)),
                    ErrorCode::InternalFailure));
  auto wrong_secret = make_client(kAliAccessKey, "not-the-secret");
  EXPECT_TRUE(ali::is_error(call_as(*wrong_secret, "ListKeys", json::object(), with_fault(fault)),
                            ErrorCode::SignatureDoesNotMatch));
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  EXPECT_TRUE(ali::is_error(call_as(*restricted, "CreateKey", json::object(), with_fault(fault)),
                            ErrorCode::ForbiddenNoPermission));
  auto closed = make_client(kClosedAk, kClosedSk);
  EXPECT_TRUE(ali::is_error(call_as(*closed, "ListKeys", json::object(), with_fault(fault)),
                            ErrorCode::ForbiddenKmsServiceNotEnabled));
}

TEST_F(AlibabaFaultInjectionTest, AnUnknownFaultIsInvalidParameterNamingTheHeader) {
  for (const char* name : {"NoSuchFault", "undefinederror", "InternalFailure"}) {
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), with_fault(name)),
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
  EXPECT_TRUE(provokes(ErrorCode::DryRunOperationError));
  std::string id = create_key();
  json sealed = ok("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}});
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(ali::is_error(
        call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}, with(signing)),
        ErrorCode::DryRunOperationError))
        << signing_name(signing);
  }
  EXPECT_TRUE(ali::is_error(
      call("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}, {"DryRun", "true"}}),
      ErrorCode::DryRunOperationError));
  EXPECT_TRUE(ali::is_error(call("GenerateDataKey", {{"KeyId", id}, {"DryRun", "true"}}),
                            ErrorCode::DryRunOperationError));
  // DryRun=false runs the call.
  EXPECT_TRUE(call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", false}}).ok());
}

TEST_F(AlibabaErrorsTest, ValidationErrorWhenTheDryRunWouldFail) {
  // The reason is the Message the call would have failed with: the spec's wording (§2.5, §5;
  // InvalidParameter names the parameter, docs/reference-server.md).
  EXPECT_TRUE(provokes(ErrorCode::ValidationError));  // "The specified Key is not found."
  std::string id = create_key();
  EXPECT_TRUE(ali::is_error(
      call("Encrypt", {{"KeyId", id}, {"DryRun", true}}), ErrorCode::ValidationError,
      {"The input parameter \"Plaintext\" that is mandatory for processing this request is not "
       "supplied."}));
  EXPECT_TRUE(ali::is_error(
      call("Decrypt", {{"CiphertextBlob", base64_encode(std::string(10, 'z'))}, {"DryRun", true}}),
      ErrorCode::ValidationError, {"The specified parameter \"CiphertextBlob\" is not valid."}));
  // A call the key's state would refuse would not have succeeded either.
  ok("DisableKey", {{"KeyId", id}});
  EXPECT_TRUE(ali::is_error(
      call("Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}, {"DryRun", true}}),
      ErrorCode::ValidationError, {"The request was rejected because the key state is Disabled."}));
}

TEST_F(AlibabaErrorsTest, AccessDeniedErrorWhenTheDryRunCallerMayNotCallTheAction) {
  EXPECT_TRUE(provokes(ErrorCode::AccessDeniedError));  // a DryRun Encrypt
  std::string id = create_key();
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  // Without DryRun it is the ordinary refusal.
  EXPECT_TRUE(ali::is_error(call_as(*restricted, "Encrypt", {{"KeyId", id}, {"Plaintext", "aGk="}}),
                            ErrorCode::ForbiddenNoPermission));
}

}  // namespace
}  // namespace kmsconf::testing::ali_errors
