#include "client/volcengine_client.hpp"

#include <algorithm>

#include "protocol/ascii.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::client {
namespace {

constexpr const char* kVersion = "2021-02-18";

// Query and form values are strings; nested values travel as JSON text (spec §1.1).
std::string as_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The ';'-separated header list minus the given names (case-insensitive).
std::vector<std::string> without(std::string_view list, const std::vector<std::string>& drop) {
  std::vector<std::string> out;
  for (std::string_view name : ascii::split(list, ';')) {
    bool dropped = std::any_of(drop.begin(), drop.end(),
                               [&](const std::string& d) { return ascii::iequals(d, name); });
    if (!name.empty() && !dropped) out.emplace_back(name);
  }
  return out;
}

}  // namespace

const nlohmann::json& CallResult::result() const {
  static const nlohmann::json empty = nlohmann::json::object();
  return parsed.result ? *parsed.result : empty;
}

VolcengineClient::VolcengineClient(Endpoint endpoint, volcengine::Credentials credentials,
                                   std::string region, ClientOptions options)
    : http_(std::move(endpoint), options),
      credentials_(std::move(credentials)),
      region_(std::move(region)) {}

HttpRequest VolcengineClient::build(const std::string& action, const nlohmann::json& params,
                                    const CallOptions& options) const {
  return build_volcengine_request(action, params, credentials_, region_,
                                  http_.endpoint().host_header(), options);
}

HttpRequest build_volcengine_request(const std::string& action, const nlohmann::json& params,
                                     const volcengine::Credentials& default_credentials,
                                     const std::string& region, const std::string& host_header,
                                     const CallOptions& options) {
  HttpRequest request;
  QueryPairs query{{"Action", action}, {"Version", kVersion}};
  if (options.placement == Placement::Query) {
    request.method = "GET";
    for (const auto& [name, value] : params.items()) query.emplace_back(name, as_text(value));
  } else if (options.placement == Placement::FormBody) {
    request.method = "POST";
    QueryPairs form;
    for (const auto& [name, value] : params.items()) form.emplace_back(name, as_text(value));
    request.body = build_query(form);
    request.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
  } else {
    request.method = "POST";
    request.body = params.dump();
    request.headers["Content-Type"] = "application/json; charset=utf-8";
  }
  request.raw_query = build_query(query);
  if (!options.method.empty()) request.method = options.method;
  for (const auto& [name, value] : options.extra_headers) request.headers[name] = value;
  const volcengine::Credentials& credentials =
      options.credentials ? *options.credentials : default_credentials;
  volcengine::SignOptions sign;
  sign.region = options.region.empty() ? region : options.region;
  sign.x_date = options.x_date;
  sign.style = options.style;
  // Go's signer sets and signs Host; Node's leaves it to the transport, unsigned (spec §2.2).
  if (options.style == volcengine::SignerStyle::Go) sign.host = host_header;
  if (!options.unsigned_headers.empty()) {
    // Learn the style's choice on a copy, then sign everything it picks but these.
    HttpRequest probe = request;
    std::string chosen = volcengine::sign_request(probe, credentials, sign).signed_headers;
    sign.signed_headers_override = without(chosen, options.unsigned_headers);
  }
  volcengine::sign_request(request, credentials, sign);
  request.headers.try_emplace("Host", host_header);
  if (options.after_signing) options.after_signing(request);
  return request;
}

CallResult VolcengineClient::call(const std::string& action, const nlohmann::json& params,
                                  const CallOptions& options) {
  CallResult out;
  out.request = build(action, params, options);
  out.response = http_.send(out.request);
  auto parsed = volcengine::parse_response(out.response);
  if (!parsed) {
    throw std::runtime_error("response to " + action + " is not a Volcengine envelope (HTTP " +
                             std::to_string(out.response.status) + ")");
  }
  out.parsed = std::move(*parsed);
  return out;
}

}  // namespace kmsconf::client
