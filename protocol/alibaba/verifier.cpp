// Server side of signer.hpp: scheme detection, Authorization parsing and request verification
// (spec §2.2, §2.3, §2.5, §2.6), in the order documented at verify_request.
#include <algorithm>
#include <array>
#include <utility>

#include "protocol/alibaba/signer.hpp"
#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/time_format.hpp"

namespace kmsconf::alibaba {
namespace {

using ascii::iequals;
using ascii::trim;

constexpr size_t kMaxEchoedValue = 64;  // client values quoted back in messages are cut here
constexpr std::string_view kMaskedToken = "***";
constexpr std::string_view kEchoPrefix = " server string to sign is:";

constexpr std::array<std::string_view, 7> kV1Required{
    "Action",          "Version",          "AccessKeyId", "Signature",
    "SignatureMethod", "SignatureVersion", "Timestamp"};
constexpr std::array<std::string_view, 6> kV3Required{
    "host", kHeaderAction, kHeaderVersion, kHeaderDate, kHeaderNonce, kHeaderContentSha256};

// V1 parameters naming the scheme, with the only value accepted.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kV1SchemeParams{{
    {"SignatureMethod", kV1SignatureMethod},
    {"SignatureVersion", kV1SignatureVersion},
}};

AuthFailure fail(ErrorCode code, std::vector<std::string> args = {}) {
  return AuthFailure{code, std::move(args)};
}

std::string echo_value(std::string_view value) {
  return std::string(value.substr(0, kMaxEchoedValue));
}

// First value of name (the query's before the body's), or nullopt.
std::optional<std::string_view> param(const QueryPairs& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

bool is_sts_key(std::string_view access_key_id) {
  return access_key_id.starts_with(kStsAccessKeyPrefix);
}

std::optional<AuthFailure> check_timestamp(std::string_view text, const VerifyOptions& options) {
  auto signed_at = parse_iso8601_utc(text);
  if (!signed_at) {
    return fail(options.legacy_timestamp_code ? ErrorCode::IllegalTimestamp
                                              : ErrorCode::InvalidTimeStampFormat);
  }
  if (options.check_timestamp && std::chrono::abs(*signed_at - options.now) > options.max_skew) {
    return fail(options.legacy_timestamp_code ? ErrorCode::IllegalTimestamp
                                              : ErrorCode::InvalidTimeStampExpired);
  }
  return std::nullopt;
}

AuthFailure signature_mismatch(const VerifyOptions& options, const std::string& string_to_sign) {
  if (!options.echo_string_to_sign) return fail(ErrorCode::SignatureDoesNotMatch);
  return fail(ErrorCode::SignatureDoesNotMatch, {std::string(kEchoPrefix) + string_to_sign});
}

std::optional<AuthFailure> check_nonce(const VerifyOptions& options, std::string_view access_key_id,
                                       std::string_view nonce) {
  if (nonce.empty() || !options.nonce_seen) return std::nullopt;
  if (options.nonce_seen(access_key_id, nonce)) return fail(ErrorCode::SignatureNonceUsed);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// V1

// The StringToSign as echoed: the one we computed, with any SecurityToken value masked.
std::string v1_echo(std::string_view method, const QueryPairs& params) {
  QueryPairs masked = params;
  for (auto& [name, value] : masked) {
    if (name == "SecurityToken") value = kMaskedToken;
  }
  return v1_string_to_sign(method, v1_canonicalized_query(masked));
}

std::variant<VerifiedCaller, AuthFailure> verify_v1(const HttpRequest& request, QueryPairs params,
                                                    const SecretLookup& lookup_secret,
                                                    const VerifyOptions& options) {
  for (std::string_view name : kV1Required) {  // 3
    if (param(params, name).value_or("").empty()) {
      return fail(ErrorCode::MissingParameter, {std::string(name)});
    }
  }
  const std::string_view nonce = param(params, "SignatureNonce").value_or("");
  if (nonce.empty() && options.require_nonce) {
    return fail(ErrorCode::MissingParameter, {"SignatureNonce"});
  }
  for (const auto& [name, expected] : kV1SchemeParams) {  // 4
    const std::string_view value = *param(params, name);
    if (value != expected) {
      return fail(ErrorCode::InvalidSignatureMethod, {std::string(name), echo_value(value)});
    }
  }
  if (auto failure = check_timestamp(*param(params, "Timestamp"), options)) return *failure;  // 5

  const std::string access_key_id(*param(params, "AccessKeyId"));
  const auto secret = lookup_secret ? lookup_secret(access_key_id) : std::nullopt;  // 6
  if (!secret) return fail(ErrorCode::InvalidAccessKeyIdNotFound);
  const auto token = param(params, "SecurityToken");
  if (is_sts_key(access_key_id) && token.value_or("").empty()) {  // 7
    return fail(ErrorCode::MissingSecurityToken);
  }

  const V1Parts parts = v1_sign_params(request.method, params, *secret);  // 9
  if (!constant_time_equal(parts.signature, *param(params, "Signature"))) {
    return signature_mismatch(options,
                              token ? v1_echo(request.method, params) : parts.string_to_sign);
  }
  if (auto failure = check_nonce(options, access_key_id, nonce)) return *failure;  // 10

  VerifiedCaller caller;
  caller.scheme = SignatureScheme::V1;
  caller.access_key_id = access_key_id;
  if (token) caller.security_token = std::string(*token);
  caller.action = *param(params, "Action");
  caller.version = *param(params, "Version");
  caller.format = param(params, "Format").value_or("");
  caller.nonce = nonce;
  std::erase_if(params, [](const auto& pair) { return pair.first == "Signature"; });
  caller.params = std::move(params);
  return caller;
}

// ---------------------------------------------------------------------------------------------
// V3

struct AuthorizationFields {
  std::optional<std::string_view> credential;
  std::optional<std::string_view> signed_headers;
  std::optional<std::string_view> signature;
};

// "Credential=..,SignedHeaders=..,Signature=.." in any order; nullopt on an empty part, a part
// without '=', an unknown key or a repeated key.
std::optional<AuthorizationFields> split_fields(std::string_view text) {
  AuthorizationFields fields;
  for (std::string_view part : ascii::split(text, ',')) {
    part = trim(part);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = part.substr(0, eq);
    std::optional<std::string_view>* slot = key == "Credential"      ? &fields.credential
                                            : key == "SignedHeaders" ? &fields.signed_headers
                                            : key == "Signature"     ? &fields.signature
                                                                     : nullptr;
    if (slot == nullptr || slot->has_value()) return std::nullopt;
    *slot = part.substr(eq + 1);
  }
  return fields;
}

bool is_signed(const ParsedAuthorization& auth, std::string_view name) {
  return std::any_of(auth.signed_headers.begin(), auth.signed_headers.end(),
                     [&](const std::string& signed_name) { return iequals(signed_name, name); });
}

// Host, content-type and every x-acs-* header sent must be signed; every signed one sent.
bool signed_headers_cover(const ParsedAuthorization& auth, const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    const std::string lower = ascii::to_lower(name);
    const bool must_sign =
        lower == "host" || lower == "content-type" || lower.starts_with("x-acs-");
    if (must_sign && !is_signed(auth, lower)) return false;
  }
  return std::all_of(auth.signed_headers.begin(), auth.signed_headers.end(),
                     [&](const std::string& name) { return request.has_header(name); });
}

std::variant<VerifiedCaller, AuthFailure> verify_v3(const HttpRequest& request, QueryPairs params,
                                                    const SecretLookup& lookup_secret,
                                                    const VerifyOptions& options) {
  auto parsed = parse_authorization(request.header("Authorization"));  // 2
  if (auto* failure = std::get_if<AuthFailure>(&parsed)) return std::move(*failure);
  const auto& auth = std::get<ParsedAuthorization>(parsed);

  for (std::string_view name : kV3Required) {  // 3
    if (trim(request.header(name)).empty()) {
      return fail(ErrorCode::MissingParameter, {std::string(name)});
    }
  }
  if (!signed_headers_cover(auth, request)) return fail(ErrorCode::IncompleteSignature);  // 4
  if (auto failure = check_timestamp(trim(request.header(kHeaderDate)), options)) {       // 5
    return *failure;
  }

  const auto secret = lookup_secret ? lookup_secret(auth.access_key_id) : std::nullopt;  // 6
  if (!secret) return fail(ErrorCode::InvalidAccessKeyIdNotFound);
  const bool has_token = request.has_header(kHeaderSecurityToken);
  if (is_sts_key(auth.access_key_id) && trim(request.header(kHeaderSecurityToken)).empty()) {
    return fail(ErrorCode::MissingSecurityToken);  // 7
  }

  const std::string_view stated_hash = trim(request.header(kHeaderContentSha256));  // 8
  if (!iequals(stated_hash, sha256_hex(request.body))) {
    return fail(ErrorCode::SignatureDoesNotMatch);
  }
  auto canonical = v3_canonical_request(request, auth.signed_headers, stated_hash);  // 9
  if (!canonical) return fail(ErrorCode::SignatureDoesNotMatch);  // a path that cannot decode
  const V3Parts parts = v3_sign_canonical_request(std::move(*canonical), auth.access_key_id,
                                                  *secret, auth.signed_headers);
  if (!constant_time_equal(parts.signature, auth.signature)) {
    return signature_mismatch(options, parts.string_to_sign);
  }
  const std::string_view nonce = trim(request.header(kHeaderNonce));
  if (auto failure = check_nonce(options, auth.access_key_id, nonce)) return *failure;  // 10

  VerifiedCaller caller;
  caller.scheme = SignatureScheme::V3;
  caller.access_key_id = auth.access_key_id;
  if (has_token) caller.security_token = std::string(request.header(kHeaderSecurityToken));
  caller.action = trim(request.header(kHeaderAction));
  caller.version = trim(request.header(kHeaderVersion));
  caller.nonce = nonce;
  caller.params = std::move(params);
  return caller;
}

}  // namespace

std::variant<ParsedAuthorization, AuthFailure> parse_authorization(std::string_view header_value) {
  const std::string_view value = trim(header_value);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || value.substr(0, space) != kV3Algorithm) {
    return fail(ErrorCode::IncompleteSignature);
  }
  auto fields = split_fields(value.substr(space + 1));
  if (!fields || !fields->credential || !fields->signed_headers || !fields->signature ||
      fields->credential->empty() || fields->signature->empty()) {
    return fail(ErrorCode::IncompleteSignature);
  }
  ParsedAuthorization parsed;
  parsed.access_key_id = *fields->credential;
  parsed.signature = *fields->signature;
  for (std::string_view name : ascii::split(*fields->signed_headers, ';')) {
    if (name.empty()) return fail(ErrorCode::IncompleteSignature);
    parsed.signed_headers.emplace_back(name);
  }
  return parsed;
}

std::variant<VerifiedCaller, AuthFailure> verify_request(const HttpRequest& request,
                                                         const SecretLookup& lookup_secret,
                                                         const VerifyOptions& options) {
  auto params = request_params(request);  // 1
  if (!params) {
    return fail(ErrorCode::InvalidParameter,
                {parse_query(request.raw_query) ? "Body" : "QueryString"});
  }
  const std::string_view authorization = trim(request.header("Authorization"));
  if (authorization.empty()) return verify_v1(request, std::move(*params), lookup_secret, options);
  if (!authorization.starts_with(kV3Algorithm)) return fail(ErrorCode::IncompleteSignature);
  return verify_v3(request, std::move(*params), lookup_secret, options);
}

}  // namespace kmsconf::alibaba
