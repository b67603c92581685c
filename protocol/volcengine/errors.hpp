// The one error catalog of the Volcengine KMS dialect (spec §1.4 business errors, §2.6 gateway
// errors). Server adapters render from it, the runner maps wire errors back through it; no other
// file spells a wire code.
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kmsconf::volcengine {

enum class ErrorCode {
  // KMS business errors (§1.4); they carry no CodeN.
  InvalidParameter,
  InvalidOperation,
  InvalidKeyStatus,
  InvalidReplicaRegion,
  RejectThrottlingAction,  // wire "Reject.Throttling.Action"
  AccessDenied,            // IAM deny of a KMS action
  KmsServiceNotOpen,       // wire "KMS_ServiceNotOpen"
  NotFound,                // wire "Not Found"
  Conflict,
  // Listed in both tables with the same status and text; one entry, rendered without CodeN
  // (the business form). error_code_from_wire still accepts the gateway form with CodeN 100001.
  UndefinedError,

  // Gateway errors (§2.6).
  MissingParameter,
  MissingAuthenticationToken,
  MissingRequestInfo,
  MissingSignature,
  InvalidTimestamp,
  ServiceNotFound,
  InvalidActionOrVersion,
  InvalidAccessKey,
  SignatureDoesNotMatch,
  ServiceShouldCallSelfApi,
  LackPolicy,
  GatewayAccessDenied,  // wire "AccessDenied" with CodeN 100013
  InternalError,
  InvalidAuthorization,
  InvalidCredential,
  InvalidSecretToken,
  LackProjectPolicy,
  FlowLimitExceeded,
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;  // the enumerator's name, for diagnostics
  int http_status;
  std::string_view wire_code;         // Error.Code
  std::optional<int> code_n;          // Error.CodeN, only where the spec publishes one
  std::string_view message_template;  // Error.Message with %s placeholders
};

const ErrorInfo& error_info(ErrorCode code);

// Every catalog entry, in enum order; lets tests provoke and check each code.
std::span<const ErrorInfo> all_errors();

// Fills the template's %s placeholders in order; missing arguments become empty, extra ones are
// ignored, and argument text is never re-scanned for placeholders.
std::string format_message(ErrorCode code, std::initializer_list<std::string_view> args);
std::string format_message(ErrorCode code, std::span<const std::string> args);

// Client side: maps Error.Code (+ CodeN when sent) back to the catalog. Where two entries share a
// wire code (AccessDenied) the CodeN decides and its absence means the business variant. An
// unknown wire code is still recognised by a known CodeN (older gateway tables used other names
// for 100007 and 100009).
std::optional<ErrorCode> error_code_from_wire(std::string_view code, std::optional<int> code_n);

}  // namespace kmsconf::volcengine
