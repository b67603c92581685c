// Shared by the Alibaba protocol tests: the vectors file (tests/data/alibaba-sign-vectors.json)
// and requests rebuilt from its inputs with the library's own signers.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "protocol/alibaba/signer.hpp"
#include "protocol/encoding.hpp"
#include "protocol/time_format.hpp"

namespace kmsconf::alibaba::testing {

// Ordered: the Tea wire form depends on the order the SDK inserted parameters in.
using Json = nlohmann::ordered_json;

inline const Json& vectors_file() {
  static const Json file = [] {
    std::ifstream in(std::string(KMSCONF_TEST_DATA_DIR) + "/alibaba-sign-vectors.json");
    if (!in) throw std::runtime_error("cannot open alibaba-sign-vectors.json");
    return Json::parse(in);
  }();
  return file;
}

inline const Json& vector_by_id(std::string_view id) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (vector.at("id") == id) return vector;
  }
  throw std::out_of_range("no vector " + std::string(id));
}

inline bool is_v1(const Json& vector) {
  return vector.at("scheme").get<std::string>().starts_with("RPC-V1");
}

inline bool is_tea(const Json& vector) {
  return vector.value("generated_by", "").find("openapi-client") != std::string::npos;
}

inline std::string string_or_empty(const Json& value) {
  return value.is_null() ? std::string() : value.get<std::string>();
}

inline QueryPairs pairs_of(const Json& object) {
  QueryPairs pairs;
  for (const auto& [name, value] : object.items()) {
    pairs.emplace_back(name, value.get<std::string>());
  }
  return pairs;
}

inline bool is_common_param(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kCommon{
      "AccessKeyId",     "Action",         "Format",           "SecurityToken", "Signature",
      "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp",     "Version"};
  return std::find(kCommon.begin(), kCommon.end(), name) != kCommon.end();
}

inline QueryPairs without_common(const QueryPairs& pairs) {
  QueryPairs out;
  for (const auto& pair : pairs) {
    if (!is_common_param(pair.first)) out.push_back(pair);
  }
  return out;
}

// Every parameter a V1 vector signs (common ones included), in the file's order.
inline QueryPairs v1_signed_params(const Json& vector) {
  const Json& inputs = vector.at("inputs");
  const Json& outputs = vector.at("outputs");
  if (outputs.contains("all_signed_params_sorted")) {
    return pairs_of(outputs.at("all_signed_params_sorted"));
  }
  if (inputs.contains("query_params")) {
    QueryPairs pairs = pairs_of(inputs.at("query_params"));
    for (auto& pair : pairs_of(inputs.at("body_params"))) pairs.push_back(pair);
    return pairs;
  }
  return pairs_of(inputs.at("params"));
}

inline std::string find_value(const QueryPairs& pairs, std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return value;
  }
  return {};
}

inline Credentials credentials_of(const Json& vector) {
  const Json& inputs = vector.at("inputs");
  return Credentials{inputs.at("access_key_id").get<std::string>(),
                     inputs.at("access_key_secret").get<std::string>(),
                     inputs.contains("security_token")
                         ? string_or_empty(inputs.at("security_token"))
                         : std::string()};
}

// The unsigned request a client would hand sign_v1: operation params only. Tea vectors keep
// their query/body split; pop-core GETs carry them in the query, POSTs in a form body.
inline HttpRequest v1_unsigned_request(const Json& vector) {
  const Json& inputs = vector.at("inputs");
  HttpRequest request;
  request.method = inputs.at("method").get<std::string>();
  request.path = inputs.at("path").get<std::string>();
  if (inputs.contains("host")) request.headers["Host"] = inputs.at("host").get<std::string>();
  if (is_tea(vector)) {
    request.raw_query = build_query(without_common(pairs_of(inputs.at("query_params"))));
    request.body = build_query(pairs_of(inputs.at("body_params")));
  } else {
    const QueryPairs operation = without_common(v1_signed_params(vector));
    (request.method == "GET" ? request.raw_query : request.body) = build_query(operation);
  }
  return request;
}

inline V1SignOptions v1_options(const Json& vector) {
  const QueryPairs signed_params = v1_signed_params(vector);
  const Json& inputs = vector.at("inputs");
  V1SignOptions options;
  options.action = find_value(signed_params, "Action");
  options.version = find_value(signed_params, "Version");
  options.format = find_value(signed_params, "Format");
  options.timestamp = inputs.at("timestamp").get<std::string>();
  options.nonce = string_or_empty(inputs.at("nonce"));
  options.send_nonce = !inputs.at("nonce").is_null();
  options.placement = is_tea(vector) ? V1Placement::Tea : V1Placement::PopCore;
  return options;
}

// The headers of a V3 vector, from inputs (published vector) or the signed header values.
inline std::string v3_input(const Json& vector, std::string_view field, std::string_view header) {
  const Json& inputs = vector.at("inputs");
  if (inputs.contains(field)) return inputs.at(std::string(field)).get<std::string>();
  return inputs.at("headers").at(std::string(header)).get<std::string>();
}

// Headers the V3 signer sets itself; anything else signed in a vector the caller added.
inline bool set_by_v3_signer(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kOwn{
      "host",        kHeaderAction,        kHeaderVersion,       kHeaderDate,
      kHeaderNonce,  kHeaderContentSha256, kHeaderSecurityToken, kHeaderAccessKeyId,
      "content-type"};
  return std::find(kOwn.begin(), kOwn.end(), name) != kOwn.end();
}

inline const Json& v3_signed_header_values(const Json& vector) {
  const Json& outputs = vector.at("outputs");
  return outputs.contains("signed_headers_values") ? outputs.at("signed_headers_values")
                                                   : vector.at("inputs").at("headers");
}

inline HttpRequest v3_unsigned_request(const Json& vector) {
  const Json& inputs = vector.at("inputs");
  HttpRequest request;
  request.method = inputs.at("method").get<std::string>();
  request.path = inputs.at("path").get<std::string>();
  request.raw_query = build_query(pairs_of(inputs.at("query_params")));
  request.body = inputs.at("body").get<std::string>();
  if (inputs.contains("content_type") && !inputs.at("content_type").is_null()) {
    request.headers["content-type"] = inputs.at("content_type").get<std::string>();
  }
  for (const auto& [name, value] : v3_signed_header_values(vector).items()) {
    if (!set_by_v3_signer(name)) request.headers[name] = value.get<std::string>();
  }
  return request;
}

inline V3SignOptions v3_options(const Json& vector) {
  V3SignOptions options;
  options.action = v3_input(vector, "action", kHeaderAction);
  options.version = v3_input(vector, "version", kHeaderVersion);
  options.date = v3_input(vector, "x_acs_date", kHeaderDate);
  options.nonce = v3_input(vector, "nonce", kHeaderNonce);
  options.host = v3_input(vector, "host", "host");
  return options;
}

// The vector's request, signed by our signer exactly as the SDK did.
inline HttpRequest signed_request_of(const Json& vector) {
  if (is_v1(vector)) {
    HttpRequest request = v1_unsigned_request(vector);
    sign_v1(request, credentials_of(vector), v1_options(vector));
    return request;
  }
  HttpRequest request = v3_unsigned_request(vector);
  sign_v3(request, credentials_of(vector), v3_options(vector));
  return request;
}

inline std::chrono::system_clock::time_point at(std::string_view iso8601) {
  auto time = parse_iso8601_utc(iso8601);
  if (!time) throw std::invalid_argument("bad time " + std::string(iso8601));
  return *time;
}

// The server clock of the KMS vectors (fixed_credentials_note).
inline std::chrono::system_clock::time_point vectors_now() {
  return at("2024-05-01T12:34:56Z");
}

}  // namespace kmsconf::alibaba::testing
