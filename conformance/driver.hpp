// What the runner needs from a dialect: send one step (signed, with its deviations) and read
// the answer in neutral terms. One implementation per dialect, over the shared signers.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/dialect.hpp"
#include "client/http_client.hpp"
#include "conformance/case_model.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::conformance {

using Credentials = client::Credentials;

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
  // When to give up waiting for the answer (a run's deadline, or a stop's grace), asked again
  // while waiting; on top of the per-request timeout.
  client::GiveUpAt give_up_at;
};

// Why a call was refused when the reason lies outside conformance (dialect.hpp).
using Cause = client::Cause;

// The transport saw a complete HTTP answer, but not in the dialect's envelope.
class NotEnvelopeError : public client::TransportError {
 public:
  NotEnvelopeError(const std::string& message, HttpResponse response)
      : client::TransportError(client::TransportErrorKind::MalformedResponse, message),
        response_(std::move(response)) {}
  const HttpResponse& response() const { return response_; }

 private:
  HttpResponse response_;
};

class DialectDriver {
 public:
  virtual ~DialectDriver() = default;
  virtual std::string dialect() const = 0;
  // Throws client::TransportError on transport failure.
  virtual Exchange send(const ResolvedStep& step, const Exchange* previous) = 0;
  // The step's request, signed now with its deviations, without sending it (a burst sends many).
  // Thread-safe.
  virtual HttpRequest build_request(const ResolvedStep& step) const = 0;
  // An answer to a request built here, read as send() reads it (NotEnvelopeError otherwise).
  virtual Exchange read_answer(HttpRequest request, HttpResponse response) const = 0;
  // Where requests go, and how (a burst opens connections of its own).
  virtual const client::Endpoint& endpoint() const = 0;
  // Whether the dialect's catalog knows this wire code (case files are checked against it).
  virtual bool known_code(const std::string& code) const = 0;
  // What the catalog says a refusal with this code means, when its cause is not conformance.
  virtual Cause cause_of(const std::string& code) const = 0;
  // The preflight: a cheap signed read every endpoint of the dialect serves, and the JSON path of
  // the region list (items with RegionId) in its answer.
  virtual std::string probe_action() const = 0;
  virtual std::string regions_path() const = 0;
};

// The dialects whose envelope `response` is (a success, or an error code their catalog knows):
// tells which dialect an endpoint speaks when it is not the one expected.
std::vector<std::string> dialects_speaking(const HttpResponse& response);

std::unique_ptr<DialectDriver> make_driver(const std::string& dialect,
                                           const client::Endpoint& endpoint,
                                           const Credentials& credentials,
                                           const std::string& region,
                                           const client::ClientOptions& options);

}  // namespace kmsconf::conformance
