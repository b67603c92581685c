// Redacting what reports record of requests and responses (runner.hpp): secrets, tokens and
// signatures never reach a report.
#include <regex>

#include "conformance/runner.hpp"
#include "protocol/ascii.hpp"

namespace kmsconf::conformance {
namespace {

constexpr const char* kRedacted = "<redacted>";

std::string replace_all(std::string text, const std::string& needle, const std::string& with) {
  if (needle.empty()) return text;
  size_t at = 0;
  while ((at = text.find(needle, at)) != std::string::npos) {
    text.replace(at, needle.size(), with);
    at += with.size();
  }
  return text;
}

bool is_token_header(std::string_view name) {
  return ascii::iequals(name, "X-Security-Token") || ascii::iequals(name, "x-acs-security-token") ||
         ascii::iequals(name, "Cookie");
}

}  // namespace

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() >= kMinRedactedSecretLength)
      text = replace_all(std::move(text), secret, kRedacted);
  }
  // Signature=<hex> in an Authorization header, Signature=<base64> in a V1 query or form body,
  // SecurityToken=<token> likewise; "SignatureNonce=" and "SignedHeaders=" do not match.
  static const std::regex kSigned(R"(\b(Signature|SecurityToken)=[^&\s,;"]+)");
  return std::regex_replace(text, kSigned, std::string("$1=") + kRedacted);
}

std::string render_request(const HttpRequest& request, const std::vector<std::string>& secrets) {
  std::string out = request.method + " " + request.path;
  if (!request.raw_query.empty()) out += "?" + request.raw_query;
  out += " HTTP/1.1\n";
  for (const auto& [name, value] : request.headers) {
    out += name + ": " + (is_token_header(name) ? std::string(kRedacted) : value) + "\n";
  }
  out += "\n" + request.body;
  return redact(std::move(out), secrets);
}

std::string render_response(const HttpResponse& response, const std::vector<std::string>& secrets) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) {
    out += name + ": " + (is_token_header(name) ? std::string(kRedacted) : value) + "\n";
  }
  out += "\n" + response.body;
  return redact(std::move(out), secrets);
}

}  // namespace kmsconf::conformance
