#include "protocol/volcengine/errors.hpp"

#include <array>
#include <cstddef>

#include "protocol/message_template.hpp"

namespace kmsconf::volcengine {
namespace {

// Shared by two entries (business and gateway AccessDenied); spelled once.
constexpr std::string_view kAccessDenied = "AccessDenied";

using E = ErrorCode;

// Indexed by the enum value; the static_assert below keeps the two in step.
constexpr std::array kCatalog{
    // §1.4 KMS business errors.
    ErrorInfo{E::InvalidParameter, "InvalidParameter", 400, "InvalidParameter", std::nullopt,
              "The request parameter %s is invalid."},
    ErrorInfo{E::InvalidOperation, "InvalidOperation", 400, "InvalidOperation", std::nullopt,
              "The request was rejected because the specified resource is not valid for this "
              "operation."},
    ErrorInfo{E::InvalidKeyStatus, "InvalidKeyStatus", 400, "InvalidKeyStatus", std::nullopt,
              "Current key status: %s does not allow to perform this action"},
    ErrorInfo{E::InvalidReplicaRegion, "InvalidReplicaRegion", 400, "InvalidReplicaRegion",
              std::nullopt, "The replica region [%s] is not valid"},
    ErrorInfo{E::RejectThrottlingAction, "RejectThrottlingAction", 403, "Reject.Throttling.Action",
              std::nullopt, "The request of Action: %s upper limit is exceeded."},
    ErrorInfo{E::AccessDenied, "AccessDenied", 403, kAccessDenied, std::nullopt,
              "User is not authorized to do this action"},
    ErrorInfo{E::KmsServiceNotOpen, "KmsServiceNotOpen", 403, "KMS_ServiceNotOpen", std::nullopt,
              "KMS service not open yet, please open the service and try again later."},
    ErrorInfo{E::NotFound, "NotFound", 404, "Not Found", std::nullopt, "Not found %s [%s]."},
    ErrorInfo{E::Conflict, "Conflict", 409, "Conflict", std::nullopt,
              "The %s resource %s is conflict."},
    ErrorInfo{E::UndefinedError, "UndefinedError", 500, "UndefinedError", std::nullopt,
              "Undefined Internal Error. Pls Contact With Admin."},
    // §2.6 gateway errors.
    ErrorInfo{E::MissingParameter, "MissingParameter", 400, "MissingParameter", 100002,
              "The request is missing %s parameter."},
    ErrorInfo{E::MissingAuthenticationToken, "MissingAuthenticationToken", 401,
              "MissingAuthenticationToken", 100003, "Request is missing Authentication Token"},
    ErrorInfo{E::MissingRequestInfo, "MissingRequestInfo", 400, "MissingRequestInfo", 100004,
              "The request is missing %s information."},
    ErrorInfo{E::MissingSignature, "MissingSignature", 401, "MissingSignature", 100005,
              "The request is missing signature."},
    // The Volcengine page says 403, the BytePlus page 400; we follow the Volcengine page.
    ErrorInfo{E::InvalidTimestamp, "InvalidTimestamp", 403, "InvalidTimestamp", 100006,
              "The Signature of the request is expired"},
    ErrorInfo{E::ServiceNotFound, "ServiceNotFound", 404, "ServiceNotFound", 100007,
              "This service[%s] not found."},
    ErrorInfo{E::InvalidActionOrVersion, "InvalidActionOrVersion", 404, "InvalidActionOrVersion",
              100008, "Could not find operation %s for version %s"},
    ErrorInfo{E::InvalidAccessKey, "InvalidAccessKey", 401, "InvalidAccessKey", 100009,
              "The accesskey [%s] included in the request is invalid."},
    ErrorInfo{E::SignatureDoesNotMatch, "SignatureDoesNotMatch", 401, "SignatureDoesNotMatch",
              100010,
              "The request signature we calculated does not match the signature you provided. "
              "Check your Secret Access Key and signing method. Consult the service documentation "
              "for details."},
    ErrorInfo{E::ServiceShouldCallSelfApi, "ServiceShouldCallSelfApi", 403,
              "ServiceShouldCallSelfApi", 100011, "The service(%s) should call self-api"},
    ErrorInfo{E::LackPolicy, "LackPolicy", 403, "LackPolicy", 100012,
              "Request was rejected because of lack of policy."},
    ErrorInfo{E::GatewayAccessDenied, "GatewayAccessDenied", 403, kAccessDenied, 100013,
              "User is not authorized to perform: %s on resource: %s"},
    ErrorInfo{E::InternalError, "InternalError", 500, "InternalError", 100014,
              "Service has some internal Error. Pls Contact With Admin"},
    ErrorInfo{E::InvalidAuthorization, "InvalidAuthorization", 400, "InvalidAuthorization",
              std::nullopt, "Invalid 'Authorization' header, Pls check authorization header."},
    ErrorInfo{E::InvalidCredential, "InvalidCredential", 400, "InvalidCredential", std::nullopt,
              "Invalid credential in 'Authorization', Pls check credential in authorization "
              "header."},
    ErrorInfo{E::InvalidSecretToken, "InvalidSecretToken", 401, "InvalidSecretToken", std::nullopt,
              "Invalid secret token, msg: %s."},
    ErrorInfo{E::LackProjectPolicy, "LackProjectPolicy", 403, "LackProjectPolicy", std::nullopt,
              "Request was rejected because of lack of project policy."},
    // The spec publishes no text for this one; the wording is ours.
    ErrorInfo{E::FlowLimitExceeded, "FlowLimitExceeded", 429, "FlowLimitExceeded", std::nullopt,
              "The request flow limit is exceeded, please try again later."},
};

static_assert(is_indexed_by_code(kCatalog), "kCatalog must list codes in enum order");
static_assert(kCatalog.back().code == ErrorCode::FlowLimitExceeded, "a code is missing");

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

std::optional<ErrorCode> error_code_from_wire(std::string_view code, std::optional<int> code_n) {
  const ErrorInfo* only_match = nullptr;
  const ErrorInfo* without_code_n = nullptr;
  int matches = 0;
  for (const ErrorInfo& info : kCatalog) {
    if (info.wire_code != code) continue;
    if (code_n && info.code_n == code_n) return info.code;
    only_match = &info;
    if (!info.code_n) without_code_n = &info;
    ++matches;
  }
  if (matches == 1) return only_match->code;
  if (matches > 1 && without_code_n) return without_code_n->code;
  if (matches == 0 && code_n) {
    for (const ErrorInfo& info : kCatalog) {
      if (info.code_n == code_n) return info.code;
    }
  }
  return std::nullopt;
}

}  // namespace kmsconf::volcengine
