// The Volcengine KMS 2021-02-18 descriptor: catalog view, builder and parser (dialect.hpp).
#include "client/dialect.hpp"
#include "client/volcengine_client.hpp"
#include "protocol/volcengine/envelope.hpp"
#include "protocol/volcengine/errors.hpp"

namespace kmsconf::client {
namespace {

const DialectDescriptor& volcengine_descriptor();

bool known_code(std::string_view code) {
  return volcengine::error_code_from_wire(code, std::nullopt).has_value();
}

Cause cause_of(std::string_view code) {
  if (is_throttling(volcengine_descriptor(), code)) return Cause::Throttled;
  using E = volcengine::ErrorCode;
  auto known = volcengine::error_code_from_wire(code, std::nullopt);
  if (!known) return Cause::None;
  switch (*known) {
    case E::MissingAuthenticationToken:
    case E::MissingSignature:
    case E::InvalidAccessKey:
    case E::SignatureDoesNotMatch:
    case E::InvalidAuthorization:
    case E::InvalidCredential:
    case E::InvalidSecretToken:
      return Cause::Authentication;
    case E::InvalidTimestamp:
      return Cause::Clock;
    case E::MissingRequestInfo:  // the credential scope's region is unknown (spec §2.4)
      return Cause::Region;
    case E::KmsServiceNotOpen:
      return Cause::ServiceNotOpen;
    default:
      return Cause::None;
  }
}

HttpRequest build(const Call& call) {
  volcengine::Credentials credentials{call.credentials.access_key_id, call.credentials.secret,
                                      call.credentials.session_token};
  return build_volcengine_request(std::string(call.action), call.params, credentials,
                                  std::string(call.region), std::string(call.host_header));
}

std::optional<Answer> parse(const HttpResponse& response) {
  auto parsed = volcengine::parse_response(response);
  if (!parsed) return std::nullopt;
  Answer answer;
  answer.status = parsed->status;
  answer.code = parsed->error_code.value_or("");
  answer.message = parsed->message;
  // The envelope was parsed once already; callers read only the Result from the body.
  answer.body = nlohmann::json::object();
  if (parsed->result) answer.body["Result"] = *parsed->result;
  return answer;
}

// A success with a Result, or an error whose code the catalog knows, in the ResponseMetadata
// envelope.
bool speaks(const HttpResponse& response) {
  auto parsed = volcengine::parse_response(response);
  if (!parsed) return false;
  if (parsed->error_code) {
    return volcengine::error_code_from_wire(*parsed->error_code, parsed->code_n).has_value();
  }
  return parsed->status == 200 && parsed->result != nullptr;
}

const DialectDescriptor& volcengine_descriptor() {
  static const DialectDescriptor d{
      .id = DialectId::Volcengine,
      .name = dialect_name(DialectId::Volcengine),
      .title = "Volcengine KMS 2021-02-18",
      .default_region = "cn-beijing",
      .credential_variables = {"VOLC_ACCESSKEY", "VOLC_SECRETKEY", "VOLC_SESSION_TOKEN"},
      // 403 Reject.Throttling.Action per action quota; 429 FlowLimitExceeded from the gateway.
      .throttling_codes = {error_info(volcengine::ErrorCode::RejectThrottlingAction).wire_code,
                           error_info(volcengine::ErrorCode::FlowLimitExceeded).wire_code},
      .probe_action = "DescribeRegions",
      .regions_path = "Result.Regions",
      .signing_layouts = {"node", "go"},
      // Plaintext is 1-4096 base64 characters (spec §3.5 Encrypt): 3072 bytes.
      .max_plaintext_bytes = 3072,
      .build = build,
      .parse = parse,
      .speaks = speaks,
      .known_code = known_code,
      .cause_of = cause_of,
  };
  return d;
}

}  // namespace

const DialectDescriptor& volcengine_dialect() {
  return volcengine_descriptor();
}

}  // namespace kmsconf::client
