#include "reference_server/alibaba/adapter.hpp"

#include <algorithm>
#include <set>

#include "protocol/alibaba/envelope.hpp"
#include "protocol/alibaba/errors.hpp"
#include "protocol/alibaba/signer.hpp"
#include "protocol/digest.hpp"
#include "reference_server/alibaba/call.hpp"
#include "reference_server/alibaba/names.hpp"
#include "reference_server/pipeline.hpp"

namespace kmsconf::server::alibaba {
namespace {

using kmsconf::alibaba::AuthFailure;
using kmsconf::alibaba::ErrorCode;
using kmsconf::alibaba::ResponseContext;

}  // namespace

const std::string_view kDeletionProtectedReason = " Deletion protection is enabled for the key.";

namespace {

struct Refusal {
  ErrorCode code;
  std::vector<std::string> args;
};

// Lifecycle calls refused by state answer StateModifiedFailed; data calls name the state (§4.2).
bool is_state_change(engine::KeyOp op) {
  using engine::KeyOp;
  return op == KeyOp::Enable || op == KeyOp::Disable || op == KeyOp::ScheduleDeletion ||
         op == KeyOp::CancelDeletion || op == KeyOp::CreateAlias || op == KeyOp::ImportKeyMaterial;
}

Refusal from_state(const engine::EngineError& e) {
  if (is_state_change(e.op())) return {ErrorCode::RejectedStateModifiedFailed, {}};
  switch (e.state()) {
    case engine::KeyState::Enabled:
      return {ErrorCode::RejectedEnabled, {}};
    case engine::KeyState::PendingDeletion:
      return {ErrorCode::RejectedPendingDeletion, {}};
    case engine::KeyState::PendingImport:
      return {ErrorCode::RejectedPendingImport, {}};
    case engine::KeyState::Disabled:
    case engine::KeyState::Archived:
      break;
  }
  return {ErrorCode::RejectedDisabled, {}};
}

Refusal from_invalid_parameter(const engine::EngineError& e) {
  switch (e.field()) {
    case engine::Field::ImportToken:
      return {
          e.detail() == "expired" ? ErrorCode::ExpiredImportToken : ErrorCode::InvalidImportToken,
          {}};
    case engine::Field::EncryptedKeyMaterial:
      return {ErrorCode::InvalidKeyMaterial, {}};
    case engine::Field::Algorithm:
      return {ErrorCode::RejectedUnsupportedOperation, {}};
    default:
      return {ErrorCode::InvalidParameter, {parameter_name(e.field())}};
  }
}

Refusal from_engine_error(const engine::EngineError& e) {
  using engine::ErrorKind;
  switch (e.kind()) {
    case ErrorKind::InvalidParameter:
      return from_invalid_parameter(e);
    case ErrorKind::InvalidCiphertext:
      return {ErrorCode::InvalidParameter, {"CiphertextBlob"}};
    case ErrorKind::InvalidKeyState:
      return from_state(e);
    case ErrorKind::NotFound:
      if (e.subject() == "alias") return {ErrorCode::ForbiddenAliasNotFound, {}};
      if (e.subject() == "version") return {ErrorCode::ForbiddenKeyVersionNotFound, {}};
      return {ErrorCode::ForbiddenKeyNotFound, {}};
    case ErrorKind::Conflict:
      if (e.subject() == "alias") return {ErrorCode::AliasAlreadyExists, {}};
      return {ErrorCode::InvalidParameter, {e.subject()}};
    case ErrorKind::InvalidOperation:
      if (e.subject() == "key origin") return {ErrorCode::UnsupportedOrigin, {}};
      return {ErrorCode::RejectedUnsupportedOperation, {}};
    case ErrorKind::UnsupportedOperation:
      return {ErrorCode::RejectedUnsupportedOperation, {}};
    case ErrorKind::DeletionProtected:
      // §4.3 publishes no code; the message names the reason [I].
      return {ErrorCode::RejectedUnsupportedOperation, {std::string(kDeletionProtectedReason)}};
    case ErrorKind::LimitExceeded:
      return {ErrorCode::RejectedLimitExceeded, {}};
    case ErrorKind::InvalidReplicaRegion:
      return {ErrorCode::InvalidParameter, {"RegionId"}};
    case ErrorKind::Internal:
      break;
  }
  return {ErrorCode::InternalFailure, {}};
}

Refusal from_failure(const Failure& failure) {
  switch (failure.kind) {
    case Failure::Kind::Parameter: {
      bool missing = failure.parameter->reason() == ParamError::Reason::Missing;
      return {missing ? ErrorCode::MissingParameter : ErrorCode::InvalidParameter,
              {failure.parameter->name()}};
    }
    case Failure::Kind::MalformedBody:
      return {ErrorCode::InvalidParameter, {"Body"}};
    case Failure::Kind::Engine:
      return from_engine_error(*failure.engine);
    case Failure::Kind::Internal:
      break;
  }
  return {ErrorCode::InternalFailure, {}};
}

// Operations that honour DryRun (§3.0): they validate, then refuse with DryRunOperationError.
bool takes_dry_run(std::string_view action) {
  static const std::set<std::string_view> actions{"Encrypt",
                                                  "Decrypt",
                                                  "GenerateDataKey",
                                                  "GenerateDataKeyWithoutPlaintext",
                                                  "GenerateAndExportDataKey",
                                                  "ExportDataKey",
                                                  "ReEncrypt",
                                                  "AsymmetricEncrypt",
                                                  "AsymmetricDecrypt",
                                                  "AsymmetricSign",
                                                  "AsymmetricVerify",
                                                  "GetPublicKey",
                                                  "GenerateMac",
                                                  "VerifyMac"};
  return actions.count(action) > 0;
}

bool has_true(const QueryPairs& params, std::string_view name) {
  return std::any_of(params.begin(), params.end(),
                     [&](const auto& p) { return p.first == name && p.second == "true"; });
}

// Operation parameters only: the V1 common parameters are the signature's, not the handler's.
Params operation_params(const QueryPairs& all) {
  static const std::set<std::string_view> common{
      "Action",          "Version",          "Format",         "AccessKeyId",
      "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp",
      "Signature",       "SecurityToken",    "SignatureType",  "RegionId"};
  QueryPairs kept;
  for (const auto& pair : all) {
    // RegionId is an operation parameter of the batch tag APIs, and ignored elsewhere.
    if (!common.count(pair.first) || pair.first == "RegionId") kept.push_back(pair);
  }
  return Params::from_pairs(kept);
}

}  // namespace

const std::vector<std::string>& default_regions() {
  static const std::vector<std::string> regions{"cn-hangzhou", "cn-shanghai", "cn-beijing",
                                                "cn-shenzhen", "ap-southeast-1"};
  return regions;
}

engine::EngineOptions engine_options(std::shared_ptr<const engine::Clock> clock,
                                     std::vector<std::string> regions) {
  engine::EngineOptions options = dialect_engine_options(std::move(clock), std::move(regions),
                                                         default_regions(), state_policy());
  options.layout = engine::CiphertextLayout::VersionIdText;
  options.min_pending_window_days = 7;
  options.max_pending_window_days = 366;
  options.max_versions_per_key = 50;
  options.min_manual_version_interval = std::chrono::hours(24 * 7);
  return options;
}

QuotaConfig default_quotas() {
  QuotaConfig quotas;
  std::string text = R"({
    "pools": {
      "symmetric": {"rate": 1000, "burst": 1000,
                    "actions": ["Encrypt", "Decrypt", "GenerateDataKey",
                                "GenerateDataKeyWithoutPlaintext"]},
      "asymmetric": {"rate": 200, "burst": 200,
                     "actions": ["AsymmetricEncrypt", "AsymmetricDecrypt", "AsymmetricSign",
                                 "AsymmetricVerify", "GetPublicKey"]},
      "reencrypt": {"rate": 750, "burst": 750, "actions": ["ReEncrypt"]}
    }
  })";
  quotas.merge_json_text(text, "alibaba default quotas");
  return quotas;
}

Adapter::Adapter(engine::Engine& engine, const CredentialStore& credentials, Throttler& throttler,
                 AdapterOptions options)
    : engine_(engine),
      credentials_(credentials),
      throttler_(throttler),
      options_(options),
      handlers_(
          handler_table({key_handlers, version_handlers, alias_handlers, symmetric_handlers,
                         asymmetric_handlers, import_handlers, tag_handlers, account_handlers})) {}

HttpResponse Adapter::reject(int, std::string_view reason) {
  ResponseContext context;
  context.request_id = kmsconf::alibaba::make_request_id();
  return kmsconf::alibaba::render_error(
      context, ErrorCode::InvalidParameter,
      kmsconf::alibaba::format_message(ErrorCode::InvalidParameter, {reason}));
}

HttpResponse Adapter::handle(const HttpRequest& request) {
  ResponseContext context;
  context.request_id = kmsconf::alibaba::make_request_id();
  context.host_id = std::string(request.header("Host"));
  auto refuse = [&](const Refusal& r) {
    return kmsconf::alibaba::render_error(context, r.code,
                                          kmsconf::alibaba::format_message(r.code, r.args));
  };
  // §1.1: every operation takes GET or POST; §2.5 refuses other methods before authentication.
  if (request.method != "GET" && request.method != "POST") {
    return refuse({ErrorCode::UnsupportedHTTPMethod, {}});
  }

  kmsconf::alibaba::VerifyOptions verify;
  verify.now = engine_.clock().now();
  verify.max_skew = options_.max_clock_skew;
  verify.check_timestamp = options_.check_timestamp;
  verify.legacy_timestamp_code = options_.legacy_timestamp_code;
  verify.require_nonce = options_.require_nonce;
  verify.echo_string_to_sign = false;  // it would carry request data (plaintexts) into messages
  verify.nonce_seen = [&](std::string_view ak, std::string_view nonce) {
    return nonces_.seen_or_record(ak, nonce, verify.now);
  };
  auto lookup = [&](std::string_view ak) -> std::optional<std::string> {
    const Credential* c = credentials_.find(std::string(ak));
    return c ? std::optional<std::string>(c->secret_access_key) : std::nullopt;
  };
  auto verified = kmsconf::alibaba::verify_request(request, lookup, verify);
  if (auto* failure = std::get_if<AuthFailure>(&verified)) {
    return refuse({failure->code, failure->message_args});
  }
  const auto& caller = std::get<kmsconf::alibaba::VerifiedCaller>(verified);
  context.action = caller.action;
  auto format = kmsconf::alibaba::response_format_from(caller.format);
  if (!format) return refuse({ErrorCode::InvalidParameter, {"Format"}});
  context.format = *format;
  if (caller.version != kmsconf::alibaba::kApiVersion)
    return refuse({ErrorCode::InvalidVersion, {}});
  auto handler = handlers_.find(caller.action);
  if (handler == handlers_.end()) return refuse({ErrorCode::InvalidActionNotFound, {}});

  const Credential& credential = *credentials_.find(caller.access_key_id);
  if (!credential.session_token.empty() &&
      (!caller.security_token ||
       !constant_time_equal(*caller.security_token, credential.session_token))) {
    return refuse({ErrorCode::InvalidSecurityTokenMismatchWithAccessKey, {}});
  }
  // DryRun=true (§3.0) never answers with the operation's output: AccessDeniedError,
  // ValidationError or DryRunOperationError.
  bool dry_run = takes_dry_run(caller.action) && has_true(caller.params, "DryRun");
  bool needs_open = caller.action != "DescribeAccountKmsStatus";
  switch (admit(credentials_, engine_, throttler_, credential, caller.action, needs_open)) {
    case Admission::ServiceNotOpen:
      return refuse({ErrorCode::ForbiddenKmsServiceNotEnabled, {}});
    case Admission::AccessDenied:
      return refuse(
          {dry_run ? ErrorCode::AccessDeniedError : ErrorCode::ForbiddenNoPermission, {}});
    case Admission::Throttled:
      return refuse({ErrorCode::RejectedThrottling, {}});
    case Admission::Admitted:
      break;
  }
  // Before DryRun: the fault stands for the service failing, whatever the call would do.
  if (auto fault = requested_fault(request, options_.fault_injection)) {
    return refuse(from_failure(*fault));
  }
  std::string region = engine_.regions().empty() ? "" : engine_.regions().front();
  // A DryRun is validated by running the call and discarding its answer: every operation that
  // takes DryRun only reads keys and computes, so it leaves nothing behind, and the verdict is
  // exactly the one the real call would get (parameters, key, state, usage, algorithm).
  auto outcome = run_guarded<std::optional<nlohmann::json>>([&] {
    Params params = operation_params(caller.params);
    Call call{engine_, {credential.account_id, region}, params};
    return handler->second(call);
  });
  if (auto* failure = std::get_if<Failure>(&outcome)) {
    Refusal refusal = from_failure(*failure);
    if (!dry_run) return refuse(refusal);
    return refuse({ErrorCode::ValidationError,
                   {kmsconf::alibaba::format_message(refusal.code, refusal.args)}});
  }
  if (dry_run) return refuse({ErrorCode::DryRunOperationError, {}});
  auto& result = std::get<std::optional<nlohmann::json>>(outcome);
  return kmsconf::alibaba::render_success(context, result ? *result : nlohmann::json::object());
}

}  // namespace kmsconf::server::alibaba
