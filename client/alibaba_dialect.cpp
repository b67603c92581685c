// The Alibaba Cloud KMS 2016-01-20 descriptor: catalog view, builder and parser (dialect.hpp).
#include "client/alibaba_client.hpp"
#include "client/dialect.hpp"
#include "protocol/alibaba/envelope.hpp"
#include "protocol/alibaba/errors.hpp"

namespace kmsconf::client {
namespace {

const DialectDescriptor& alibaba_descriptor();

bool known_code(std::string_view code) {
  return alibaba::error_code_from_wire(code).has_value();
}

Cause cause_of(std::string_view code) {
  if (is_throttling(alibaba_descriptor(), code)) return Cause::Throttled;
  using E = alibaba::ErrorCode;
  auto known = alibaba::error_code_from_wire(code);
  if (!known) return Cause::None;
  switch (*known) {
    case E::IncompleteSignature:
    case E::SignatureDoesNotMatch:
    case E::InvalidAccessKeyIdNotFound:
    case E::InvalidAccessKeyIdInactive:
    case E::ForbiddenAccessKey:
    case E::MissingSecurityToken:
    case E::InvalidSecurityTokenMismatchWithAccessKey:
    case E::InvalidSecurityTokenExpired:
    case E::InvalidSecurityTokenMalformed:
      return Cause::Authentication;
    case E::InvalidTimeStampExpired:
    case E::IllegalTimestamp:
      return Cause::Clock;
    case E::ForbiddenKmsServiceNotEnabled:
      return Cause::ServiceNotOpen;
    default:
      return Cause::None;
  }
}

// Alibaba Cloud picks the region by endpoint host, not per request.
HttpRequest build(const Call& call) {
  alibaba::Credentials credentials{call.credentials.access_key_id, call.credentials.secret,
                                   call.credentials.session_token};
  return build_alibaba_request(std::string(call.action), call.params, credentials,
                               std::string(call.host_header));
}

std::optional<Answer> parse(const HttpResponse& response) {
  auto parsed = alibaba::parse_response(response);
  if (!parsed) return std::nullopt;
  Answer answer;
  answer.status = parsed->status;
  answer.code = parsed->error_code.value_or("");
  answer.message = parsed->message;
  if (parsed->body) answer.body = *parsed->body;
  return answer;
}

// A success carrying a RequestId, or an error whose code the catalog knows.
bool speaks(const HttpResponse& response) {
  auto parsed = alibaba::parse_response(response);
  if (!parsed) return false;
  if (parsed->error_code) return alibaba::error_code_from_wire(*parsed->error_code).has_value();
  return parsed->status == 200 && !parsed->request_id.empty();
}

const DialectDescriptor& alibaba_descriptor() {
  using alibaba::ErrorCode;
  static const DialectDescriptor d{
      .id = DialectId::Alibaba,
      .name = dialect_name(DialectId::Alibaba),
      .title = "Alibaba Cloud KMS 2016-01-20",
      .default_region = "cn-hangzhou",
      .credential_variables = {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                               "ALIBABA_CLOUD_SECURITY_TOKEN"},
      // 429 Rejected.Throttling from KMS; the gateway's 400 Throttling family.
      .throttling_codes = {error_info(ErrorCode::RejectedThrottling).wire_code,
                           error_info(ErrorCode::Throttling).wire_code,
                           error_info(ErrorCode::ThrottlingUser).wire_code,
                           error_info(ErrorCode::ThrottlingApi).wire_code},
      .probe_action = "DescribeRegions",
      .regions_path = "Regions.Region",
      .signing_layouts = {"v1", "v1-tea", "v3"},
      // "<= 6 KB of data" (spec Encrypt).
      .max_plaintext_bytes = 6144,
      .build = build,
      .parse = parse,
      .speaks = speaks,
      .known_code = known_code,
      .cause_of = cause_of,
  };
  return d;
}

}  // namespace

const DialectDescriptor& alibaba_dialect() {
  return alibaba_descriptor();
}

}  // namespace kmsconf::client
