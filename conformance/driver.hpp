// What the runner needs from a dialect: send one step (signed, with its deviations) and read
// the answer in neutral terms. One implementation per dialect, over the shared signers.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/case_model.hpp"
#include "conformance/http_client.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::conformance {

struct Credentials {
  std::string access_key_id;
  std::string secret;
  std::string session_token;
};

struct Exchange {
  HttpRequest request;  // as sent
  HttpResponse response;
  int status = 0;
  std::string code;  // the error code, empty on success
  std::string message;
  nlohmann::json body;  // parsed body (null when not JSON)
};

struct ResolvedStep {
  std::string action;
  nlohmann::json params;  // templates already expanded
  Placement placement = Placement::Auto;
  std::string region;
  AuthOverride auth;
};

class DialectDriver {
 public:
  virtual ~DialectDriver() = default;
  virtual std::string dialect() const = 0;
  // Throws client::TransportError on transport failure.
  virtual Exchange send(const ResolvedStep& step, const Exchange* previous) = 0;
  // Whether the dialect's catalog knows this wire code (case files are checked against it).
  virtual bool known_code(const std::string& code) const = 0;
};

std::unique_ptr<DialectDriver> make_driver(const std::string& dialect,
                                           const client::Endpoint& endpoint,
                                           const Credentials& credentials,
                                           const std::string& region,
                                           const client::ClientOptions& options);

}  // namespace kmsconf::conformance
