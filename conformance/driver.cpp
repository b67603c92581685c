#include "conformance/driver.hpp"

#include <stdexcept>

#include "conformance/driver_support.hpp"
#include "protocol/ascii.hpp"

namespace kmsconf::conformance {

// Defined in volcengine_driver.cpp and alibaba_driver.cpp.
std::unique_ptr<DialectDriver> make_volcengine_driver(const client::Endpoint& endpoint,
                                                      const Credentials& credentials,
                                                      const std::string& region,
                                                      const client::ClientOptions& options);
std::unique_ptr<DialectDriver> make_alibaba_driver(const client::Endpoint& endpoint,
                                                   const Credentials& credentials,
                                                   const std::string& region,
                                                   const client::ClientOptions& options);

std::unique_ptr<DialectDriver> make_driver(const std::string& dialect,
                                           const client::Endpoint& endpoint,
                                           const Credentials& credentials,
                                           const std::string& region,
                                           const client::ClientOptions& options) {
  auto id = dialect_from_name(dialect);
  if (!id)
    throw std::invalid_argument("unknown dialect " + dialect + " (" + dialect_choices() + ")");
  switch (*id) {
    case DialectId::Volcengine:
      return make_volcengine_driver(endpoint, credentials, region, options);
    case DialectId::Alibaba:
      return make_alibaba_driver(endpoint, credentials, region, options);
  }
  return nullptr;
}

std::vector<std::string> dialects_speaking(const HttpResponse& response) {
  std::vector<std::string> out;
  for (DialectId id : kDialectIds) {
    const auto& dialect = client::descriptor(id);
    if (dialect.speaks(response)) out.emplace_back(dialect.name);
  }
  return out;
}

namespace detail {
namespace {

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The last digit becomes the next digit (9 -> 0), else the last letter the next letter of the
// same case (z -> a): the value keeps its shape (an X-Date stays a date) but differs.
std::string bumped(std::string value) {
  for (size_t i = value.size(); i-- > 0;) {
    if (ascii::is_digit(value[i])) {
      value[i] = value[i] == '9' ? '0' : static_cast<char>(value[i] + 1);
      return value;
    }
  }
  for (size_t i = value.size(); i-- > 0;) {
    char c = value[i];
    if (is_alnum(c)) {
      value[i] = c == 'z' ? 'a' : c == 'Z' ? 'A' : static_cast<char>(c + 1);
      return value;
    }
  }
  return value + "x";
}

}  // namespace

void drop_headers(HttpRequest& request, const std::vector<std::string>& names) {
  for (const auto& name : names) request.headers.erase(name);
}

void tamper(HttpRequest& request, const std::string& target) {
  if (target == "body") {
    std::string_view trimmed = ascii::trim(request.body);
    if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
      request.body += ' ';  // still the same JSON, but not the signed bytes
    } else {
      request.body += request.body.empty() ? "Tampered=1" : "&Tampered=1";
    }
    return;
  }
  if (target == "query") {
    request.raw_query += request.raw_query.empty() ? "Tampered=1" : "&Tampered=1";
    return;
  }
  constexpr std::string_view kHeader = "header:";
  if (target.starts_with(kHeader) && target.size() > kHeader.size()) {
    std::string name = target.substr(kHeader.size());
    auto it = request.headers.find(name);
    if (it == request.headers.end()) {
      request.headers[name] = "tampered";
    } else {
      it->second = bumped(it->second);
    }
    return;
  }
  throw std::invalid_argument("auth.tamper: \"" + target +
                              "\" is not body, query or header:<name>");
}

void apply_after_signing(HttpRequest& request, const AuthOverride& auth,
                         const std::function<void(HttpRequest&)>& remove_signature) {
  if (auth.unsigned_request) {
    remove_signature(request);
    // Hand-written headers (an Authorization of the test's own) go out as written.
    for (const auto& [name, value] : auth.extra_headers) request.headers[name] = value;
  }
  drop_headers(request, auth.drop_headers);
  if (auth.tamper) tamper(request, *auth.tamper);
}

void throw_not_envelope(const HttpResponse& response, std::string_view envelope) {
  throw NotEnvelopeError("HTTP " + std::to_string(response.status) + " answer is not " +
                             std::string(envelope) + ": " + excerpt(response.body),
                         response);
}

std::chrono::system_clock::time_point shifted_now(const AuthOverride& auth) {
  return std::chrono::system_clock::now() + auth.time_offset;
}

nlohmann::json parse_body(const std::string& body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

std::string excerpt(const std::string& body, size_t limit) {
  std::string out;
  for (char c : body.substr(0, limit)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '.';
  }
  if (body.size() > limit) out += "...";
  return out;
}

}  // namespace detail
}  // namespace kmsconf::conformance
