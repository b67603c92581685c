// Pieces both dialect drivers share: the AuthOverride deviations applied to an already signed
// request (drop_headers, tamper), credential overrides, and reading a JSON body.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/case_model.hpp"
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

// Now shifted by the override's time offset.
std::chrono::system_clock::time_point shifted_now(const AuthOverride& auth);

// The body as JSON, or null when it is not JSON.
nlohmann::json parse_body(const std::string& body);

// A short printable excerpt of a body for messages.
std::string excerpt(const std::string& body, size_t limit = 120);

}  // namespace kmsconf::conformance::detail
