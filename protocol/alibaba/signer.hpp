// Alibaba Cloud request signing (spec §2): Signature V1 (RPC, HMAC-SHA1 over the parameters) and
// Signature V3 (ACS3-HMAC-SHA256 over a canonical request). Client half (sign_v1, sign_v3) for
// the runner and load generator; server half (verify_request, verifier.cpp) for the reference
// server. Both halves share one canonicalisation per scheme, so they cannot drift apart; every
// intermediate string is exposed for diagnostics and the vector tests.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/alibaba/errors.hpp"
#include "protocol/encoding.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::alibaba {

inline constexpr std::string_view kApiVersion = "2016-01-20";
inline constexpr std::string_view kV1SignatureMethod = "HMAC-SHA1";
inline constexpr std::string_view kV1SignatureVersion = "1.0";
inline constexpr std::string_view kV3Algorithm = "ACS3-HMAC-SHA256";
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
inline constexpr std::string_view kStsAccessKeyPrefix = "STS.";

// V3 header names (lower case, as the SDK sends them).
inline constexpr std::string_view kHeaderAction = "x-acs-action";
inline constexpr std::string_view kHeaderVersion = "x-acs-version";
inline constexpr std::string_view kHeaderDate = "x-acs-date";
inline constexpr std::string_view kHeaderNonce = "x-acs-signature-nonce";
inline constexpr std::string_view kHeaderContentSha256 = "x-acs-content-sha256";
inline constexpr std::string_view kHeaderSecurityToken = "x-acs-security-token";
inline constexpr std::string_view kHeaderAccessKeyId = "x-acs-accesskey-id";

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;
  std::string security_token;  // empty unless STS
};

// The request's parameters: query ∪ form body, decoded ('+' is a space in both), wire order,
// query first. The body counts when its Content-Type is application/x-www-form-urlencoded, or
// when it is non-empty and has no Content-Type. nullopt on a malformed percent escape.
std::optional<QueryPairs> request_params(const HttpRequest& request);

// ---------------------------------------------------------------------------------------------
// Signature V1 (§2.2)

struct V1Parts {
  std::string canonicalized_query_string;
  std::string string_to_sign;
  std::string signature;  // base64
};

// Steps 1-3: every pair except Signature, sorted by name (then value), names and values
// uri_encoded, joined "n=v&...".
std::string v1_canonicalized_query(const QueryPairs& params);
// Step 4: METHOD&%2F&encode(canonicalized).
std::string v1_string_to_sign(std::string_view method, std::string_view canonicalized_query);
// Step 5: base64(HMAC-SHA1(secret + "&", string_to_sign)).
std::string v1_signature(std::string_view access_key_secret, std::string_view string_to_sign);
// Steps 1-5 over decoded params.
V1Parts v1_sign_params(std::string_view method, const QueryPairs& params,
                       std::string_view access_key_secret);

// Where sign_v1 puts the parameters on the wire (§2.2 step 6). A GET always carries everything
// in the query.
enum class V1Placement {
  // @alicloud/pop-core: params sorted as canonicalised, then Signature; a POST sends them all as
  // a form body and an empty query.
  PopCore,
  // Tea SDKs (@alicloud/openapi-client, signatureAlgorithm v2): query = Action, Format, Version,
  // Timestamp, SignatureNonce, the request's own query params, SecurityToken, SignatureMethod,
  // SignatureVersion, AccessKeyId, Signature; the request's form body stays as it is. (Node
  // leaves !'()* unescaped in the query; we escape them. The server decodes either way.)
  Tea,
};

struct V1SignOptions {
  std::string action;
  std::string version = std::string(kApiVersion);
  std::string format = "JSON";  // pop-core "JSON", Tea "json"; empty omits Format
  std::string timestamp;        // yyyy-MM-ddTHH:mm:ssZ; empty = now. Not validated.
  std::string nonce;            // empty = a fresh UUID v4
  bool send_nonce = true;       // false reproduces the KMS doc example without SignatureNonce
  V1Placement placement = V1Placement::PopCore;
};

// Adds the common parameters (AccessKeyId, Action, Format, SignatureMethod, SignatureNonce,
// SignatureVersion, Timestamp, Version, SecurityToken with STS credentials) to the operation
// parameters already in the request's query and form body, signs, and lays everything out per
// the placement (setting Content-Type for a form body). Common parameters the request already
// carries, and a stale Signature, are replaced. The method is upper-cased.
// Throws std::invalid_argument when the query or form body is not valid percent-encoding, or a
// GET has a body.
V1Parts sign_v1(HttpRequest& request, const Credentials& credentials, const V1SignOptions& options);

// ---------------------------------------------------------------------------------------------
// Signature V3 (§2.3)

struct V3Parts {
  std::string canonical_request;
  std::string hashed_canonical_request;  // lowercase hex
  std::string string_to_sign;
  std::string signature;       // lowercase hex
  std::string signed_headers;  // "a;b;c"
  std::string authorization;
};

// Query params only: decoded, uri_encoded, sorted by name (then value), "k=v" joined by '&'
// (a param without value is "k="). nullopt on a malformed percent escape.
std::optional<std::string> v3_canonical_query(std::string_view raw_query);

// The headers V3 signs: host, content-type and every x-acs-*; lower case, sorted.
std::vector<std::string> v3_headers_to_sign(const Headers& headers);

// METHOD\nURI\nQUERY\n(name:trimmed value\n)*\nSIGNED_HEADERS\nhashed_payload over the signed
// headers in the order given (a header that is absent canonicalises as empty). The URI is the
// path with each segment decoded and re-encoded; empty is "/". nullopt on a malformed escape.
std::optional<std::string> v3_canonical_request(const HttpRequest& request,
                                                std::span<const std::string> signed_headers,
                                                std::string_view hashed_payload);

// String to sign, signature and Authorization over an already canonical request.
V3Parts v3_sign_canonical_request(std::string canonical_request, std::string_view access_key_id,
                                  std::string_view access_key_secret,
                                  std::span<const std::string> signed_headers);

struct V3SignOptions {
  std::string action;
  std::string version = std::string(kApiVersion);
  std::string date;   // x-acs-date, yyyy-MM-ddTHH:mm:ssZ; empty = now. Not validated.
  std::string nonce;  // empty = 32 random hex characters (the SDK's shape)
  std::string host;   // written to the host header when set; else the request's Host is used
  // Sign exactly these (lower-cased) headers instead of v3_headers_to_sign's choice; lets tests
  // build requests the official signer never would.
  std::optional<std::vector<std::string>> signed_headers_override;
};

// Sets x-acs-action, x-acs-version, x-acs-date, x-acs-signature-nonce, x-acs-content-sha256 (of
// the body as it is now), x-acs-security-token and x-acs-accesskey-id with STS credentials,
// content-type application/x-www-form-urlencoded for a body without one, and Authorization;
// signs host, content-type and every x-acs-* header present (extra ones the caller set, e.g.
// x-acs-credentials-provider, included). The method is upper-cased.
// Throws std::invalid_argument when the path or query is not valid percent-encoding.
V3Parts sign_v3(HttpRequest& request, const Credentials& credentials, const V3SignOptions& options);

// ---------------------------------------------------------------------------------------------
// Server side (verifier.cpp)

enum class SignatureScheme { V1, V3 };

struct ParsedAuthorization {
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // as listed, order kept
  std::string signature;
};

// A rejection: the catalog code plus the %s arguments of its message. Arguments never hold the
// secret, the Signature or a security token, so the message is safe to send and to log.
struct AuthFailure {
  ErrorCode code;
  std::vector<std::string> message_args;

  std::string message() const { return format_message(code, message_args); }
};

// "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex": keys in any order, spaces
// after commas tolerated. IncompleteSignature when the algorithm is another one, a key is
// unknown, repeated or missing, or a value (or a SignedHeaders entry) is empty.
std::variant<ParsedAuthorization, AuthFailure> parse_authorization(std::string_view header_value);

struct VerifyOptions {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::chrono::seconds max_skew{900};
  bool check_timestamp = true;  // off to replay fixed-date vectors; the format is still checked
  // KMS's legacy docs: IllegalTimestamp instead of InvalidTimeStamp.Format / .Expired.
  bool legacy_timestamp_code = false;
  // V1 only: SignatureNonce absent is MissingParameter; false accepts it (the KMS doc example
  // has none), and such a request skips the replay check. V3 always requires its nonce.
  bool require_nonce = true;
  // Append the server's StringToSign to SignatureDoesNotMatch, as the gateway does. It holds no
  // secret; a V1 SecurityToken value in it is masked as "***". The V1 string does hold the
  // operation parameters (a Plaintext, say): turn off where messages are logged.
  bool echo_string_to_sign = true;
  // Replay guard, asked only for requests whose signature holds: true when (AccessKeyId, nonce)
  // was seen within the window (reference_server/alibaba/NonceCache::seen_or_record plugs in
  // here). Unset = no replay protection.
  std::function<bool(std::string_view access_key_id, std::string_view nonce)> nonce_seen;
};

struct VerifiedCaller {
  SignatureScheme scheme = SignatureScheme::V1;
  std::string access_key_id;
  // SecurityToken / x-acs-security-token as received; matching it to the key is the adapter's job.
  std::optional<std::string> security_token;
  // Unchecked: V1 from the Action/Version params, V3 from x-acs-action/x-acs-version. The
  // adapter answers InvalidAction.NotFound / InvalidVersion itself.
  std::string action;
  std::string version;
  std::string format;  // V1 Format as sent (may be empty); empty for V3. See response_format_from.
  std::string nonce;   // empty only for a V1 request without one (require_nonce off)
  // request_params(): query ∪ form body, decoded; V1 minus Signature (so common params too).
  QueryPairs params;
};

// nullopt = unknown access key id.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

// Detects the scheme (an Authorization starting "ACS3-HMAC-SHA256" is V3; any other non-empty
// Authorization is IncompleteSignature; none is V1) and verifies, first failure wins:
//  1 query or form body not valid percent-encoding -> InvalidParameter("QueryString"/"Body");
//  2 V3: parse_authorization's IncompleteSignature;
//  3 missing (or empty) -> MissingParameter(name):
//      V1: Action, Version, AccessKeyId, Signature, SignatureMethod, SignatureVersion,
//          Timestamp, SignatureNonce (unless require_nonce is off);
//      V3: host, x-acs-action, x-acs-version, x-acs-date, x-acs-signature-nonce,
//          x-acs-content-sha256;
//  4 V1: SignatureMethod != HMAC-SHA1 or SignatureVersion != 1.0 -> InvalidSignatureMethod(name,
//    value); V3: SignedHeaders lacks host, content-type (when sent) or an x-acs-* header that is
//    present, or names a header that is absent -> IncompleteSignature;
//  5 Timestamp / x-acs-date not yyyy-MM-ddTHH:mm:ssZ -> InvalidTimeStamp.Format; outside
//    ±max_skew (when checked) -> InvalidTimeStamp.Expired; both IllegalTimestamp when legacy;
//  6 unknown access key id -> InvalidAccessKeyId.NotFound;
//  7 an "STS." access key id without SecurityToken / x-acs-security-token -> MissingSecurityToken;
//  8 V3: x-acs-content-sha256 is not the body's SHA-256 -> SignatureDoesNotMatch;
//  9 signature differs (constant-time compare) -> SignatureDoesNotMatch(StringToSign or "");
// 10 nonce_seen says replay -> SignatureNonceUsed (only now, so a forged request cannot burn a
//    legitimate client's nonce).
// Action/Version values, AccessKey state, the token's validity, permissions and throttling are
// the adapter's.
std::variant<VerifiedCaller, AuthFailure> verify_request(const HttpRequest& request,
                                                         const SecretLookup& lookup_secret,
                                                         const VerifyOptions& options);

}  // namespace kmsconf::alibaba
