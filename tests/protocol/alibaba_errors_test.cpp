// The Alibaba error catalog (protocol/alibaba/errors.*) against the spec: every code with its
// status and wire spelling, the Message wording the spec quotes, and the message formatter.
#include "protocol/alibaba/errors.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
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

// ---------------------------------------------------------------------------------------------
// Messages. Where the spec quotes a code's Message (§1.5 example, §2.5 gateway texts, §5
// catalogue), that wording is pinned here literally; "X" / "…" in the spec become %s. Where it
// quotes only part of the text, the part is pinned, and the rest only where
// docs/reference-server.md ("Error messages") documents it. Codes the spec gives no wording
// (our inferred text) are pinned only where that doc documents them.

struct MessageRow {
  ErrorCode code;
  std::vector<std::string_view> spec_parts;  // the spec's own words, in order, each literal
  std::optional<std::string_view> pinned;    // the whole template, when documented
  const char* basis;
};

// The spec quotes the whole text.
MessageRow spec(ErrorCode code, std::string_view text, const char* basis) {
  return {code, {text}, text, basis};
}
// The spec quotes parts; `full` is the documented whole (nullopt: not documented).
MessageRow spec_parts(ErrorCode code, std::vector<std::string_view> parts,
                      std::optional<std::string_view> full, const char* basis) {
  return {code, std::move(parts), full, basis};
}
// No wording in the spec; docs/reference-server.md documents ours.
MessageRow documented(ErrorCode code, std::string_view text) {
  return {code, {}, text, "[ours] docs/reference-server.md"};
}
// No wording in the spec and none documented (never sent by the reference server).
MessageRow unworded(ErrorCode code) {
  return {code, {}, std::nullopt, "[ours] not documented"};
}

const std::vector<MessageRow>& message_table() {
  using E = ErrorCode;
  static const std::vector<MessageRow> rows{
      spec(E::MissingParameter,
           "The input parameter \"%s\" that is mandatory for processing this request is not "
           "supplied.",
           "§2.5 gateway text"),
      spec_parts(E::InvalidParameter, {"The specified parameter ", " is not valid."},
                 "The specified parameter \"%s\" is not valid.",
                 "§5 'The specified parameter is not valid.', naming the parameter (docs)"),
      spec(E::IncompleteSignature,
           "The request signature does not conform to Alibaba Cloud standards.", "§5"),
      // The gateway appends " server string to sign is:<StringToSign>" (§1.5, §2.5) in the %s;
      // the reference server leaves it empty (docs).
      spec_parts(E::SignatureDoesNotMatch,
                 {"Specified signature is not matched with our calculation."},
                 "Specified signature is not matched with our calculation.%s", "§2.5"),
      documented(E::InvalidSignatureMethod, "Specified %s \"%s\" is not supported."),
      spec(E::InvalidTimeStampExpired, "Specified time stamp or date value is expired.", "§2.5"),
      documented(E::InvalidTimeStampFormat,
                 "Specified time stamp or date value is not well formatted."),
      // §5 abridges it as 'The input parameter "Timestamp" … is not supplied.'; the "…" is
      // §2.5's MissingParameter gateway text.
      spec_parts(E::IllegalTimestamp, {"The input parameter \"Timestamp\" ", " is not supplied."},
                 "The input parameter \"Timestamp\" that is mandatory for processing this request "
                 "is not supplied.",
                 "§5, completed from §2.5"),
      spec(E::SignatureNonceUsed, "Specified signature nonce was used already.", "§2.5"),
      spec(E::InvalidVersion, "Specified parameter Version is not valid.", "§2.5"),
      spec(E::InvalidActionNotFound,
           "Specified api is not found, please check your url and method.", "§2.5"),
      spec(E::InvalidAccessKeyIdNotFound, "Specified access key is not found.",
           "§2.5 gateway text"),
      unworded(E::InvalidAccessKeyIdInactive),
      spec(E::ForbiddenAccessKey, "This AccessKey is not enabled.", "§5"),
      documented(E::MissingSecurityToken, "SecurityToken is mandatory for this access key."),
      unworded(E::InvalidSecurityTokenExpired),
      unworded(E::InvalidSecurityTokenMalformed),
      documented(E::InvalidSecurityTokenMismatchWithAccessKey,
                 "Specified SecurityToken mismatch with the AccessKey."),
      unworded(E::ContentMD5NotMatched),
      spec(E::Throttling, "Request was denied due to request throttling.", "§2.5, §5"),
      spec(E::ThrottlingUser, "Request was denied due to user flow control.", "§2.5"),
      // §2.5 quotes the user flow-control text for the Throttling.User/Api row.
      spec_parts(E::ThrottlingApi, {"Request was denied due to ", " flow control."}, std::nullopt,
                 "§2.5, by analogy"),
      spec(E::RejectedThrottling, "The QPS upper limit is exceeded.", "§2.5, §5"),
      spec(E::UnsupportedHTTPMethod, "This http method is not supported.", "§5"),
      spec_parts(E::ForbiddenNoPermission, {"forbidden by permission system"},
                 "This operation is forbidden by permission system.", "§5 (abridged)"),
      spec(E::ParseRequestParameterException, "Server parse parameters exception.", "§5"),
      spec_parts(E::RejectedLimitExceeded, {"user create resource limit was exceeded"},
                 "user create resource limit was exceeded.", "§5"),
      // The %s carries an optional reason (docs: deletion protection, §4.3).
      spec_parts(E::RejectedUnsupportedOperation, {"Unsupported operation."},
                 "Unsupported operation.%s", "§5"),
      spec(E::AliasAlreadyExists, "AliasName Already Exists.", "§5"),
      documented(E::InvalidKeyMaterial, "The key material is invalid."),
      documented(E::InvalidImportToken, "The import token is invalid."),
      documented(E::ExpiredImportToken, "The import token is expired."),
      spec_parts(E::UnsupportedOrigin, {"not valid for this API or region"},
                 "The specified Origin is not valid for this API or region.", "§5 (abridged)"),
      spec_parts(E::UnsupportedAlias, {"not valid for this API or region"}, std::nullopt,
                 "§5 (abridged)"),
      spec_parts(E::UnsupportedProtectionLevel, {"not valid for this API or region"}, std::nullopt,
                 "§5 (abridged)"),
      spec_parts(E::ForbiddenKmsServiceNotEnabled, {"KMS not enabled for current user"},
                 "KMS not enabled for current user.", "§5"),
      unworded(E::ForbiddenInDebt),
      unworded(E::ForbiddenInDebtOverdue),
      unworded(E::ForbiddenProhibitedByRiskControl),
      unworded(E::ForbiddenUbsmsInvalidUserid),
      unworded(E::ForbiddenUbsmsInvalidBid),
      spec(E::ForbiddenKeyNotFound, "The specified Key is not found.", "§1.5, §5"),
      spec(E::ForbiddenKeyVersionNotFound, "The specified Key version is not found.", "§5"),
      spec(E::ForbiddenAliasNotFound, "The specified Alias is not found.", "§5"),
      // §5: "The request was rejected because the key state is X." for the four codes.
      spec(E::RejectedDisabled, "The request was rejected because the key state is Disabled.",
           "§5"),
      spec(E::RejectedPendingDeletion,
           "The request was rejected because the key state is PendingDeletion.", "§5"),
      spec(E::RejectedPendingImport,
           "The request was rejected because the key state is PendingImport.", "§5"),
      spec(E::RejectedEnabled, "The request was rejected because the key state is Enabled.", "§5"),
      spec(E::RejectedStateModifiedFailed, "Keystate modified failed.", "§5"),
      spec(E::InternalFailure, "Internal Failure.", "§5"),
      spec(E::ServiceUnavailableTemporary, "Service Unavailable Temporary.", "§5"),
      unworded(E::CreateLXOrderFailed),
      unworded(E::ForbiddenNoRealNameAuthentication),
      unworded(E::ForbiddenOpened),
      documented(E::DryRunOperationError, "Request would have succeeded, but DryRun flag is set."),
      documented(E::ValidationError, "The DryRun request did not pass validation: %s"),
      documented(E::AccessDeniedError, "The DryRun request would have been denied access."),
  };
  return rows;
}

TEST(AlibabaErrors, MessageTableCoversTheCatalogOnce) {
  std::multiset<ErrorCode> listed;
  for (const MessageRow& row : message_table()) listed.insert(row.code);
  for (const ErrorInfo& info : all_errors()) {
    EXPECT_EQ(listed.count(info.code), 1u) << info.name;
  }
  EXPECT_EQ(listed.size(), all_errors().size());
}

TEST(AlibabaErrors, TemplatesCarryTheSpecWordingLiterally) {
  for (const MessageRow& row : message_table()) {
    const std::string_view text = error_info(row.code).message_template;
    size_t from = 0;
    for (std::string_view part : row.spec_parts) {
      const size_t at = text.find(part, from);
      EXPECT_NE(at, std::string_view::npos) << error_info(row.code).name << ": '" << text
                                            << "' lacks '" << part << "' (" << row.basis << ")";
      if (at != std::string_view::npos) from = at + part.size();
    }
  }
}

TEST(AlibabaErrors, DocumentedTemplatesArePinnedWhole) {
  for (const MessageRow& row : message_table()) {
    const ErrorInfo& info = error_info(row.code);
    if (row.pinned) {
      EXPECT_EQ(info.message_template, *row.pinned) << info.name << " (" << row.basis << ")";
    } else {
      EXPECT_FALSE(info.message_template.empty()) << info.name;
    }
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
