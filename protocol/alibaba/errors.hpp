// The one error catalog of the Alibaba Cloud KMS dialect (spec §2.5 gateway errors, §3.0 DryRun
// outcomes, §3.9 OpenKmsService, §5 service errors). Server adapters render from it, the runner
// maps wire errors back through it; no other file spells a wire code.
//
// Statuses the spec marks [I] (Throttling.User/Api, InvalidVersion, InvalidAccessKeyId.Inactive,
// the STS codes, InvalidSignatureMethod, InvalidTimeStamp.Format, DryRun*) follow its §6 choice:
// 400, except AccessDeniedError 403. Messages are the gateway/doc wording; where the spec gives
// none the wording is ours (marked in errors.cpp).
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kmsconf::alibaba {

enum class ErrorCode {
  // §2.5 gateway (authentication / protocol) errors.
  MissingParameter,
  InvalidParameter,
  IncompleteSignature,
  SignatureDoesNotMatch,
  InvalidSignatureMethod,
  InvalidTimeStampExpired,  // wire "InvalidTimeStamp.Expired"
  InvalidTimeStampFormat,   // wire "InvalidTimeStamp.Format"
  IllegalTimestamp,         // KMS's legacy code for both of the above
  SignatureNonceUsed,
  InvalidVersion,
  InvalidActionNotFound,       // 404 "InvalidAction.NotFound"
  InvalidAccessKeyIdNotFound,  // 404 "InvalidAccessKeyId.NotFound"
  InvalidAccessKeyIdInactive,  // "InvalidAccessKeyId.Inactive"
  ForbiddenAccessKey,          // 403 "Forbidden.AccessKey"
  MissingSecurityToken,
  InvalidSecurityTokenExpired,                // "InvalidSecurityToken.Expired"
  InvalidSecurityTokenMalformed,              // "InvalidSecurityToken.Malformed"
  InvalidSecurityTokenMismatchWithAccessKey,  // "InvalidSecurityToken.MismatchWithAccessKey"
  ContentMD5NotMatched,  // ROA only; V3 body-hash mismatches are SignatureDoesNotMatch
  Throttling,
  ThrottlingUser,         // "Throttling.User"
  ThrottlingApi,          // "Throttling.Api"
  RejectedThrottling,     // 429 "Rejected.Throttling"
  UnsupportedHTTPMethod,  // 403
  ForbiddenNoPermission,  // 403 "Forbidden.NoPermission"

  // §5 service errors.
  ParseRequestParameterException,
  RejectedLimitExceeded,         // "Rejected.LimitExceeded"
  RejectedUnsupportedOperation,  // "Rejected.UnsupportedOperation"
  AliasAlreadyExists,
  InvalidKeyMaterial,
  InvalidImportToken,
  ExpiredImportToken,
  UnsupportedOrigin,                 // "Unsupported.Origin"
  UnsupportedAlias,                  // "Unsupported.Alias"
  UnsupportedProtectionLevel,        // "Unsupported.ProtectionLevel"
  ForbiddenKmsServiceNotEnabled,     // 403 "Forbidden.KmsServiceNotEnabled"
  ForbiddenInDebt,                   // 403 "Forbidden.InDebt"
  ForbiddenInDebtOverdue,            // 403 "Forbidden.InDebtOverdue"
  ForbiddenProhibitedByRiskControl,  // 403 "Forbidden.ProhibitedByRiskControl"
  ForbiddenUbsmsInvalidUserid,       // 403 "Forbidden.UbsmsInvalidUserid"
  ForbiddenUbsmsInvalidBid,          // 403 "Forbidden.UbsmsInvalidBid"
  ForbiddenKeyNotFound,              // 404 "Forbidden.KeyNotFound"
  ForbiddenKeyVersionNotFound,       // 404 "Forbidden.KeyVersionNotFound"
  ForbiddenAliasNotFound,            // 404 "Forbidden.AliasNotFound"
  RejectedDisabled,                  // 409 "Rejected.Disabled"
  RejectedPendingDeletion,           // 409 "Rejected.PendingDeletion"
  RejectedPendingImport,             // 409 "Rejected.PendingImport"
  RejectedEnabled,                   // 409 "Rejected.Enabled"
  RejectedStateModifiedFailed,       // 409 "Rejected.StateModifiedFailed"
  InternalFailure,                   // 500
  ServiceUnavailableTemporary,       // 503

  // §3.9 OpenKmsService.
  CreateLXOrderFailed,
  ForbiddenNoRealNameAuthentication,  // "Forbidden.NoRealNameAuthentication"
  ForbiddenOpened,                    // "Forbidden.Opened"

  // §3.0 DryRun=true outcomes (the call never executes).
  DryRunOperationError,  // would have succeeded
  ValidationError,
  AccessDeniedError,  // 403
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;  // the enumerator's name, for diagnostics
  int http_status;
  std::string_view wire_code;         // the body's Code
  std::string_view message_template;  // the body's Message, with %s placeholders
};

const ErrorInfo& error_info(ErrorCode code);

// Every catalog entry, in enum order; lets tests provoke and check each code.
std::span<const ErrorInfo> all_errors();

// Fills the template's %s placeholders in order; missing arguments become empty, extra ones are
// ignored, and argument text is never re-scanned for placeholders.
std::string format_message(ErrorCode code, std::initializer_list<std::string_view> args);
std::string format_message(ErrorCode code, std::span<const std::string> args);

// Client side: the catalog entry of a wire Code. Exact (case-sensitive, as the gateway spells
// codes) and also accepts the misspellings of older KMS pages (§5): "SerivceUnavailableTemporary"
// and "Rejetced.PendingDeletion". nullopt for codes outside the catalog.
std::optional<ErrorCode> error_code_from_wire(std::string_view code);

}  // namespace kmsconf::alibaba
