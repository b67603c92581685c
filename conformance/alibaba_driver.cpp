// DialectDriver for Alibaba Cloud KMS: AlibabaClient's request building (V1 pop-core, V1 Tea,
// V3) plus the case's auth deviations; answers read through alibaba::parse_response.
#include <stdexcept>

#include "client/alibaba_client.hpp"
#include "conformance/driver.hpp"
#include "conformance/driver_support.hpp"
#include "protocol/alibaba/envelope.hpp"
#include "protocol/alibaba/errors.hpp"
#include "protocol/encoding.hpp"
#include "protocol/time_format.hpp"

namespace kmsconf::conformance {
namespace {

constexpr std::string_view kEnvelope = "an Alibaba Cloud envelope";

client::AlibabaSigning signing_of(const std::optional<std::string>& signing, Placement placement) {
  bool form = placement == Placement::FormBody;
  if (!signing || *signing == "v3") {
    return form ? client::AlibabaSigning::V3FormBody : client::AlibabaSigning::V3;
  }
  if (*signing == "v1") return client::AlibabaSigning::V1PopCore;
  if (*signing == "v1-tea") return client::AlibabaSigning::V1Tea;
  throw std::invalid_argument("auth.signing: \"" + *signing +
                              "\" is not an Alibaba Cloud signer (v1, v1-tea or v3)");
}

// The Signature parameter removed from a query string or form body.
std::string without_signature(const std::string& encoded) {
  if (encoded.empty()) return encoded;
  auto pairs = parse_query(encoded);
  if (!pairs) return encoded;
  QueryPairs kept;
  for (auto& pair : *pairs) {
    if (pair.first != "Signature") kept.push_back(std::move(pair));
  }
  return build_query(kept);
}

// V3 signs in the Authorization header, V1 with a Signature parameter in the query or form body.
void remove_signature(HttpRequest& request) {
  request.headers.erase("Authorization");
  request.raw_query = without_signature(request.raw_query);
  if (request.header("Content-Type").starts_with(alibaba::kFormContentType)) {
    request.body = without_signature(request.body);
  }
}

class AlibabaDriver final : public DialectDriver {
 public:
  AlibabaDriver(const client::Endpoint& endpoint, const Credentials& credentials,
                const client::ClientOptions& options)
      : endpoint_(endpoint),
        credentials_{credentials.access_key_id, credentials.secret, credentials.session_token},
        client_(endpoint, credentials_, options) {}

  std::string dialect() const override { return std::string(dialect_->name); }

  Exchange send(const ResolvedStep& step, const Exchange* previous) override {
    return detail::send_step(
        client_.http(), step, previous, [&] { return build(step); }, alibaba::parse_response,
        kEnvelope);
  }

  HttpRequest build_request(const ResolvedStep& step) const override { return build(step); }
  Exchange read_answer(HttpRequest request, HttpResponse response) const override {
    return detail::read_exchange(std::move(request), std::move(response), alibaba::parse_response,
                                 kEnvelope);
  }
  const client::Endpoint& endpoint() const override { return endpoint_; }

  bool known_code(const std::string& code) const override { return dialect_->known_code(code); }
  Cause cause_of(const std::string& code) const override { return dialect_->cause_of(code); }
  std::string probe_action() const override { return std::string(dialect_->probe_action); }
  std::string regions_path() const override { return std::string(dialect_->regions_path); }

 private:
  HttpRequest build(const ResolvedStep& step) const {
    const AuthOverride& auth = step.auth;
    if (step.placement == Placement::JsonBody) {
      throw std::invalid_argument(
          "placement json: Alibaba Cloud RPC calls carry parameters in the query or a form body");
    }
    client::AlibabaCallOptions options;
    options.signing = signing_of(auth.signing, step.placement);
    options.method = step.placement == Placement::Query ? "GET" : "POST";
    if (auth.method) options.method = *auth.method;
    if (auth.time_offset.count() != 0) options.timestamp = iso8601_utc(detail::shifted_now(auth));
    alibaba::Credentials credentials = credentials_;
    detail::apply_credential_overrides(auth, credentials.access_key_id,
                                       credentials.access_key_secret, credentials.security_token);
    options.credentials = &credentials;
    for (const auto& [name, value] : auth.extra_headers) options.extra_headers[name] = value;
    options.unsigned_headers = auth.unsigned_headers;
    options.after_signing = [&auth](HttpRequest& request) {
      detail::apply_after_signing(request, auth, remove_signature);
    };
    return client_.build(step.action, step.params, options);
  }

  client::Endpoint endpoint_;
  alibaba::Credentials credentials_;
  client::AlibabaClient client_;
  const client::DialectDescriptor* dialect_ = &client::descriptor(DialectId::Alibaba);
};

}  // namespace

std::unique_ptr<DialectDriver> make_alibaba_driver(const client::Endpoint& endpoint,
                                                   const Credentials& credentials,
                                                   const std::string& region,
                                                   const client::ClientOptions& options) {
  (void)region;  // Alibaba Cloud picks the region by endpoint host, not per request
  return std::make_unique<AlibabaDriver>(endpoint, credentials, options);
}

}  // namespace kmsconf::conformance
