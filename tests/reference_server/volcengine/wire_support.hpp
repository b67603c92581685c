// Shared pieces of the wire-level Volcengine tests (errors, state matrix, throttling, signing):
// a catalog-driven check of error envelopes, and requests built and signed by hand so a test
// controls every byte the server receives.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "client/http_client.hpp"
#include "client/volcengine_client.hpp"
#include "protocol/encoding.hpp"
#include "protocol/volcengine/envelope.hpp"
#include "protocol/volcengine/errors.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::testing::wire {

using volcengine::ErrorCode;

inline constexpr const char* kVersion = "2021-02-18";

// The response is exactly the catalog's refusal: HTTP status, Error.Code, Error.CodeN present
// exactly when the catalog has one, the formatted Message, and no Result.
inline ::testing::AssertionResult is_error(const volcengine::ParsedResponse& parsed, ErrorCode code,
                                           const std::vector<std::string>& args = {}) {
  const volcengine::ErrorInfo& info = volcengine::error_info(code);
  const std::string message = volcengine::format_message(code, args);
  std::ostringstream why;
  if (parsed.status != info.http_status) {
    why << " HTTP " << parsed.status << " (want " << info.http_status << ");";
  }
  if (parsed.error_code.value_or("<none>") != info.wire_code) {
    why << " Code '" << parsed.error_code.value_or("<none>") << "' (want '" << info.wire_code
        << "');";
  }
  if (parsed.code_n != info.code_n) {
    why << " CodeN " << (parsed.code_n ? std::to_string(*parsed.code_n) : "<absent>") << " (want "
        << (info.code_n ? std::to_string(*info.code_n) : "<absent>") << ");";
  }
  if (parsed.message != message) {
    why << " Message '" << parsed.message << "' (want '" << message << "');";
  }
  if (parsed.result) why << " carries a Result;";
  if (why.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << info.name << ":" << why.str();
}

inline ::testing::AssertionResult is_error(const client::CallResult& result, ErrorCode code,
                                           const std::vector<std::string>& args = {}) {
  if (result.response.status != result.parsed.status) {
    return ::testing::AssertionFailure() << "parsed status differs from the HTTP status";
  }
  return is_error(result.parsed, code, args);
}

// The envelope of a raw response; a failure (and an empty value) when it is not one.
inline volcengine::ParsedResponse envelope_of(const HttpResponse& response) {
  auto parsed = volcengine::parse_response(response);
  if (!parsed) {
    ADD_FAILURE() << "not a Volcengine envelope: HTTP " << response.status << " " << response.body;
    return {};
  }
  return *parsed;
}

// An unsigned POST of `body` to Action/Version (extra query pairs appended), Host set.
inline HttpRequest post_request(const client::Endpoint& endpoint, const std::string& action,
                                std::string body,
                                std::string content_type = "application/json; charset=utf-8",
                                const QueryPairs& extra_query = {}) {
  HttpRequest request;
  request.method = "POST";
  QueryPairs query{{"Action", action}, {"Version", kVersion}};
  query.insert(query.end(), extra_query.begin(), extra_query.end());
  request.raw_query = build_query(query);
  request.headers["Host"] = endpoint.host_header();
  if (!content_type.empty()) request.headers["Content-Type"] = std::move(content_type);
  request.body = std::move(body);
  return request;
}

}  // namespace kmsconf::testing::wire
