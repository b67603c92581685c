// A signed Alibaba Cloud KMS client over HttpClient: RPC calls signed with V1 (HMAC-SHA1, in
// the pop-core or Tea layout) or V3 (ACS3-HMAC-SHA256), as the official SDKs send them.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/http_client.hpp"
#include "protocol/alibaba/envelope.hpp"
#include "protocol/alibaba/signer.hpp"

namespace kmsconf::client {

enum class AlibabaSigning {
  V1PopCore,  // V1, everything in a POST form body (GET: query)
  V1Tea,      // V1, common params + Signature in the query, operation params in the body
  V3,         // ACS3-HMAC-SHA256, operation params in the query
  V3FormBody  // ACS3-HMAC-SHA256, operation params in a form body
};

struct AlibabaCallOptions {
  AlibabaSigning signing = AlibabaSigning::V3;
  std::string method = "POST";
  std::string timestamp;  // V1 Timestamp / V3 x-acs-date; empty = now
  std::string nonce;      // empty = fresh
  std::string format;     // V1 Format; empty = "JSON"
  // Negative tests: deviations applied while building, before signing.
  const alibaba::Credentials* credentials = nullptr;  // sign as these instead of the client's
  Headers extra_headers;                              // added before signing
  std::vector<std::string> unsigned_headers;          // V3: sent, but left out of the signed set
  // Applied to the signed request before sending, for negative tests.
  std::function<void(HttpRequest&)> after_signing;
};

struct AlibabaCallResult {
  HttpRequest request;  // as sent
  HttpResponse response;
  alibaba::ParsedResponse parsed;
  bool ok() const { return !parsed.is_error(); }
  const nlohmann::json& body() const;  // the whole JSON body
};

// The pure request builder: action and parameters, credentials, the Host header value and the
// options (time included: options.timestamp, empty = now) in; a signed request out. No I/O.
HttpRequest build_alibaba_request(const std::string& action, const nlohmann::json& params,
                                  const alibaba::Credentials& credentials,
                                  const std::string& host_header,
                                  const AlibabaCallOptions& options = {});

class AlibabaClient {
 public:
  AlibabaClient(Endpoint endpoint, alibaba::Credentials credentials, ClientOptions options = {});

  // Parameters are sent as strings; objects and arrays travel as JSON text (§1.2).
  AlibabaCallResult call(const std::string& action,
                         const nlohmann::json& params = nlohmann::json::object(),
                         const AlibabaCallOptions& options = {});
  HttpRequest build(const std::string& action, const nlohmann::json& params,
                    const AlibabaCallOptions& options) const;

  HttpClient& http() { return http_; }

 private:
  HttpClient http_;
  alibaba::Credentials credentials_;
};

}  // namespace kmsconf::client
