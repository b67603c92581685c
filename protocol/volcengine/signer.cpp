// Canonicalisation and the client-side signer; the verifier lives in verifier.cpp.
#include "protocol/volcengine/signer.hpp"
#include "protocol/volcengine/signing_key_cache.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::volcengine {
namespace {

constexpr char kGoDefaultContentType[] = "application/x-www-form-urlencoded; charset=utf-8";

// Headers the Node SDK never signs (lib/base/sign.js unsignableHeaders).
constexpr std::array<std::string_view, 6> kNodeUnsignable{
    "authorization", "content-type", "content-length", "user-agent", "presigned-expires", "expect"};
// Headers the Go SDK signs besides every x-* one.
constexpr std::array<std::string_view, 4> kGoSigned{"content-type", "content-md5", "host",
                                                    "x-security-token"};

using ascii::is_space;
using ascii::join;
using ascii::to_lower;
using ascii::trim;

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_run = false;
  for (char c : trim(text)) {
    if (is_space(c)) {
      if (!in_run) out.push_back(' ');
      in_run = true;
    } else {
      out.push_back(c);
      in_run = false;
    }
  }
  return out;
}

// Go signs "host:port" as "host" for the scheme-default ports only.
std::string_view strip_default_port(std::string_view host) {
  size_t colon = host.find(':');
  if (colon == std::string_view::npos || host.find(':', colon + 1) != std::string_view::npos) {
    return host;
  }
  std::string_view port = host.substr(colon + 1);
  return port == "80" || port == "443" ? host.substr(0, colon) : host;
}

std::string canonical_header_value(std::string_view name, std::string_view value,
                                   SignerStyle style) {
  if (style == SignerStyle::Node) return collapse_whitespace(value);
  std::string_view trimmed = trim(value);
  if (to_lower(name) == "host") trimmed = strip_default_port(trimmed);
  return std::string(trimmed);
}

std::optional<std::string> canonical_query(std::string_view raw_query, SignerStyle style) {
  auto pairs = parse_query(raw_query);  // decodes '+' as space and %xx of either case
  if (!pairs) return std::nullopt;
  QueryPairs encoded;
  encoded.reserve(pairs->size());
  for (const auto& [name, value] : *pairs)
    encoded.emplace_back(uri_encode(name), uri_encode(value));
  if (style == SignerStyle::Node) {
    std::sort(encoded.begin(), encoded.end());
  } else {
    std::stable_sort(encoded.begin(), encoded.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string credential_scope(const SigningInput& input) {
  std::string scope(input.x_date.substr(0, 8));
  for (std::string_view part : {input.region, input.service, kScopeTerminator}) {
    scope.push_back('/');
    scope += part;
  }
  return scope;
}

bool node_signs(std::string_view lower_name) {
  return std::find(kNodeUnsignable.begin(), kNodeUnsignable.end(), lower_name) ==
         kNodeUnsignable.end();
}

bool go_signs(std::string_view lower_name) {
  return lower_name.starts_with("x-") ||
         std::find(kGoSigned.begin(), kGoSigned.end(), lower_name) != kGoSigned.end();
}

std::vector<std::string> headers_chosen_by(SignerStyle style, const Headers& headers) {
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    std::string lower = to_lower(name);
    if (style == SignerStyle::Node ? node_signs(lower) : go_signs(lower)) names.push_back(lower);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> lowercased(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const std::string& name : names) out.push_back(to_lower(name));
  return out;
}

// Headers the signer adds before choosing what to sign, per the style's SDK.
void add_signer_headers(HttpRequest& request, const Credentials& credentials,
                        const SignOptions& options, const std::string& x_date) {
  request.headers.erase("Authorization");  // a stale one from a previous attempt
  request.headers["X-Date"] = x_date;
  if (!credentials.session_token.empty()) {
    request.headers["X-Security-Token"] = credentials.session_token;
  }
  if (!options.host.empty()) request.headers["Host"] = options.host;
  const bool go = options.style == SignerStyle::Go;
  if (go && !request.has_header("Content-Type")) {
    request.headers["Content-Type"] = kGoDefaultContentType;
  }
  if (go || !request.body.empty()) request.headers["X-Content-Sha256"] = sha256_hex(request.body);
}

}  // namespace

std::optional<std::string> canonical_request(const HttpRequest& request,
                                             std::span<const std::string> signed_headers,
                                             SignerStyle style) {
  auto uri = canonical_uri_path(request.path);
  auto query = canonical_query(request.raw_query, style);
  if (!uri || !query) return std::nullopt;
  std::string out = request.method + '\n' + *uri + '\n' + *query + '\n';
  for (const std::string& name : signed_headers) {
    out += name;
    out.push_back(':');
    out += canonical_header_value(name, request.header(name), style);
    out.push_back('\n');
  }
  out.push_back('\n');  // the empty line between the header block and SignedHeaders
  out += join(signed_headers, ';');
  out.push_back('\n');
  out += sha256_hex(request.body);
  return out;
}

std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                               std::string_view region, std::string_view service) {
  std::string key = hmac_sha256(secret_access_key, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, kScopeTerminator);
}

SignatureParts sign_canonical_request(std::string canonical_request, const SigningInput& input,
                                      std::span<const std::string> signed_headers) {
  SignatureParts parts;
  parts.canonical_request = std::move(canonical_request);
  const std::string scope = credential_scope(input);
  parts.string_to_sign = std::string(kSigningAlgorithm) + '\n' + std::string(input.x_date) + '\n' +
                         scope + '\n' + sha256_hex(parts.canonical_request);
  const std::string key =
      signing_key(input.secret_access_key, input.x_date.substr(0, 8), input.region, input.service);
  parts.signature = hex_encode(hmac_sha256(key, parts.string_to_sign));
  parts.signed_headers = join(signed_headers, ';');
  parts.authorization =
      std::string(kSigningAlgorithm) + " Credential=" + std::string(input.access_key_id) + '/' +
      scope + ", SignedHeaders=" + parts.signed_headers + ", Signature=" + parts.signature;
  return parts;
}

std::optional<SignatureParts> compute_signature(const HttpRequest& request,
                                                const SigningInput& input,
                                                std::span<const std::string> signed_headers) {
  auto canonical = canonical_request(request, signed_headers, input.style);
  if (!canonical) return std::nullopt;
  return sign_canonical_request(std::move(*canonical), input, signed_headers);
}

std::string format_x_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto second = floor<seconds>(time);
  const auto day = floor<days>(second);
  const year_month_day date{day};
  const hh_mm_ss clock{second - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_x_date(std::string_view text) {
  using namespace std::chrono;
  constexpr std::string_view kShape = "00000000T000000Z";  // '0' marks a digit
  if (text.size() != kShape.size()) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool digit_ok = kShape[i] == '0' && std::isdigit(static_cast<unsigned char>(text[i]));
    if (!digit_ok && text[i] != kShape[i]) return std::nullopt;
  }
  auto number = [&](size_t pos, size_t len) {
    int value = 0;
    for (size_t i = pos; i < pos + len; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const year_month_day date{year{number(0, 4)}, month{static_cast<unsigned>(number(4, 2))},
                            day{static_cast<unsigned>(number(6, 2))}};
  const int hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
}

SignatureParts sign_request(HttpRequest& request, const Credentials& credentials,
                            const SignOptions& options) {
  const std::string x_date =
      options.x_date.empty() ? format_x_date(std::chrono::system_clock::now()) : options.x_date;
  add_signer_headers(request, credentials, options, x_date);
  const std::vector<std::string> signed_headers =
      options.signed_headers_override ? lowercased(*options.signed_headers_override)
                                      : headers_chosen_by(options.style, request.headers);
  const SigningInput input{credentials.access_key_id,
                           credentials.secret_access_key,
                           options.region,
                           options.service,
                           x_date,
                           options.style};
  auto parts = compute_signature(request, input, signed_headers);
  if (!parts) throw std::invalid_argument("request path or query is not valid percent-encoding");
  request.headers["Authorization"] = parts->authorization;
  return std::move(*parts);
}

}  // namespace kmsconf::volcengine
