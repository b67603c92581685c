// Server side of signer.hpp: Authorization parsing and request verification (spec §2.4).
#include <algorithm>

#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::volcengine {
namespace {

using ascii::iequals;
using ascii::split;
using ascii::trim;

constexpr size_t kScopeDateLength = 8;  // YYYYMMDD

AuthFailure fail(ErrorCode code, std::vector<std::string> args = {}) {
  return AuthFailure{code, std::move(args)};
}

AuthFailure signature_mismatch() {
  return fail(ErrorCode::SignatureDoesNotMatch);
}

struct AuthorizationFields {
  std::optional<std::string_view> credential;
  std::optional<std::string_view> signed_headers;
  std::optional<std::string_view> signature;
};

// "Credential=..., SignedHeaders=..., Signature=..." in any order, any spacing after commas.
// nullopt on an empty part, a part without '=', an unknown key or a repeated key.
std::optional<AuthorizationFields> split_fields(std::string_view text) {
  AuthorizationFields fields;
  for (std::string_view part : split(text, ',')) {
    part = trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = part.substr(0, eq);
    std::optional<std::string_view>* slot = key == "Credential"      ? &fields.credential
                                            : key == "SignedHeaders" ? &fields.signed_headers
                                            : key == "Signature"     ? &fields.signature
                                                                     : nullptr;
    if (slot == nullptr || slot->has_value()) return std::nullopt;
    *slot = part.substr(eq + 1);
  }
  return fields;
}

bool is_scope_date(std::string_view text) {
  return text.size() == kScopeDateLength &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// AK/YYYYMMDD/region/service/request, every part non-empty.
bool read_credential(std::string_view credential, ParsedAuthorization& out) {
  std::vector<std::string_view> parts = split(credential, '/');
  if (parts.size() != 5 || parts[4] != kScopeTerminator) return false;
  if (parts[0].empty() || !is_scope_date(parts[1]) || parts[2].empty() || parts[3].empty()) {
    return false;
  }
  out.access_key_id = parts[0];
  out.date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  return true;
}

bool read_signed_headers(std::string_view list, ParsedAuthorization& out) {
  for (std::string_view name : split(list, ';')) {
    if (name.empty()) return false;
    out.signed_headers.emplace_back(name);
  }
  return true;
}

std::variant<ParsedAuthorization, AuthFailure> authorization_of(const HttpRequest& request) {
  if (!request.has_header("Authorization")) return fail(ErrorCode::MissingAuthenticationToken);
  return parse_authorization(request.header("Authorization"));
}

// Step 4: the scope names this service and a region we serve, and the day X-Date names.
std::optional<AuthFailure> check_scope(const ParsedAuthorization& auth, const HttpRequest& request,
                                       const VerifyOptions& options) {
  if (auth.service != options.service) return fail(ErrorCode::MissingRequestInfo, {"service"});
  if (options.region_known && !options.region_known(auth.region)) {
    return fail(ErrorCode::MissingRequestInfo, {"region"});
  }
  if (!request.has_header("X-Date")) return fail(ErrorCode::MissingRequestInfo, {"X-Date"});
  if (request.header("X-Date").substr(0, kScopeDateLength) != auth.date) {
    return signature_mismatch();
  }
  return std::nullopt;
}

// Step 5. A malformed X-Date is rejected even when the window is not checked.
std::optional<AuthFailure> check_timestamp(std::string_view x_date, const VerifyOptions& options) {
  auto signed_at = parse_x_date(x_date);
  if (!signed_at) return fail(ErrorCode::InvalidTimestamp);
  if (options.check_timestamp && std::chrono::abs(*signed_at - options.now) > options.max_skew) {
    return fail(ErrorCode::InvalidTimestamp);
  }
  return std::nullopt;
}

// Step 7: x-date must be covered, and every covered header must have been sent.
std::optional<AuthFailure> check_signed_headers(const ParsedAuthorization& auth,
                                                const HttpRequest& request) {
  const auto& names = auth.signed_headers;
  const bool dated = std::any_of(names.begin(), names.end(),
                                 [](const std::string& name) { return iequals(name, "x-date"); });
  if (!dated) return signature_mismatch();
  for (const std::string& name : names) {
    if (!request.has_header(name)) return signature_mismatch();
  }
  return std::nullopt;
}

// A stated body hash must be the hash of the body actually received.
bool stated_body_hash_holds(const HttpRequest& request) {
  return !request.has_header("X-Content-Sha256") ||
         request.header("X-Content-Sha256") == sha256_hex(request.body);
}

// Step 8. Tries Node's canonicalisation, then Go's when it differs, so both SDKs verify.
bool signature_holds(const HttpRequest& request, const ParsedAuthorization& auth,
                     std::string_view secret) {
  std::optional<std::string> previous;
  for (SignerStyle style : {SignerStyle::Node, SignerStyle::Go}) {
    auto canonical = canonical_request(request, auth.signed_headers, style);
    if (!canonical) return false;  // malformed escapes cannot canonicalise
    if (canonical == previous) continue;
    previous = canonical;
    const SigningInput input{auth.access_key_id,       secret, auth.region, auth.service,
                             request.header("X-Date"), style};
    const SignatureParts parts =
        sign_canonical_request(std::move(*canonical), input, auth.signed_headers);
    if (constant_time_equal(parts.signature, auth.signature)) return true;
  }
  return false;
}

VerifiedCaller caller_of(const ParsedAuthorization& auth, const HttpRequest& request) {
  VerifiedCaller caller{auth.access_key_id, auth.region, std::nullopt};
  if (request.has_header("X-Security-Token")) {
    caller.session_token = std::string(request.header("X-Security-Token"));
  }
  return caller;
}

}  // namespace

std::variant<ParsedAuthorization, AuthFailure> parse_authorization(std::string_view header_value) {
  const std::string_view value = trim(header_value);
  if (value.empty()) return fail(ErrorCode::MissingAuthenticationToken);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || value.substr(0, space) != kSigningAlgorithm) {
    return fail(ErrorCode::InvalidAuthorization);
  }
  auto fields = split_fields(value.substr(space + 1));
  if (!fields || !fields->signed_headers) return fail(ErrorCode::InvalidAuthorization);

  ParsedAuthorization parsed;
  if (!read_signed_headers(*fields->signed_headers, parsed)) {
    return fail(ErrorCode::InvalidAuthorization);
  }
  if (!fields->credential || !read_credential(*fields->credential, parsed)) {
    return fail(ErrorCode::InvalidCredential);
  }
  if (!fields->signature || fields->signature->empty()) return fail(ErrorCode::MissingSignature);
  parsed.signature = *fields->signature;
  return parsed;
}

std::variant<VerifiedCaller, AuthFailure> verify_request(const HttpRequest& request,
                                                         const SecretLookup& lookup_secret,
                                                         const VerifyOptions& options) {
  auto authorization = authorization_of(request);  // step 3
  if (auto* failure = std::get_if<AuthFailure>(&authorization)) return std::move(*failure);
  const auto& auth = std::get<ParsedAuthorization>(authorization);

  if (auto failure = check_scope(auth, request, options)) return *failure;
  if (auto failure = check_timestamp(request.header("X-Date"), options)) return *failure;

  const auto secret = lookup_secret ? lookup_secret(auth.access_key_id) : std::nullopt;  // 6
  if (!secret) return fail(ErrorCode::InvalidAccessKey, {auth.access_key_id});

  if (auto failure = check_signed_headers(auth, request)) return *failure;
  if (!stated_body_hash_holds(request) || !signature_holds(request, auth, *secret)) {
    return signature_mismatch();
  }
  return caller_of(auth, request);
}

}  // namespace kmsconf::volcengine
