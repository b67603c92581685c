#include "protocol/alibaba/errors.hpp"

#include <array>
#include <cstddef>
#include <utility>

#include "protocol/message_template.hpp"

namespace kmsconf::alibaba {
namespace {

using E = ErrorCode;

// Indexed by the enum value; the static_asserts below keep the two in step. "[ours]" marks a
// message the spec does not publish.
constexpr std::array kCatalog{
    // §2.5 gateway errors.
    ErrorInfo{E::MissingParameter, "MissingParameter", 400, "MissingParameter",
              "The input parameter \"%s\" that is mandatory for processing this request is not "
              "supplied."},
    // The doc text names no parameter; we add the name so callers can tell which one [ours].
    ErrorInfo{E::InvalidParameter, "InvalidParameter", 400, "InvalidParameter",
              "The specified parameter \"%s\" is not valid."},
    ErrorInfo{E::IncompleteSignature, "IncompleteSignature", 400, "IncompleteSignature",
              "The request signature does not conform to Alibaba Cloud standards."},
    // The gateway appends " server string to sign is:<StringToSign>"; the verifier passes that
    // suffix as the argument (see VerifyOptions::echo_string_to_sign), or nothing.
    ErrorInfo{E::SignatureDoesNotMatch, "SignatureDoesNotMatch", 400, "SignatureDoesNotMatch",
              "Specified signature is not matched with our calculation.%s"},
    ErrorInfo{E::InvalidSignatureMethod, "InvalidSignatureMethod", 400, "InvalidSignatureMethod",
              "Specified %s \"%s\" is not supported."},  // [ours]
    ErrorInfo{E::InvalidTimeStampExpired, "InvalidTimeStampExpired", 400,
              "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."},
    ErrorInfo{E::InvalidTimeStampFormat, "InvalidTimeStampFormat", 400, "InvalidTimeStamp.Format",
              "Specified time stamp or date value is not well formatted."},
    ErrorInfo{E::IllegalTimestamp, "IllegalTimestamp", 400, "IllegalTimestamp",
              "The input parameter \"Timestamp\" that is mandatory for processing this request is "
              "not supplied."},
    ErrorInfo{E::SignatureNonceUsed, "SignatureNonceUsed", 400, "SignatureNonceUsed",
              "Specified signature nonce was used already."},
    ErrorInfo{E::InvalidVersion, "InvalidVersion", 400, "InvalidVersion",
              "Specified parameter Version is not valid."},
    ErrorInfo{E::InvalidActionNotFound, "InvalidActionNotFound", 404, "InvalidAction.NotFound",
              "Specified api is not found, please check your url and method."},
    ErrorInfo{E::InvalidAccessKeyIdNotFound, "InvalidAccessKeyIdNotFound", 404,
              "InvalidAccessKeyId.NotFound", "Specified access key is not found."},
    ErrorInfo{E::InvalidAccessKeyIdInactive, "InvalidAccessKeyIdInactive", 400,
              "InvalidAccessKeyId.Inactive", "Specified access key is disabled."},
    ErrorInfo{E::ForbiddenAccessKey, "ForbiddenAccessKey", 403, "Forbidden.AccessKey",
              "This AccessKey is not enabled."},
    ErrorInfo{E::MissingSecurityToken, "MissingSecurityToken", 400, "MissingSecurityToken",
              "SecurityToken is mandatory for this access key."},  // [ours]
    ErrorInfo{E::InvalidSecurityTokenExpired, "InvalidSecurityTokenExpired", 400,
              "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."},
    ErrorInfo{E::InvalidSecurityTokenMalformed, "InvalidSecurityTokenMalformed", 400,
              "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed."},
    ErrorInfo{E::InvalidSecurityTokenMismatchWithAccessKey,
              "InvalidSecurityTokenMismatchWithAccessKey", 400,
              "InvalidSecurityToken.MismatchWithAccessKey",
              "Specified SecurityToken mismatch with the AccessKey."},
    ErrorInfo{E::ContentMD5NotMatched, "ContentMD5NotMatched", 400, "ContentMD5NotMatched",
              "Specified content md5 is not matched with your request body."},
    ErrorInfo{E::Throttling, "Throttling", 400, "Throttling",
              "Request was denied due to request throttling."},
    ErrorInfo{E::ThrottlingUser, "ThrottlingUser", 400, "Throttling.User",
              "Request was denied due to user flow control."},
    ErrorInfo{E::ThrottlingApi, "ThrottlingApi", 400, "Throttling.Api",
              "Request was denied due to api flow control."},
    ErrorInfo{E::RejectedThrottling, "RejectedThrottling", 429, "Rejected.Throttling",
              "The QPS upper limit is exceeded."},
    ErrorInfo{E::UnsupportedHTTPMethod, "UnsupportedHTTPMethod", 403, "UnsupportedHTTPMethod",
              "This http method is not supported."},
    ErrorInfo{E::ForbiddenNoPermission, "ForbiddenNoPermission", 403, "Forbidden.NoPermission",
              "This operation is forbidden by permission system."},
    // §5 service errors.
    ErrorInfo{E::ParseRequestParameterException, "ParseRequestParameterException", 400,
              "ParseRequestParameterException", "Server parse parameters exception."},
    // §5's wording verbatim (lower-case "user"), with the full stop every Message ends with.
    ErrorInfo{E::RejectedLimitExceeded, "RejectedLimitExceeded", 400, "Rejected.LimitExceeded",
              "user create resource limit was exceeded."},
    ErrorInfo{E::RejectedUnsupportedOperation, "RejectedUnsupportedOperation", 400,
              "Rejected.UnsupportedOperation", "Unsupported operation.%s"},  // %s: optional why
    ErrorInfo{E::AliasAlreadyExists, "AliasAlreadyExists", 400, "AliasAlreadyExists",
              "AliasName Already Exists."},
    ErrorInfo{E::InvalidKeyMaterial, "InvalidKeyMaterial", 400, "InvalidKeyMaterial",
              "The key material is invalid."},
    ErrorInfo{E::InvalidImportToken, "InvalidImportToken", 400, "InvalidImportToken",
              "The import token is invalid."},
    ErrorInfo{E::ExpiredImportToken, "ExpiredImportToken", 400, "ExpiredImportToken",
              "The import token is expired."},
    ErrorInfo{E::UnsupportedOrigin, "UnsupportedOrigin", 400, "Unsupported.Origin",
              "The specified Origin is not valid for this API or region."},
    ErrorInfo{E::UnsupportedAlias, "UnsupportedAlias", 400, "Unsupported.Alias",
              "The specified Alias is not valid for this API or region."},
    ErrorInfo{E::UnsupportedProtectionLevel, "UnsupportedProtectionLevel", 400,
              "Unsupported.ProtectionLevel",
              "The specified ProtectionLevel is not valid for this API or region."},
    ErrorInfo{E::ForbiddenKmsServiceNotEnabled, "ForbiddenKmsServiceNotEnabled", 403,
              "Forbidden.KmsServiceNotEnabled", "KMS not enabled for current user."},
    // The five account-status codes have no published text [ours].
    ErrorInfo{E::ForbiddenInDebt, "ForbiddenInDebt", 403, "Forbidden.InDebt",
              "The account has an overdue payment."},
    ErrorInfo{E::ForbiddenInDebtOverdue, "ForbiddenInDebtOverdue", 403, "Forbidden.InDebtOverdue",
              "The account's payment is long overdue."},
    ErrorInfo{E::ForbiddenProhibitedByRiskControl, "ForbiddenProhibitedByRiskControl", 403,
              "Forbidden.ProhibitedByRiskControl", "The account is prohibited by risk control."},
    ErrorInfo{E::ForbiddenUbsmsInvalidUserid, "ForbiddenUbsmsInvalidUserid", 403,
              "Forbidden.UbsmsInvalidUserid", "The user ID is not valid for this service."},
    ErrorInfo{E::ForbiddenUbsmsInvalidBid, "ForbiddenUbsmsInvalidBid", 403,
              "Forbidden.UbsmsInvalidBid", "The business ID is not valid for this service."},
    ErrorInfo{E::ForbiddenKeyNotFound, "ForbiddenKeyNotFound", 404, "Forbidden.KeyNotFound",
              "The specified Key is not found."},
    ErrorInfo{E::ForbiddenKeyVersionNotFound, "ForbiddenKeyVersionNotFound", 404,
              "Forbidden.KeyVersionNotFound", "The specified Key version is not found."},
    ErrorInfo{E::ForbiddenAliasNotFound, "ForbiddenAliasNotFound", 404, "Forbidden.AliasNotFound",
              "The specified Alias is not found."},
    ErrorInfo{E::RejectedDisabled, "RejectedDisabled", 409, "Rejected.Disabled",
              "The request was rejected because the key state is Disabled."},
    ErrorInfo{E::RejectedPendingDeletion, "RejectedPendingDeletion", 409,
              "Rejected.PendingDeletion",
              "The request was rejected because the key state is PendingDeletion."},
    ErrorInfo{E::RejectedPendingImport, "RejectedPendingImport", 409, "Rejected.PendingImport",
              "The request was rejected because the key state is PendingImport."},
    ErrorInfo{E::RejectedEnabled, "RejectedEnabled", 409, "Rejected.Enabled",
              "The request was rejected because the key state is Enabled."},
    ErrorInfo{E::RejectedStateModifiedFailed, "RejectedStateModifiedFailed", 409,
              "Rejected.StateModifiedFailed", "Keystate modified failed."},
    ErrorInfo{E::InternalFailure, "InternalFailure", 500, "InternalFailure", "Internal Failure."},
    ErrorInfo{E::ServiceUnavailableTemporary, "ServiceUnavailableTemporary", 503,
              "ServiceUnavailableTemporary", "Service Unavailable Temporary."},
    // §3.9 OpenKmsService; no published text [ours].
    ErrorInfo{E::CreateLXOrderFailed, "CreateLXOrderFailed", 400, "CreateLXOrderFailed",
              "Failed to create the order that opens KMS."},
    ErrorInfo{E::ForbiddenNoRealNameAuthentication, "ForbiddenNoRealNameAuthentication", 400,
              "Forbidden.NoRealNameAuthentication",
              "The account has not completed real-name authentication."},
    ErrorInfo{E::ForbiddenOpened, "ForbiddenOpened", 400, "Forbidden.Opened",
              "KMS is already enabled for this account."},
    // §3.0 DryRun outcomes; no published text [ours].
    ErrorInfo{E::DryRunOperationError, "DryRunOperationError", 400, "DryRunOperationError",
              "Request would have succeeded, but DryRun flag is set."},
    ErrorInfo{E::ValidationError, "ValidationError", 400, "ValidationError",
              "The DryRun request did not pass validation: %s"},
    ErrorInfo{E::AccessDeniedError, "AccessDeniedError", 403, "AccessDeniedError",
              "The DryRun request would have been denied access."},
};

static_assert(is_indexed_by_code(kCatalog), "kCatalog must list codes in enum order");
static_assert(kCatalog.back().code == ErrorCode::AccessDeniedError, "a code is missing");

// Misspellings printed on older KMS pages (§5); never emitted, accepted from the wire.
constexpr std::array<std::pair<std::string_view, ErrorCode>, 2> kDocTypos{{
    {"SerivceUnavailableTemporary", E::ServiceUnavailableTemporary},
    {"Rejetced.PendingDeletion", E::RejectedPendingDeletion},
}};

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  return kCatalog.at(static_cast<std::size_t>(code));
}

std::span<const ErrorInfo> all_errors() {
  return kCatalog;
}

std::string format_message(ErrorCode code, std::initializer_list<std::string_view> args) {
  return fill_placeholders(error_info(code).message_template, args);
}

std::string format_message(ErrorCode code, std::span<const std::string> args) {
  return fill_placeholders(error_info(code).message_template, args);
}

std::optional<ErrorCode> error_code_from_wire(std::string_view code) {
  for (const ErrorInfo& info : kCatalog) {
    if (info.wire_code == code) return info.code;
  }
  for (const auto& [typo, mapped] : kDocTypos) {
    if (typo == code) return mapped;
  }
  return std::nullopt;
}

}  // namespace kmsconf::alibaba
