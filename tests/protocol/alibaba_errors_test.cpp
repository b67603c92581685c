#include "protocol/alibaba/errors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace kmsconf::alibaba {
namespace {

struct SpecRow {
  ErrorCode code;
  int status;
  std::string_view wire;
};

// Transcribed from spec §2.5, §3.0, §3.9 and §5 independently of the catalog, so a typo in
// either shows. Statuses the spec leaves open are its §6 choice (400; AccessDeniedError 403).
const std::vector<SpecRow>& spec_table() {
  using E = ErrorCode;
  static const std::vector<SpecRow> rows{
      {E::MissingParameter, 400, "MissingParameter"},
      {E::InvalidParameter, 400, "InvalidParameter"},
      {E::IncompleteSignature, 400, "IncompleteSignature"},
      {E::SignatureDoesNotMatch, 400, "SignatureDoesNotMatch"},
      {E::InvalidSignatureMethod, 400, "InvalidSignatureMethod"},
      {E::InvalidTimeStampExpired, 400, "InvalidTimeStamp.Expired"},
      {E::InvalidTimeStampFormat, 400, "InvalidTimeStamp.Format"},
      {E::IllegalTimestamp, 400, "IllegalTimestamp"},
      {E::SignatureNonceUsed, 400, "SignatureNonceUsed"},
      {E::InvalidVersion, 400, "InvalidVersion"},
      {E::InvalidActionNotFound, 404, "InvalidAction.NotFound"},
      {E::InvalidAccessKeyIdNotFound, 404, "InvalidAccessKeyId.NotFound"},
      {E::InvalidAccessKeyIdInactive, 400, "InvalidAccessKeyId.Inactive"},
      {E::ForbiddenAccessKey, 403, "Forbidden.AccessKey"},
      {E::MissingSecurityToken, 400, "MissingSecurityToken"},
      {E::InvalidSecurityTokenExpired, 400, "InvalidSecurityToken.Expired"},
      {E::InvalidSecurityTokenMalformed, 400, "InvalidSecurityToken.Malformed"},
      {E::InvalidSecurityTokenMismatchWithAccessKey, 400,
       "InvalidSecurityToken.MismatchWithAccessKey"},
      {E::ContentMD5NotMatched, 400, "ContentMD5NotMatched"},
      {E::Throttling, 400, "Throttling"},
      {E::ThrottlingUser, 400, "Throttling.User"},
      {E::ThrottlingApi, 400, "Throttling.Api"},
      {E::RejectedThrottling, 429, "Rejected.Throttling"},
      {E::UnsupportedHTTPMethod, 403, "UnsupportedHTTPMethod"},
      {E::ForbiddenNoPermission, 403, "Forbidden.NoPermission"},
      {E::ParseRequestParameterException, 400, "ParseRequestParameterException"},
      {E::RejectedLimitExceeded, 400, "Rejected.LimitExceeded"},
      {E::RejectedUnsupportedOperation, 400, "Rejected.UnsupportedOperation"},
      {E::AliasAlreadyExists, 400, "AliasAlreadyExists"},
      {E::InvalidKeyMaterial, 400, "InvalidKeyMaterial"},
      {E::InvalidImportToken, 400, "InvalidImportToken"},
      {E::ExpiredImportToken, 400, "ExpiredImportToken"},
      {E::UnsupportedOrigin, 400, "Unsupported.Origin"},
      {E::UnsupportedAlias, 400, "Unsupported.Alias"},
      {E::UnsupportedProtectionLevel, 400, "Unsupported.ProtectionLevel"},
      {E::ForbiddenKmsServiceNotEnabled, 403, "Forbidden.KmsServiceNotEnabled"},
      {E::ForbiddenInDebt, 403, "Forbidden.InDebt"},
      {E::ForbiddenInDebtOverdue, 403, "Forbidden.InDebtOverdue"},
      {E::ForbiddenProhibitedByRiskControl, 403, "Forbidden.ProhibitedByRiskControl"},
      {E::ForbiddenUbsmsInvalidUserid, 403, "Forbidden.UbsmsInvalidUserid"},
      {E::ForbiddenUbsmsInvalidBid, 403, "Forbidden.UbsmsInvalidBid"},
      {E::ForbiddenKeyNotFound, 404, "Forbidden.KeyNotFound"},
      {E::ForbiddenKeyVersionNotFound, 404, "Forbidden.KeyVersionNotFound"},
      {E::ForbiddenAliasNotFound, 404, "Forbidden.AliasNotFound"},
      {E::RejectedDisabled, 409, "Rejected.Disabled"},
      {E::RejectedPendingDeletion, 409, "Rejected.PendingDeletion"},
      {E::RejectedPendingImport, 409, "Rejected.PendingImport"},
      {E::RejectedEnabled, 409, "Rejected.Enabled"},
      {E::RejectedStateModifiedFailed, 409, "Rejected.StateModifiedFailed"},
      {E::InternalFailure, 500, "InternalFailure"},
      {E::ServiceUnavailableTemporary, 503, "ServiceUnavailableTemporary"},
      {E::CreateLXOrderFailed, 400, "CreateLXOrderFailed"},
      {E::ForbiddenNoRealNameAuthentication, 400, "Forbidden.NoRealNameAuthentication"},
      {E::ForbiddenOpened, 400, "Forbidden.Opened"},
      {E::DryRunOperationError, 400, "DryRunOperationError"},
      {E::ValidationError, 400, "ValidationError"},
      {E::AccessDeniedError, 403, "AccessDeniedError"},
  };
  return rows;
}

TEST(AlibabaErrors, CatalogMatchesTheSpecTables) {
  ASSERT_EQ(all_errors().size(), spec_table().size());
  for (const SpecRow& row : spec_table()) {
    const ErrorInfo& info = error_info(row.code);
    EXPECT_EQ(info.code, row.code) << row.wire;
    EXPECT_EQ(info.http_status, row.status) << row.wire;
    EXPECT_EQ(info.wire_code, row.wire);
    EXPECT_FALSE(info.message_template.empty()) << row.wire;
  }
}

TEST(AlibabaErrors, NamesAreTheWireCodesWithoutDots) {
  for (const ErrorInfo& info : all_errors()) {
    std::string undotted(info.wire_code);
    std::erase(undotted, '.');
    EXPECT_EQ(info.name, undotted);
  }
}

TEST(AlibabaErrors, WireCodesAreUniqueAndRoundTrip) {
  std::set<std::string_view> seen;
  for (const ErrorInfo& info : all_errors()) {
    EXPECT_TRUE(seen.insert(info.wire_code).second) << info.wire_code;
    EXPECT_EQ(error_code_from_wire(info.wire_code), info.code) << info.wire_code;
  }
}

TEST(AlibabaErrors, FromWireToleratesTheDocTyposOnly) {
  EXPECT_EQ(error_code_from_wire("SerivceUnavailableTemporary"),
            ErrorCode::ServiceUnavailableTemporary);
  EXPECT_EQ(error_code_from_wire("Rejetced.PendingDeletion"), ErrorCode::RejectedPendingDeletion);
  EXPECT_FALSE(error_code_from_wire("forbidden.keynotfound"));  // codes are case-sensitive
  EXPECT_FALSE(error_code_from_wire("InvalidTimeStamp"));
  EXPECT_FALSE(error_code_from_wire(""));
  EXPECT_FALSE(error_code_from_wire("Rejected.ResourceExist"));  // secrets only, not modelled
}

TEST(AlibabaErrors, StatusesAreOnesTheSpecUses) {
  const std::set<int> allowed{400, 403, 404, 409, 429, 500, 503};
  for (const ErrorInfo& info : all_errors()) {
    EXPECT_TRUE(allowed.contains(info.http_status)) << info.name;
  }
}

TEST(AlibabaErrors, GatewayWordingWhereObserved) {
  EXPECT_EQ(format_message(ErrorCode::MissingParameter, {"Timestamp"}),
            "The input parameter \"Timestamp\" that is mandatory for processing this request is "
            "not supplied.");
  EXPECT_EQ(format_message(ErrorCode::InvalidTimeStampExpired, {}),
            "Specified time stamp or date value is expired.");
  EXPECT_EQ(format_message(ErrorCode::SignatureNonceUsed, {}),
            "Specified signature nonce was used already.");
  EXPECT_EQ(format_message(ErrorCode::InvalidActionNotFound, {}),
            "Specified api is not found, please check your url and method.");
  EXPECT_EQ(format_message(ErrorCode::ForbiddenKeyNotFound, {}), "The specified Key is not found.");
  EXPECT_EQ(format_message(ErrorCode::RejectedThrottling, {}), "The QPS upper limit is exceeded.");
  EXPECT_EQ(format_message(ErrorCode::SignatureDoesNotMatch, {" server string to sign is:X"}),
            "Specified signature is not matched with our calculation. server string to sign is:X");
  EXPECT_EQ(format_message(ErrorCode::SignatureDoesNotMatch, {}),
            "Specified signature is not matched with our calculation.");
}

TEST(AlibabaErrors, FormatMessageFillsInOrderAndNeverRescans) {
  EXPECT_EQ(format_message(ErrorCode::InvalidSignatureMethod, {"SignatureMethod", "%s"}),
            "Specified SignatureMethod \"%s\" is not supported.");
  EXPECT_EQ(format_message(ErrorCode::InvalidSignatureMethod, {"SignatureVersion"}),
            "Specified SignatureVersion \"\" is not supported.");
  const std::vector<std::string> args{"Format", "extra"};
  EXPECT_EQ(format_message(ErrorCode::InvalidParameter, args),
            "The specified parameter \"Format\" is not valid.");
}

}  // namespace
}  // namespace kmsconf::alibaba
