// DialectDriver for Volcengine KMS: VolcengineClient's request building plus the case's auth
// deviations; answers read through volcengine::parse_response.
#include <stdexcept>

#include "conformance/driver.hpp"
#include "conformance/driver_support.hpp"
#include "client/volcengine_client.hpp"
#include "protocol/volcengine/envelope.hpp"
#include "protocol/volcengine/errors.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::conformance {
namespace {

client::Placement placement_of(Placement placement, const std::optional<std::string>& method) {
  switch (placement) {
    case Placement::Query:
      return client::Placement::Query;
    case Placement::FormBody:
      return client::Placement::FormBody;
    case Placement::JsonBody:
      return client::Placement::JsonBody;
    case Placement::Auto:
      break;
  }
  // A GET carries its parameters in the query; everything else the usual JSON body.
  return method && *method == "GET" ? client::Placement::Query : client::Placement::JsonBody;
}

volcengine::SignerStyle style_of(const std::optional<std::string>& signing) {
  if (!signing || *signing == "node") return volcengine::SignerStyle::Node;
  if (*signing == "go") return volcengine::SignerStyle::Go;
  throw std::invalid_argument("auth.signing: \"" + *signing +
                              "\" is not a Volcengine signer (node or go)");
}

class VolcengineDriver final : public DialectDriver {
 public:
  VolcengineDriver(const client::Endpoint& endpoint, const Credentials& credentials,
                   const std::string& region, const client::ClientOptions& options)
      : credentials_{credentials.access_key_id, credentials.secret, credentials.session_token},
        client_(endpoint, credentials_, region, options) {}

  std::string dialect() const override { return "volcengine"; }

  Exchange send(const ResolvedStep& step, const Exchange* previous) override {
    return detail::send_step(
        client_.http(), step, previous, [&] { return build(step); }, volcengine::parse_response,
        "a Volcengine envelope");
  }

  bool known_code(const std::string& code) const override {
    return volcengine::error_code_from_wire(code, std::nullopt).has_value();
  }

  Cause cause_of(const std::string& code) const override {
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
      case E::RejectThrottlingAction:
      case E::FlowLimitExceeded:
        return Cause::Throttled;
      default:
        return Cause::None;
    }
  }

  std::string probe_action() const override { return "DescribeRegions"; }
  std::string regions_path() const override { return "Result.Regions"; }

 private:
  HttpRequest build(const ResolvedStep& step) const {
    const AuthOverride& auth = step.auth;
    client::CallOptions options;
    options.placement = placement_of(step.placement, auth.method);
    options.style = style_of(auth.signing);
    options.region = step.region;
    if (auth.time_offset.count() != 0) {
      options.x_date = volcengine::format_x_date(detail::shifted_now(auth));
    }
    volcengine::Credentials credentials = credentials_;
    detail::apply_credential_overrides(auth, credentials.access_key_id,
                                       credentials.secret_access_key, credentials.session_token);
    options.credentials = &credentials;
    if (auth.method) options.method = *auth.method;
    for (const auto& [name, value] : auth.extra_headers) options.extra_headers[name] = value;
    options.unsigned_headers = auth.unsigned_headers;
    options.after_signing = [&auth](HttpRequest& request) {
      detail::apply_after_signing(request, auth, [](HttpRequest& signed_request) {
        signed_request.headers.erase("Authorization");
      });
    };
    return client_.build(step.action, step.params, options);
  }

  volcengine::Credentials credentials_;
  client::VolcengineClient client_;
};

}  // namespace

// A success, or an error whose code the catalog knows, in the ResponseMetadata envelope.
bool volcengine_speaks(const HttpResponse& response) {
  auto parsed = volcengine::parse_response(response);
  if (!parsed) return false;
  if (parsed->error_code) {
    return volcengine::error_code_from_wire(*parsed->error_code, parsed->code_n).has_value();
  }
  return parsed->status == 200 && parsed->result != nullptr;
}

std::unique_ptr<DialectDriver> make_volcengine_driver(const client::Endpoint& endpoint,
                                                      const Credentials& credentials,
                                                      const std::string& region,
                                                      const client::ClientOptions& options) {
  return std::make_unique<VolcengineDriver>(endpoint, credentials, region, options);
}

}  // namespace kmsconf::conformance
