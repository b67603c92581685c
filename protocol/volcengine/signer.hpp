// Volcengine OpenAPI request signing (spec §2): HMAC-SHA256 over a canonical request.
// Client half (sign_request) for the runner and load generator; server half (verify_request)
// for the reference server. Both share one canonicalisation, so they cannot drift apart.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/http_message.hpp"
#include "protocol/volcengine/errors.hpp"

namespace kmsconf::volcengine {

// ---------------------------------------------------------------------------------------------
// Shared pieces

inline constexpr std::string_view kSigningAlgorithm = "HMAC-SHA256";
inline constexpr std::string_view kScopeTerminator = "request";  // last credential scope part

// Where the two official signers canonicalise differently (§2.1, §2.2):
//  Node: collapses inner whitespace runs of header values, sorts duplicate query names by value.
//  Go:   only trims header values, drops a :80/:443 suffix from host, keeps duplicate query
//        values in wire order.
enum class SignerStyle { Node, Go };

struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
  std::string authorization;
  std::string signed_headers;  // "a;b;c"
};

struct SigningInput {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view region;
  std::string_view service = "kms";
  std::string_view x_date;  // YYYYMMDDTHHMMSSZ; its first 8 characters date the scope
  SignerStyle style = SignerStyle::Node;
};

// The canonical request of §2.1 over the signed headers, in the order given. The query is
// decoded ('+' as space, %xx of either case) and re-encoded, so any wire spelling of the same
// parameters canonicalises alike. An absent signed header canonicalises as an empty value.
// nullopt when the path or query holds a malformed percent escape.
std::optional<std::string> canonical_request(const HttpRequest& request,
                                             std::span<const std::string> signed_headers,
                                             SignerStyle style);

// String to sign, signature and Authorization over an already canonical request.
SignatureParts sign_canonical_request(std::string canonical_request, const SigningInput& input,
                                      std::span<const std::string> signed_headers);

// canonical_request + sign_canonical_request. Hashes the body as it is now (never a stated
// X-Content-Sha256).
std::optional<SignatureParts> compute_signature(const HttpRequest& request,
                                                const SigningInput& input,
                                                std::span<const std::string> signed_headers);

// kSigning = HMAC chain SK -> date -> region -> service -> "request"; raw 32 bytes.
std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                               std::string_view region, std::string_view service);

std::string format_x_date(std::chrono::system_clock::time_point time);
// nullopt unless text is exactly YYYYMMDDTHHMMSSZ naming a real UTC instant.
std::optional<std::chrono::system_clock::time_point> parse_x_date(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Client side

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless STS
};

struct SignOptions {
  std::string region;
  std::string service = "kms";
  std::string x_date;  // YYYYMMDDTHHMMSSZ; empty = now. Not validated, so tests can forge.
  SignerStyle style = SignerStyle::Node;
  // When set, written to the Host header before signing, as Go's signer does from the URL.
  // Node's signer leaves Host to the transport (unsigned), so leave empty to mirror it.
  std::string host;
  // Sign exactly these headers (lowercased, order kept) instead of the style's choice; lets
  // tests build requests the official signers never would.
  std::optional<std::vector<std::string>> signed_headers_override;
};

// Sets X-Date, X-Content-Sha256 (Go: always; Node: only with a body), X-Security-Token (with a
// session token), Go's default Content-Type, and Authorization. Node signs every header present
// except authorization, content-type, content-length, user-agent, presigned-expires and expect
// (so Host only when the caller put it there); Go signs content-type, content-md5, host,
// x-security-token and every x-* header. Returns the pieces for diagnostics.
// Throws std::invalid_argument when the request's path or query is not valid percent-encoding.
SignatureParts sign_request(HttpRequest& request, const Credentials& credentials,
                            const SignOptions& options);

// ---------------------------------------------------------------------------------------------
// Server side

struct ParsedAuthorization {
  std::string access_key_id;
  std::string date;  // YYYYMMDD of the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // as listed, order kept
  std::string signature;
};

// A rejection: the catalog code plus the %s arguments of its message. Arguments never hold
// secrets or signatures, so the message is safe to send and to log.
struct AuthFailure {
  ErrorCode code;
  std::vector<std::string> message_args;

  std::string message() const { return format_message(code, message_args); }
};

// InvalidAuthorization when not "HMAC-SHA256 k=v, k=v, ..." with known keys and SignedHeaders;
// InvalidCredential when Credential is absent or not AK/YYYYMMDD/region/service/request;
// MissingSignature when Signature is absent or empty. An empty value is MissingAuthenticationToken.
std::variant<ParsedAuthorization, AuthFailure> parse_authorization(std::string_view header_value);

struct VerifyOptions {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::chrono::seconds max_skew{900};
  bool check_timestamp = true;  // off to replay fixed-date vectors
  std::string service = "kms";
  // Regions accepted in the credential scope; unset accepts any.
  std::function<bool(std::string_view region)> region_known;
};

struct VerifiedCaller {
  std::string access_key_id;
  std::string region;  // from the credential scope
  // X-Security-Token as received; validating it (InvalidSecretToken) is the adapter's job.
  std::optional<std::string> session_token;
};

// nullopt = unknown access key id.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

// Steps 3-8 of §2.4, in order:
//  3 Authorization: absent -> MissingAuthenticationToken, then parse_authorization's codes;
//  4 scope service or region not accepted -> MissingRequestInfo("service"/"region");
//    X-Date absent -> MissingRequestInfo("X-Date"); scope date != X-Date's ->
//    SignatureDoesNotMatch;
//  5 X-Date malformed, or outside max_skew when checked -> InvalidTimestamp;
//  6 unknown access key id -> InvalidAccessKey(id);
//  7 x-date not signed, or a signed header absent -> SignatureDoesNotMatch;
//  8 X-Content-Sha256 present but not the body's hash, or signature mismatch ->
//    SignatureDoesNotMatch. Accepts both official canonicalisations (see SignerStyle).
// Steps 1-2 (Action/Version) and 9 (IAM, throttling) belong to the adapter.
std::variant<VerifiedCaller, AuthFailure> verify_request(const HttpRequest& request,
                                                         const SecretLookup& lookup_secret,
                                                         const VerifyOptions& options);

}  // namespace kmsconf::volcengine
