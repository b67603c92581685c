// Pieces both dialect drivers share: sending a step (or replaying the previous one) and reading
// the answer, the AuthOverride deviations applied to an already signed request (drop_headers,
// tamper), credential overrides, and reading a JSON body.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "client/http_client.hpp"
#include "conformance/case_model.hpp"
#include "conformance/driver.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::conformance::detail {

// The override's secret / access key / session token laid over the run's credential.
inline void apply_credential_overrides(const AuthOverride& auth, std::string& access_key_id,
                                       std::string& secret, std::string& session_token) {
  if (auth.access_key_id) access_key_id = *auth.access_key_id;
  if (auth.secret) secret = *auth.secret;
  if (auth.session_token) session_token = *auth.session_token;
}

// Removes the named headers (case-insensitive).
void drop_headers(HttpRequest& request, const std::vector<std::string>& names);

// "body" | "query" | "header:<name>": changes that part so the signature no longer covers it,
// keeping its syntax valid (a JSON body gets trailing whitespace, a form body or query an extra
// parameter, a header its last digit or letter bumped). Throws std::invalid_argument for any
// other target.
void tamper(HttpRequest& request, const std::string& target);

// The deviations made after signing: an unsigned request loses its signature (remove_signature
// knows where the dialect put it) and carries the case's own headers as written; then
// drop_headers and tamper.
void apply_after_signing(HttpRequest& request, const AuthOverride& auth,
                         const std::function<void(HttpRequest&)>& remove_signature);

// Throws NotEnvelopeError (a MalformedResponse TransportError): the answer is not `envelope` ("a
// Volcengine envelope").
[[noreturn]] void throw_not_envelope(const HttpResponse& response, std::string_view envelope);

// Now shifted by the override's time offset.
std::chrono::system_clock::time_point shifted_now(const AuthOverride& auth);

// The body as JSON, or null when it is not JSON.
nlohmann::json parse_body(const std::string& body);

// A short printable excerpt of a body for messages.
std::string excerpt(const std::string& body, size_t limit = 120);

// A request and its answer as an exchange, the answer read by parse (the dialect's
// parse_response, nullopt when it is not the dialect's envelope: NotEnvelopeError).
template <typename Parse>
Exchange read_exchange(HttpRequest request, HttpResponse response, Parse parse,
                       std::string_view envelope) {
  Exchange out;
  out.request = std::move(request);
  out.response = std::move(response);
  auto parsed = parse(out.response);
  if (!parsed) throw_not_envelope(out.response, envelope);
  out.status = parsed->status;
  out.code = parsed->error_code.value_or("");
  out.message = parsed->message;
  out.body = parse_body(out.response.body);
  return out;
}

// One step's exchange: the previous request again for auth.replay, else build()'s; sent, and the
// answer read as read_exchange does.
template <typename Build, typename Parse>
Exchange send_step(client::HttpClient& http, const ResolvedStep& step, const Exchange* previous,
                   Build build, Parse parse, std::string_view envelope) {
  HttpRequest request;
  if (step.auth.replay) {
    if (!previous) throw std::invalid_argument("auth.replay: there is no previous request");
    request = previous->request;
  } else {
    request = build();
  }
  HttpResponse response = http.send(request, step.give_up_at);
  return read_exchange(std::move(request), std::move(response), parse, envelope);
}

}  // namespace kmsconf::conformance::detail
