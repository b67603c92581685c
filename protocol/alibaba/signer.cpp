// Canonicalisation and the client-side signers; the verifier lives in verifier.cpp.
#include "protocol/alibaba/signer.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/time_format.hpp"

namespace kmsconf::alibaba {
namespace {

using ascii::to_lower;
using ascii::to_upper;
using ascii::trim;

constexpr std::string_view kSignatureParam = "Signature";
constexpr std::string_view kV1PathPart = "&%2F&";  // the encoded "/" between method and params
constexpr size_t kV3NonceBytes = 16;               // 32 hex characters, like the SDK's nonces

// The parameters sign_v1 owns; a request's own copies (a retry's, say) are replaced.
constexpr std::array<std::string_view, 10> kV1CommonParams{
    "AccessKeyId",     "Action",         "Format",           "SecurityToken", "Signature",
    "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp",     "Version"};

bool is_v1_common(std::string_view name) {
  return std::find(kV1CommonParams.begin(), kV1CommonParams.end(), name) != kV1CommonParams.end();
}

// Sorted by raw name then value (byte order, as the SDKs sort keys), then each encoded.
std::string canonical_pairs(QueryPairs pairs) {
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(name);
    out.push_back('=');
    out += uri_encode(value);
  }
  return out;
}

bool body_is_form(const HttpRequest& request) {
  if (request.body.empty()) return false;
  if (!request.has_header("Content-Type")) return true;
  std::string_view media_type = request.header("Content-Type");
  media_type = trim(media_type.substr(0, media_type.find(';')));
  return ascii::iequals(media_type, kFormContentType);
}

QueryPairs parse_or_throw(std::string_view text, const char* what) {
  auto pairs = parse_query(text);
  if (!pairs) throw std::invalid_argument(std::string(what) + " is not valid percent-encoding");
  return std::move(*pairs);
}

// Drops the pairs sign_v1 owns; true when it dropped any.
bool drop_common(QueryPairs& pairs) {
  const auto before = pairs.size();
  std::erase_if(pairs, [](const auto& pair) { return is_v1_common(pair.first); });
  return pairs.size() != before;
}

void append(QueryPairs& to, const QueryPairs& from) {
  to.insert(to.end(), from.begin(), from.end());
}

std::vector<std::string> lowercased(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const std::string& name : names) out.push_back(to_lower(name));
  return out;
}

}  // namespace

std::optional<QueryPairs> request_params(const HttpRequest& request) {
  auto params = parse_query(request.raw_query);
  if (!params) return std::nullopt;
  if (body_is_form(request)) {
    auto body = parse_query(request.body);
    if (!body) return std::nullopt;
    append(*params, *body);
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// V1

std::string v1_canonicalized_query(const QueryPairs& params) {
  QueryPairs signed_params;
  signed_params.reserve(params.size());
  for (const auto& pair : params) {
    if (pair.first != kSignatureParam) signed_params.push_back(pair);
  }
  return canonical_pairs(std::move(signed_params));
}

std::string v1_string_to_sign(std::string_view method, std::string_view canonicalized_query) {
  return to_upper(method) + std::string(kV1PathPart) + uri_encode(canonicalized_query);
}

std::string v1_signature(std::string_view access_key_secret, std::string_view string_to_sign) {
  return base64_encode(hmac_sha1(std::string(access_key_secret) + '&', string_to_sign));
}

V1Parts v1_sign_params(std::string_view method, const QueryPairs& params,
                       std::string_view access_key_secret) {
  V1Parts parts;
  parts.canonicalized_query_string = v1_canonicalized_query(params);
  parts.string_to_sign = v1_string_to_sign(method, parts.canonicalized_query_string);
  parts.signature = v1_signature(access_key_secret, parts.string_to_sign);
  return parts;
}

V1Parts sign_v1(HttpRequest& request, const Credentials& credentials,
                const V1SignOptions& options) {
  request.method = to_upper(request.method);
  const bool get = request.method == "GET";
  if (get && !request.body.empty()) throw std::invalid_argument("a signed GET carries no body");

  QueryPairs query = parse_or_throw(request.raw_query, "query");
  QueryPairs body = request.body.empty() ? QueryPairs{} : parse_or_throw(request.body, "body");
  drop_common(query);
  const bool body_changed = drop_common(body);

  // Common parameters in the Tea SDK's insertion order; pop-core sorts them anyway.
  QueryPairs head{{"Action", options.action}};
  if (!options.format.empty()) head.emplace_back("Format", options.format);
  head.emplace_back("Version", options.version);
  head.emplace_back("Timestamp", options.timestamp.empty()
                                     ? iso8601_utc(std::chrono::system_clock::now())
                                     : options.timestamp);
  if (options.send_nonce) {
    head.emplace_back("SignatureNonce", options.nonce.empty() ? uuid_v4() : options.nonce);
  }
  QueryPairs tail;
  if (!credentials.security_token.empty()) {
    tail.emplace_back("SecurityToken", credentials.security_token);
  }
  tail.emplace_back("SignatureMethod", kV1SignatureMethod);
  tail.emplace_back("SignatureVersion", kV1SignatureVersion);
  tail.emplace_back("AccessKeyId", credentials.access_key_id);

  QueryPairs all = head;
  append(all, query);
  append(all, tail);
  append(all, body);
  V1Parts parts = v1_sign_params(request.method, all, credentials.access_key_secret);

  if (options.placement == V1Placement::PopCore) {
    std::string wire = parts.canonicalized_query_string + '&' + std::string(kSignatureParam) + '=' +
                       uri_encode(parts.signature);
    if (get) {
      request.raw_query = std::move(wire);
    } else {
      request.raw_query.clear();
      request.body = std::move(wire);
      request.headers["Content-Type"] = std::string(kFormContentType);
    }
    return parts;
  }

  QueryPairs wire_query = std::move(head);
  append(wire_query, query);
  append(wire_query, tail);
  wire_query.emplace_back(kSignatureParam, parts.signature);
  request.raw_query = build_query(wire_query);
  if (body_changed) request.body = build_query(body);
  if (!request.body.empty() && !request.has_header("Content-Type")) {
    request.headers["Content-Type"] = std::string(kFormContentType);
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// V3

std::optional<std::string> v3_canonical_query(std::string_view raw_query) {
  auto pairs = parse_query(raw_query);
  if (!pairs) return std::nullopt;
  return canonical_pairs(std::move(*pairs));
}

std::vector<std::string> v3_headers_to_sign(const Headers& headers) {
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    std::string lower = to_lower(name);
    if (lower == "host" || lower == "content-type" || lower.starts_with("x-acs-")) {
      names.push_back(std::move(lower));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> v3_canonical_request(const HttpRequest& request,
                                                std::span<const std::string> signed_headers,
                                                std::string_view hashed_payload) {
  auto uri = canonical_uri_path(request.path);
  auto query = v3_canonical_query(request.raw_query);
  if (!uri || !query) return std::nullopt;
  std::string out = to_upper(request.method) + '\n' + *uri + '\n' + *query + '\n';
  std::vector<std::string> names;
  names.reserve(signed_headers.size());
  for (const std::string& name : signed_headers) {
    names.push_back(to_lower(name));
    out += names.back();
    out.push_back(':');
    out += trim(request.header(name));
    out.push_back('\n');
  }
  out.push_back('\n');  // CanonicalHeaders ends with '\n': an empty line before SignedHeaders
  out += ascii::join(names, ';');
  out.push_back('\n');
  out += hashed_payload;
  return out;
}

V3Parts v3_sign_canonical_request(std::string canonical_request, std::string_view access_key_id,
                                  std::string_view access_key_secret,
                                  std::span<const std::string> signed_headers) {
  V3Parts parts;
  parts.canonical_request = std::move(canonical_request);
  parts.hashed_canonical_request = sha256_hex(parts.canonical_request);
  parts.string_to_sign = std::string(kV3Algorithm) + '\n' + parts.hashed_canonical_request;
  parts.signature = hex_encode(hmac_sha256(access_key_secret, parts.string_to_sign));
  parts.signed_headers = ascii::join(signed_headers, ';');
  parts.authorization = std::string(kV3Algorithm) + " Credential=" + std::string(access_key_id) +
                        ",SignedHeaders=" + parts.signed_headers + ",Signature=" + parts.signature;
  return parts;
}

V3Parts sign_v3(HttpRequest& request, const Credentials& credentials,
                const V3SignOptions& options) {
  request.method = to_upper(request.method);
  request.headers.erase("Authorization");  // a stale one from a previous attempt
  if (!options.host.empty()) request.headers["host"] = options.host;
  auto set = [&](std::string_view name, std::string value) {
    request.headers[std::string(name)] = std::move(value);
  };
  set(kHeaderAction, options.action);
  set(kHeaderVersion, options.version);
  set(kHeaderDate,
      options.date.empty() ? iso8601_utc(std::chrono::system_clock::now()) : options.date);
  set(kHeaderNonce,
      options.nonce.empty() ? hex_encode(random_bytes(kV3NonceBytes)) : options.nonce);
  const std::string content_sha256 = sha256_hex(request.body);
  set(kHeaderContentSha256, content_sha256);
  if (!credentials.security_token.empty()) {
    set(kHeaderAccessKeyId, credentials.access_key_id);
    set(kHeaderSecurityToken, credentials.security_token);
  }
  if (!request.body.empty() && !request.has_header("content-type")) {
    set("content-type", std::string(kFormContentType));
  }

  const std::vector<std::string> signed_headers = options.signed_headers_override
                                                      ? lowercased(*options.signed_headers_override)
                                                      : v3_headers_to_sign(request.headers);
  auto canonical = v3_canonical_request(request, signed_headers, content_sha256);
  if (!canonical)
    throw std::invalid_argument("request path or query is not valid percent-encoding");
  V3Parts parts = v3_sign_canonical_request(std::move(*canonical), credentials.access_key_id,
                                            credentials.access_key_secret, signed_headers);
  request.headers["Authorization"] = parts.authorization;
  return parts;
}

}  // namespace kmsconf::alibaba
