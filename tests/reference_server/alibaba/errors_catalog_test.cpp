// Coverage of the Alibaba catalog (protocol/alibaba/errors.hpp; spec §1.5, §2.5, §3.0, §5) by the
// error tests: every entry is either provokable or catalog-only (with the spec's status), the
// provocation table has exactly one request per provokable code, and every one of those requests,
// sent over HTTP, answers exactly its code with the catalog's status, Message and envelope.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/reference_server/alibaba/errors_fixture.hpp"

namespace kmsconf::testing::ali_errors {
namespace {

// Emitted by the reference server; each has a provocation (errors_provocations.cpp) and tests in
// errors_gateway_test.cpp / errors_service_test.cpp that provoke it in more ways.
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

TEST(AlibabaErrorCatalogPartitionTest, TheProvocationTableHasOneEntryPerProvokableCode) {
  std::multiset<ErrorCode> in_table;
  for (const auto& p : AlibabaErrorsTest::provocations()) {
    in_table.insert(p.code);
    EXPECT_TRUE(p.send) << alibaba::error_info(p.code).name << " has no request";
  }
  const std::multiset<ErrorCode> listed(provokable().begin(), provokable().end());
  for (ErrorCode code : listed) {
    EXPECT_EQ(in_table.count(code), 1u)
        << alibaba::error_info(code).name << " is provokable, so it needs exactly one provocation";
  }
  for (ErrorCode code : in_table) {
    EXPECT_EQ(listed.count(code), 1u)
        << alibaba::error_info(code).name << " has a provocation but is not listed as provokable";
  }
}

// Runs, on a fresh server of each setup, every provocation that needs that setup.
class AlibabaErrorCoverageTest : public AlibabaErrorsTest,
                                 public ::testing::WithParamInterface<ServerSetup> {
 protected:
  ServerSetup server_setup() const override { return GetParam(); }
};

TEST_P(AlibabaErrorCoverageTest, EveryProvocationAnswersExactlyItsCode) {
  int ran = 0;
  for (const auto& p : provocations()) {
    if (p.setup != GetParam()) continue;
    ++ran;
    EXPECT_TRUE(provokes(p.code));
  }
  EXPECT_GT(ran, 0) << "no provocation needs setup " << setup_name(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Setups, AlibabaErrorCoverageTest,
                         ::testing::Values(ServerSetup::Plain, ServerSetup::LegacyTimestamps,
                                           ServerSetup::Throttled, ServerSetup::FaultInjection),
                         [](const ::testing::TestParamInfo<ServerSetup>& info) {
                           return std::string(setup_name(info.param));
                         });

}  // namespace
}  // namespace kmsconf::testing::ali_errors
