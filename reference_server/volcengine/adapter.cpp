#include "reference_server/volcengine/adapter.hpp"

#include <algorithm>

#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"
#include "protocol/volcengine/envelope.hpp"
#include "protocol/volcengine/errors.hpp"
#include "protocol/volcengine/signer.hpp"
#include "reference_server/pipeline.hpp"
#include "reference_server/volcengine/names.hpp"

namespace kmsconf::server::volcengine {
namespace {

using kmsconf::volcengine::AuthFailure;
using kmsconf::volcengine::ErrorCode;
using kmsconf::volcengine::ResponseMetadata;

// A refusal on its way to the envelope.
struct Refusal {
  ErrorCode code;
  std::vector<std::string> args;
};

// The old examples' region name, accepted in credential scopes as an alias.
constexpr std::string_view kLegacyRegion = "cn-north-1";
constexpr std::string_view kLegacyRegionTarget = "cn-beijing";

Refusal from_engine_error(const engine::EngineError& e) {
  using engine::ErrorKind;
  switch (e.kind()) {
    case ErrorKind::InvalidParameter:
      return {ErrorCode::InvalidParameter, {parameter_name(e.field())}};
    case ErrorKind::InvalidCiphertext:
      return {ErrorCode::InvalidParameter, {"CiphertextBlob"}};
    case ErrorKind::InvalidKeyState:
      return {ErrorCode::InvalidKeyStatus, {std::string(wire_name(key_states(), e.state()))}};
    case ErrorKind::NotFound:
      return {ErrorCode::NotFound, {e.subject(), e.detail()}};
    case ErrorKind::Conflict:
      return {ErrorCode::Conflict, {e.subject(), e.detail()}};
    case ErrorKind::InvalidReplicaRegion:
      return {ErrorCode::InvalidReplicaRegion, {e.subject()}};
    case ErrorKind::InvalidOperation:
    case ErrorKind::UnsupportedOperation:
    case ErrorKind::DeletionProtected:
    case ErrorKind::LimitExceeded:
      return {ErrorCode::InvalidOperation, {}};
    case ErrorKind::Internal:
      break;
  }
  return {ErrorCode::UndefinedError, {}};
}

Refusal from_failure(const Failure& failure) {
  switch (failure.kind) {
    case Failure::Kind::Parameter:
      return {ErrorCode::InvalidParameter, {failure.parameter->name()}};
    case Failure::Kind::MalformedBody:
      return {ErrorCode::InvalidParameter, {"Body"}};
    case Failure::Kind::Engine:
      return from_engine_error(*failure.engine);
    case Failure::Kind::Internal:
      break;
  }
  return {ErrorCode::UndefinedError, {}};
}

std::string query_value(const QueryPairs& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) return v;
  }
  return {};
}

}  // namespace

const std::vector<std::string>& default_regions() {
  static const std::vector<std::string> regions{"cn-beijing", "cn-shanghai", "cn-guangzhou",
                                                "cn-hongkong", "ap-southeast-1"};
  return regions;
}

engine::EngineOptions engine_options(std::shared_ptr<const engine::Clock> clock,
                                     std::vector<std::string> regions) {
  engine::EngineOptions options = dialect_engine_options(std::move(clock), std::move(regions),
                                                         default_regions(), state_policy());
  options.layout = engine::CiphertextLayout::KeyIdAndVersionNumber;
  options.min_pending_window_days = 7;
  options.max_pending_window_days = 30;
  return options;
}

Adapter::Adapter(engine::Engine& engine, const CredentialStore& credentials, Throttler& throttler,
                 AdapterOptions options)
    : engine_(engine),
      credentials_(credentials),
      throttler_(throttler),
      options_(options),
      handlers_(
          handler_table({keyring_handlers, key_handlers, symmetric_handlers, asymmetric_handlers,
                         import_handlers, multi_region_handlers, tag_handlers})) {}

HttpResponse Adapter::reject(int, std::string_view reason) {
  ResponseMetadata meta;
  meta.request_id = kmsconf::volcengine::make_request_id(engine_.clock().now());
  return kmsconf::volcengine::render_error(
      meta, ErrorCode::InvalidParameter,
      kmsconf::volcengine::format_message(ErrorCode::InvalidParameter, {reason}));
}

HttpResponse Adapter::handle(const HttpRequest& request) {
  ResponseMetadata meta;
  meta.request_id = kmsconf::volcengine::make_request_id(engine_.clock().now());
  meta.version = std::string(kApiVersion);
  meta.region = engine_.regions().empty() ? "" : engine_.regions().front();
  auto refuse = [&](const Refusal& r) {
    return kmsconf::volcengine::render_error(meta, r.code,
                                             kmsconf::volcengine::format_message(r.code, r.args));
  };

  // §2.4 steps 1-2: Action and Version live in the query string, also for POST.
  auto query = parse_query(request.raw_query);
  if (!query) return refuse({ErrorCode::InvalidParameter, {"QueryString"}});
  std::string action = query_value(*query, "Action");
  std::string version = query_value(*query, "Version");
  meta.action = action;
  if (!version.empty()) meta.version = version;
  if (action.empty()) return refuse({ErrorCode::MissingParameter, {"Action"}});
  if (version.empty()) return refuse({ErrorCode::MissingParameter, {"Version"}});
  auto handler = handlers_.find(action);
  if (version != kApiVersion || handler == handlers_.end()) {
    return refuse({ErrorCode::InvalidActionOrVersion, {action, version}});
  }

  // Steps 3-8: the signature.
  kmsconf::volcengine::VerifyOptions verify;
  verify.now = engine_.clock().now();
  verify.max_skew = options_.max_clock_skew;
  verify.check_timestamp = options_.check_timestamp;
  const auto& regions = engine_.regions();
  verify.region_known = [&](std::string_view region) {
    return region == kLegacyRegion ||
           std::find(regions.begin(), regions.end(), region) != regions.end();
  };
  auto lookup = [&](std::string_view ak) -> std::optional<std::string> {
    const Credential* c = credentials_.find(std::string(ak));
    return c ? std::optional<std::string>(c->secret_access_key) : std::nullopt;
  };
  auto verified = kmsconf::volcengine::verify_request(request, lookup, verify);
  if (auto* failure = std::get_if<AuthFailure>(&verified)) {
    return refuse({failure->code, failure->message_args});
  }
  const auto& caller = std::get<kmsconf::volcengine::VerifiedCaller>(verified);
  const Credential& credential = *credentials_.find(caller.access_key_id);
  meta.region = caller.region == kLegacyRegion ? std::string(kLegacyRegionTarget) : caller.region;
  if (!credential.session_token.empty() &&
      (!caller.session_token ||
       !constant_time_equal(*caller.session_token, credential.session_token))) {
    return refuse({ErrorCode::InvalidSecretToken, {"token does not match the access key"}});
  }

  // Step 9: account, IAM, throttling, then the operation itself.
  switch (admit(credentials_, engine_, throttler_, credential, action)) {
    case Admission::ServiceNotOpen:
      return refuse({ErrorCode::KmsServiceNotOpen, {}});
    case Admission::AccessDenied:
      return refuse({ErrorCode::AccessDenied, {}});
    case Admission::Throttled:
      return refuse({ErrorCode::RejectThrottlingAction, {action}});
    case Admission::Admitted:
      break;
  }
  if (auto fault = requested_fault(request, options_.fault_injection)) {
    return refuse(from_failure(*fault));
  }
  auto outcome = run_guarded<std::optional<nlohmann::json>>([&] {
    Params params = Params::from_request(request);
    Call call{engine_, {credential.account_id, meta.region}, params};
    return handler->second(call);
  });
  if (auto* failure = std::get_if<Failure>(&outcome)) return refuse(from_failure(*failure));
  auto& result = std::get<std::optional<nlohmann::json>>(outcome);
  return kmsconf::volcengine::render_success(meta, result ? &*result : nullptr);
}

}  // namespace kmsconf::server::volcengine
