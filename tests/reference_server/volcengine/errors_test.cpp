// Every error of the Volcengine catalog (protocol/volcengine/errors.hpp, spec §1.4 and §2.6):
// each entry is provokable or catalog-only, the provocation table (errors_provocations.cpp) has
// one request per provokable code and every one of them, sent over HTTP, answers exactly its code
// (HTTP status, Error.Code, Error.CodeN present exactly when the catalog has one, the formatted
// Message). Then the seed page's error table (ReplicateKey) code by code, and UndefinedError
// through the test-only fault hook. Gateway codes: errors_gateway_test.cpp; bad input:
// errors_bad_input_test.cpp.
#include <set>
#include <string>
#include <vector>

#include "tests/reference_server/volcengine/errors_fixture.hpp"

namespace kmsconf::testing::volc_errors {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Which catalog entries the tests provoke, and which they can only assert as catalog entries.

// Emitted by the reference server; each has a provocation (errors_provocations.cpp) and tests
// here or in errors_gateway_test.cpp that provoke it in more ways.
const std::vector<ErrorCode>& provokable() {
  static const std::vector<ErrorCode> codes{
      ErrorCode::InvalidParameter,
      ErrorCode::InvalidOperation,
      ErrorCode::InvalidKeyStatus,
      ErrorCode::InvalidReplicaRegion,
      ErrorCode::RejectThrottlingAction,
      ErrorCode::AccessDenied,
      ErrorCode::KmsServiceNotOpen,
      ErrorCode::NotFound,
      ErrorCode::Conflict,
      ErrorCode::UndefinedError,  // through the test-only fault hook
      ErrorCode::MissingParameter,
      ErrorCode::MissingAuthenticationToken,
      ErrorCode::MissingRequestInfo,
      ErrorCode::MissingSignature,
      ErrorCode::InvalidTimestamp,
      ErrorCode::InvalidActionOrVersion,
      ErrorCode::InvalidAccessKey,
      ErrorCode::SignatureDoesNotMatch,
      ErrorCode::InvalidAuthorization,
      ErrorCode::InvalidCredential,
      ErrorCode::InvalidSecretToken,
  };
  return codes;
}

// Gateway codes of other services or other gateway layers: the reference server has no
// projects, no policies beyond allowed_actions (whose refusal is the business AccessDenied), no
// second service to route to and no gateway-level flow limit (KMS documents its own throttling
// code), so it never sends these. Spec status per code, from §2.6.
struct CatalogOnly {
  ErrorCode code;
  int spec_status;
  std::optional<int> spec_code_n;
};
const std::vector<CatalogOnly>& catalog_only() {
  static const std::vector<CatalogOnly> codes{
      {ErrorCode::ServiceNotFound, 404, 100007},
      {ErrorCode::ServiceShouldCallSelfApi, 403, 100011},
      {ErrorCode::LackPolicy, 403, 100012},
      {ErrorCode::LackProjectPolicy, 403, std::nullopt},
      {ErrorCode::GatewayAccessDenied, 403, 100013},
      {ErrorCode::InternalError, 500, 100014},
      {ErrorCode::FlowLimitExceeded, 429, std::nullopt},
  };
  return codes;
}

TEST(ErrorCatalogPartitionTest, EveryCatalogEntryIsProvokedOrDocumentedAsCatalogOnly) {
  std::multiset<ErrorCode> listed(provokable().begin(), provokable().end());
  for (const auto& entry : catalog_only()) listed.insert(entry.code);
  for (const volcengine::ErrorInfo& info : volcengine::all_errors()) {
    EXPECT_EQ(listed.count(info.code), 1u) << info.name << " must be in exactly one list";
  }
  EXPECT_EQ(listed.size(), volcengine::all_errors().size());
}

TEST(ErrorCatalogPartitionTest, CatalogOnlyCodesExistWithTheSpecStatus) {
  for (const auto& entry : catalog_only()) {
    const auto& info = volcengine::error_info(entry.code);
    EXPECT_EQ(info.http_status, entry.spec_status) << info.name;
    EXPECT_EQ(info.code_n, entry.spec_code_n) << info.name;
    EXPECT_FALSE(info.wire_code.empty()) << info.name;
    EXPECT_FALSE(info.message_template.empty()) << info.name;
    EXPECT_EQ(volcengine::error_code_from_wire(info.wire_code, info.code_n), entry.code)
        << info.name;
  }
  // The two AccessDenied entries share a wire code; CodeN tells the gateway one apart.
  EXPECT_EQ(volcengine::error_info(ErrorCode::GatewayAccessDenied).wire_code,
            volcengine::error_info(ErrorCode::AccessDenied).wire_code);
  EXPECT_EQ(volcengine::format_message(ErrorCode::ServiceNotFound, {"kms"}),
            "This service[kms] not found.");
}

TEST(ErrorCatalogPartitionTest, TheProvocationTableHasOneEntryPerProvokableCode) {
  std::multiset<ErrorCode> in_table;
  for (const auto& p : ErrorCatalogHttpTest::provocations()) {
    in_table.insert(p.code);
    EXPECT_TRUE(p.send) << volcengine::error_info(p.code).name << " has no request";
  }
  const std::multiset<ErrorCode> listed(provokable().begin(), provokable().end());
  for (ErrorCode code : listed) {
    EXPECT_EQ(in_table.count(code), 1u) << volcengine::error_info(code).name
                                        << " is provokable, so it needs exactly one provocation";
  }
  for (ErrorCode code : in_table) {
    EXPECT_EQ(listed.count(code), 1u) << volcengine::error_info(code).name
                                      << " has a provocation but is not listed as provokable";
  }
}

// Runs, on a fresh server of each setup, every provocation that needs that setup.
class ErrorCoverageTest : public ErrorCatalogHttpTest,
                          public ::testing::WithParamInterface<ServerSetup> {
 protected:
  ServerSetup server_setup() const override { return GetParam(); }
};

TEST_P(ErrorCoverageTest, EveryProvocationAnswersExactlyItsCode) {
  int ran = 0;
  for (const auto& p : provocations()) {
    if (p.setup != GetParam()) continue;
    ++ran;
    EXPECT_TRUE(provokes(p.code));
  }
  EXPECT_GT(ran, 0) << "no provocation needs setup " << setup_name(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Setups, ErrorCoverageTest,
                         ::testing::Values(ServerSetup::Plain, ServerSetup::Throttled,
                                           ServerSetup::FaultInjection),
                         [](const ::testing::TestParamInfo<ServerSetup>& info) {
                           return std::string(setup_name(info.param));
                         });

TEST(ErrorCatalogPartitionTest, UndefinedErrorCatalogEntry) {
  // Spec §1.4 and §2.6: 500, the fixed text; the catalog renders the business form (no CodeN)
  // but still recognises the gateway form with CodeN 100001.
  const auto& info = volcengine::error_info(ErrorCode::UndefinedError);
  EXPECT_EQ(info.http_status, 500);
  EXPECT_EQ(info.wire_code, "UndefinedError");
  EXPECT_EQ(info.code_n, std::nullopt);
  EXPECT_EQ(volcengine::format_message(ErrorCode::UndefinedError, {}),
            "Undefined Internal Error. Pls Contact With Admin.");
  EXPECT_EQ(volcengine::error_code_from_wire("UndefinedError", 100001), ErrorCode::UndefinedError);
  EXPECT_EQ(volcengine::error_code_from_wire("UndefinedError", std::nullopt),
            ErrorCode::UndefinedError);
}

// ---------------------------------------------------------------------------------------------
// The seed's table (ReplicateKey), code by code.

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidParameter) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidParameter));  // no ReplicaRegion
  std::string id = create_mrk("mrk-a");
  EXPECT_TRUE(
      wire::is_error(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", std::string(65, 'x')}}),
                     ErrorCode::InvalidParameter, {"ReplicaRegion"}));
  EXPECT_TRUE(wire::is_error(call("ReplicateKey", {{"ReplicaRegion", "cn-shanghai"}}),
                             ErrorCode::InvalidParameter, {"KeyID"}));
  EXPECT_TRUE(wire::is_error(call("ReplicateKey", {{"KeyID", id},
                                                   {"ReplicaRegion", "cn-shanghai"},
                                                   {"Description", std::string(8193, 'd')}}),
                             ErrorCode::InvalidParameter, {"Description"}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidOperation) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidOperation));  // not a multi-region key
  // A replica is not the primary.
  std::string primary = create_mrk("mrk-b");
  json replica = ok("ReplicateKey", {{"KeyID", primary}, {"ReplicaRegion", "cn-shanghai"}});
  std::string replica_id = replica["ReplicaKey"]["ID"];
  client::CallOptions in_shanghai;
  in_shanghai.region = "cn-shanghai";
  EXPECT_TRUE(wire::is_error(
      call("ReplicateKey", {{"KeyID", replica_id}, {"ReplicaRegion", "cn-guangzhou"}}, in_shanghai),
      ErrorCode::InvalidOperation));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidReplicaRegion) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidReplicaRegion));  // eu-nowhere-9
  std::string id = create_mrk("mrk-c");
  EXPECT_TRUE(wire::is_error(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", kRegion}}),
                             ErrorCode::InvalidReplicaRegion, {kRegion}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidKeyStatus) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidKeyStatus));  // Disable
  std::string id = create_mrk("mrk-d");
  ok("ScheduleKeyDeletion", {{"KeyID", id}});
  EXPECT_TRUE(
      wire::is_error(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}),
                     ErrorCode::InvalidKeyStatus, {"PendingDelete"}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyAccessDeniedForAnActionOutsideAllowedActions) {
  EXPECT_TRUE(provokes(ErrorCode::AccessDenied));
  // The refused call changed nothing; an allowed action of the same credential goes through.
  json keys = ok("DescribeKeys", {{"KeyringName", "ring"}})["Keys"];  // the provocation's key
  ASSERT_EQ(keys.size(), 1u);
  std::string id = keys[0].value("ID", "");
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  auto described = call_as(*restricted, "DescribeKey", {{"KeyID", id}});
  ASSERT_TRUE(described.ok()) << described.parsed.message;
  EXPECT_EQ(described.result()["Key"]["MultiRegionConfiguration"]["ReplicaKeys"].size(), 0u);
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyServiceNotOpenForAClosedAccount) {
  EXPECT_TRUE(provokes(ErrorCode::KmsServiceNotOpen));
  auto closed = make_client(kClosedAk, kClosedSk);
  // Every action, even a read, of that account.
  EXPECT_TRUE(wire::is_error(call_as(*closed, "DescribeRegions"), ErrorCode::KmsServiceNotOpen));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyNotFound) {
  EXPECT_TRUE(provokes(ErrorCode::NotFound));  // an unknown KeyID
  EXPECT_TRUE(wire::is_error(
      call("ReplicateKey",
           {{"KeyringName", "no-ring"}, {"KeyName", "mrk-x"}, {"ReplicaRegion", "cn-shanghai"}}),
      ErrorCode::NotFound, {"keyring", "no-ring"}));
  create_keyring("ring");
  EXPECT_TRUE(wire::is_error(
      call("ReplicateKey",
           {{"KeyringName", "ring"}, {"KeyName", "mrk-missing"}, {"ReplicaRegion", "cn-shanghai"}}),
      ErrorCode::NotFound, {"key", "mrk-missing"}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyConflictWhenTheReplicaExists) {
  EXPECT_TRUE(provokes(ErrorCode::Conflict));
}

TEST_F(ErrorCatalogHttpTest, ConflictOnCreatingAnExistingName) {
  create_keyring("ring");
  EXPECT_TRUE(wire::is_error(call("CreateKeyring", {{"KeyringName", "ring"}}), ErrorCode::Conflict,
                             {"keyring", "ring"}));
  create_key("ring", "key");
  EXPECT_TRUE(wire::is_error(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "key"}}),
                             ErrorCode::Conflict, {"key", "key"}));
}

TEST_F(ThrottledReplicateKeyTest, ReplicateKeyRejectThrottlingAction) {
  EXPECT_TRUE(provokes(ErrorCode::RejectThrottlingAction));  // the bucket's one token is spent
  // The refused replication was not made.
  json keys = ok("DescribeKeys", {{"KeyringName", "ring"}})["Keys"];  // the provocation's key
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["MultiRegionConfiguration"]["ReplicaKeys"].size(), 1u);
}

TEST_F(ErrorCatalogHttpTest, InvalidOperationForAMismatchedKeyKind) {
  std::string signing =
      create_key("ring", "signer", {{"KeySpec", "EC_P256"}, {"KeyUsage", "SIGN_VERIFY"}});
  EXPECT_TRUE(
      wire::is_error(call("Encrypt", {{"KeyID", signing}, {"Plaintext", base64_encode("x")}}),
                     ErrorCode::InvalidOperation));
}

// ---------------------------------------------------------------------------------------------
// UndefinedError through the test-only fault hook (ReferenceServerOptions::fault_injection).

TEST_F(FaultInjectionTest, UndefinedErrorForTheSeedsReplicateKeyAndAnyOtherAction) {
  EXPECT_TRUE(provokes(ErrorCode::UndefinedError));  // DescribeKeyrings
  std::string id = create_mrk("mrk-fault");
  const std::string fault(server::kFaultUndefinedError);
  EXPECT_TRUE(wire::is_error(
      call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}, with_fault(fault)),
      ErrorCode::UndefinedError));
  EXPECT_TRUE(wire::is_error(call("DescribeKeyrings", json::object(), with_fault(fault)),
                             ErrorCode::UndefinedError));
  // The failed call did nothing: no replica was made, and without the header it goes through.
  EXPECT_EQ(
      ok("DescribeKey", {{"KeyID", id}})["Key"]["MultiRegionConfiguration"]["ReplicaKeys"].size(),
      0u);
  EXPECT_TRUE(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}).ok());
}

TEST_F(FaultInjectionTest, OnlyAfterAuthenticationAndAdmission) {
  const std::string fault(server::kFaultUndefinedError);
  auto wrong_secret = make_client(kAccessKey, "d3Jvbmctc2VjcmV0");
  EXPECT_TRUE(
      wire::is_error(call_as(*wrong_secret, "DescribeKeyrings", json::object(), with_fault(fault)),
                     ErrorCode::SignatureDoesNotMatch));
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  EXPECT_TRUE(
      wire::is_error(call_as(*restricted, "DescribeKeyrings", json::object(), with_fault(fault)),
                     ErrorCode::AccessDenied));
  auto closed = make_client(kClosedAk, kClosedSk);
  EXPECT_TRUE(
      wire::is_error(call_as(*closed, "DescribeKeyrings", json::object(), with_fault(fault)),
                     ErrorCode::KmsServiceNotOpen));
}

TEST_F(FaultInjectionTest, AnUnknownFaultIsInvalidParameterNamingTheHeader) {
  for (const char* name : {"NoSuchFault", "undefinederror", "InternalFailure"}) {
    EXPECT_TRUE(wire::is_error(call("DescribeKeyrings", json::object(), with_fault(name)),
                               ErrorCode::InvalidParameter, {std::string(server::kFaultHeader)}))
        << "'" << name << "'";
  }
}

TEST_F(ErrorCatalogHttpTest, TheFaultHeaderIsIgnoredWhenTheHookIsOff) {
  for (const std::string& name : {std::string(server::kFaultUndefinedError), std::string("x")}) {
    auto r = call("CreateKeyring", {{"KeyringName", "ring-" + name}}, with_fault(name));
    EXPECT_TRUE(r.ok()) << name << " -> " << r.parsed.status << " " << r.parsed.message;
  }
  EXPECT_EQ(ok("DescribeKeyrings")["Keyrings"].size(), 2u);
}

}  // namespace
}  // namespace kmsconf::testing::volc_errors
