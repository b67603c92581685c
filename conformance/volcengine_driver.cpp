// DialectDriver for Volcengine KMS: VolcengineClient's request building plus the case's auth
// deviations; answers read through volcengine::parse_response.
#include <stdexcept>

#include "client/volcengine_client.hpp"
#include "conformance/driver.hpp"
#include "conformance/driver_support.hpp"
#include "protocol/volcengine/envelope.hpp"
#include "protocol/volcengine/errors.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::conformance {
namespace {

constexpr std::string_view kEnvelope = "a Volcengine envelope";

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
      : endpoint_(endpoint),
        credentials_{credentials.access_key_id, credentials.secret, credentials.session_token},
        client_(endpoint, credentials_, region, options) {}

  std::string dialect() const override { return std::string(dialect_->name); }

  Exchange send(const ResolvedStep& step, const Exchange* previous) override {
    return detail::send_step(
        client_.http(), step, previous, [&] { return build(step); }, volcengine::parse_response,
        kEnvelope);
  }

  HttpRequest build_request(const ResolvedStep& step) const override { return build(step); }
  Exchange read_answer(HttpRequest request, HttpResponse response) const override {
    return detail::read_exchange(std::move(request), std::move(response),
                                 volcengine::parse_response, kEnvelope);
  }
  const client::Endpoint& endpoint() const override { return endpoint_; }

  bool known_code(const std::string& code) const override { return dialect_->known_code(code); }
  Cause cause_of(const std::string& code) const override { return dialect_->cause_of(code); }
  std::string probe_action() const override { return std::string(dialect_->probe_action); }
  std::string regions_path() const override { return std::string(dialect_->regions_path); }

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

  client::Endpoint endpoint_;
  volcengine::Credentials credentials_;
  client::VolcengineClient client_;
  const client::DialectDescriptor* dialect_ = &client::descriptor(DialectId::Volcengine);
};

}  // namespace

std::unique_ptr<DialectDriver> make_volcengine_driver(const client::Endpoint& endpoint,
                                                      const Credentials& credentials,
                                                      const std::string& region,
                                                      const client::ClientOptions& options) {
  return std::make_unique<VolcengineDriver>(endpoint, credentials, region, options);
}

}  // namespace kmsconf::conformance
