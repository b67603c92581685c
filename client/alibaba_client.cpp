#include "client/alibaba_client.hpp"

#include <algorithm>
#include <stdexcept>

#include "protocol/ascii.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::client {
namespace {

std::string as_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

QueryPairs pairs_of(const nlohmann::json& params) {
  QueryPairs pairs;
  for (const auto& [name, value] : params.items()) pairs.emplace_back(name, as_text(value));
  return pairs;
}

bool is_v1(AlibabaSigning signing) {
  return signing == AlibabaSigning::V1PopCore || signing == AlibabaSigning::V1Tea;
}

}  // namespace

const nlohmann::json& AlibabaCallResult::body() const {
  static const nlohmann::json empty = nlohmann::json::object();
  return parsed.body ? *parsed.body : empty;
}

AlibabaClient::AlibabaClient(Endpoint endpoint, alibaba::Credentials credentials,
                             ClientOptions options)
    : http_(std::move(endpoint), options), credentials_(std::move(credentials)) {}

HttpRequest AlibabaClient::build(const std::string& action, const nlohmann::json& params,
                                 const AlibabaCallOptions& options) const {
  return build_alibaba_request(action, params, credentials_, http_.endpoint().host_header(),
                               options);
}

HttpRequest build_alibaba_request(const std::string& action, const nlohmann::json& params,
                                  const alibaba::Credentials& default_credentials,
                                  const std::string& host_header,
                                  const AlibabaCallOptions& options) {
  HttpRequest request;
  request.method = options.method;
  request.headers["Host"] = host_header;
  for (const auto& [name, value] : options.extra_headers) request.headers[name] = value;
  const alibaba::Credentials& credentials =
      options.credentials ? *options.credentials : default_credentials;
  QueryPairs operation = pairs_of(params);
  bool in_body = request.method != "GET" && (options.signing == AlibabaSigning::V1Tea ||
                                             options.signing == AlibabaSigning::V1PopCore ||
                                             options.signing == AlibabaSigning::V3FormBody);
  if (in_body) {
    request.body = build_query(operation);
    request.headers["Content-Type"] = std::string(alibaba::kFormContentType);
  } else {
    request.raw_query = build_query(operation);
  }
  if (is_v1(options.signing)) {
    alibaba::V1SignOptions sign;
    sign.action = action;
    sign.timestamp = options.timestamp;
    sign.nonce = options.nonce;
    if (!options.format.empty()) sign.format = options.format;
    sign.placement = options.signing == AlibabaSigning::V1Tea ? alibaba::V1Placement::Tea
                                                              : alibaba::V1Placement::PopCore;
    if (!options.unsigned_headers.empty()) {
      throw std::invalid_argument("Signature V1 signs no headers, so none can be left unsigned");
    }
    alibaba::sign_v1(request, credentials, sign);
  } else {
    alibaba::V3SignOptions sign;
    sign.action = action;
    sign.date = options.timestamp;
    sign.nonce = options.nonce;
    if (!options.unsigned_headers.empty()) {
      // Learn the signer's choice on a copy, then sign everything it picks but these.
      HttpRequest probe = request;
      std::string chosen = alibaba::sign_v3(probe, credentials, sign).signed_headers;
      std::vector<std::string> kept;
      for (std::string_view name : ascii::split(chosen, ';')) {
        bool dropped = std::any_of(options.unsigned_headers.begin(), options.unsigned_headers.end(),
                                   [&](const std::string& d) { return ascii::iequals(d, name); });
        if (!name.empty() && !dropped) kept.emplace_back(name);
      }
      sign.signed_headers_override = std::move(kept);
    }
    alibaba::sign_v3(request, credentials, sign);
  }
  if (options.after_signing) options.after_signing(request);
  return request;
}

AlibabaCallResult AlibabaClient::call(const std::string& action, const nlohmann::json& params,
                                      const AlibabaCallOptions& options) {
  AlibabaCallResult out;
  out.request = build(action, params, options);
  out.response = http_.send(out.request);
  auto parsed = alibaba::parse_response(out.response);
  if (!parsed) {
    throw std::runtime_error("response to " + action + " is not an Alibaba Cloud envelope (HTTP " +
                             std::to_string(out.response.status) + ")");
  }
  out.parsed = std::move(*parsed);
  return out;
}

}  // namespace kmsconf::client
