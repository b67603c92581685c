// A signed Volcengine KMS client over HttpClient: what the demo, the tests and the runner use
// to call an endpoint the way the official SDKs do.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/http_client.hpp"
#include "protocol/volcengine/envelope.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::client {

enum class Placement {
  JsonBody,  // POST, parameters as a JSON object body (what the Go SDK does for most calls)
  Query,     // GET, parameters in the query string
  FormBody,  // POST, application/x-www-form-urlencoded body
};

struct CallOptions {
  Placement placement = Placement::JsonBody;
  volcengine::SignerStyle style = volcengine::SignerStyle::Node;
  std::string region;  // empty: the client's region
  std::string x_date;  // empty: now
  // Negative tests: deviations applied while building, before signing.
  const volcengine::Credentials* credentials = nullptr;  // sign as these instead of the client's
  std::string method;                                    // empty: the placement's method
  Headers extra_headers;                                 // added before signing
  std::vector<std::string> unsigned_headers;  // sent, but left out of the style's signed set
  // Applied to the signed request before sending, for negative tests (tampering etc.).
  std::function<void(HttpRequest&)> after_signing;
};

struct CallResult {
  HttpRequest request;  // as sent
  HttpResponse response;
  volcengine::ParsedResponse parsed;  // status and error code; result may be null
  bool ok() const { return parsed.status == 200 && !parsed.error_code; }
  const nlohmann::json& result() const;  // the Result object, or an empty object
};

// The pure request builder: action and parameters, credentials, region, the Host header value and
// the options (time included: options.x_date, empty = now) in; a signed request out. No I/O.
HttpRequest build_volcengine_request(const std::string& action, const nlohmann::json& params,
                                     const volcengine::Credentials& credentials,
                                     const std::string& region, const std::string& host_header,
                                     const CallOptions& options = {});

class VolcengineClient {
 public:
  VolcengineClient(Endpoint endpoint, volcengine::Credentials credentials, std::string region,
                   ClientOptions options = {});

  // Builds, signs and sends one call. Throws TransportError on transport failure and
  // std::runtime_error when the body is not the Volcengine envelope.
  CallResult call(const std::string& action,
                  const nlohmann::json& params = nlohmann::json::object(),
                  const CallOptions& options = {});

  HttpRequest build(const std::string& action, const nlohmann::json& params,
                    const CallOptions& options) const;

  HttpClient& http() { return http_; }
  const std::string& region() const { return region_; }

 private:
  HttpClient http_;
  volcengine::Credentials credentials_;
  std::string region_;
};

}  // namespace kmsconf::client
