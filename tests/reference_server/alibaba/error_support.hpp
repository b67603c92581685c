// Shared by the Alibaba wire-level tests (errors, state matrix, replay, throttling, signing): a
// catalog-driven check of the error envelope of spec §1.5, so no test spells a wire code itself;
// the catalog's messages are pinned to the spec's wording in
// tests/protocol/alibaba_errors_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "client/alibaba_client.hpp"
#include "protocol/alibaba/envelope.hpp"
#include "protocol/alibaba/errors.hpp"

namespace kmsconf::testing::ali {

using alibaba::ErrorCode;

// The Recommend URL of spec §1.5's example, built here from the spec's text (not by the server's
// envelope code): https://api.aliyun.com/troubleshoot?q=<Code>&product=Kms&requestId=<RequestId>.
// Codes and request ids are letters, digits, '.' and '-', which need no escaping.
inline std::string spec_recommend_url(std::string_view code, std::string_view request_id) {
  return "https://api.aliyun.com/troubleshoot?q=" + std::string(code) +
         "&product=Kms&requestId=" + std::string(request_id);
}

// The response is exactly the catalog's refusal (§1.5): the catalog's HTTP status and Code, the
// catalog's Message with `args` in its placeholders (every template whose wording the spec or
// docs/reference-server.md gives is pinned to that text, literally, by
// tests/protocol/alibaba_errors_test.cpp), a RequestId that the x-acs-request-id header repeats,
// a HostId, and the Recommend URL of §1.5. No operation output rides along.
inline ::testing::AssertionResult is_error(const alibaba::ParsedResponse& parsed, ErrorCode code,
                                           const std::vector<std::string>& args = {},
                                           const HttpResponse* raw = nullptr) {
  const alibaba::ErrorInfo& info = alibaba::error_info(code);
  const std::string message = alibaba::format_message(code, args);
  std::ostringstream why;
  if (parsed.status != info.http_status) {
    why << " HTTP " << parsed.status << " (want " << info.http_status << ");";
  }
  if (parsed.error_code.value_or("<none>") != info.wire_code) {
    why << " Code '" << parsed.error_code.value_or("<none>") << "' (want '" << info.wire_code
        << "');";
  }
  if (parsed.message != message) {
    why << " Message '" << parsed.message << "' (want '" << message << "');";
  }
  const nlohmann::json body = parsed.body ? *parsed.body : nlohmann::json::object();
  const std::string body_request_id = body.value("RequestId", "");
  if (body_request_id.empty()) why << " no RequestId in the body;";
  if (raw != nullptr) {
    auto header = raw->headers.find(std::string(alibaba::kRequestIdHeader));
    if (header == raw->headers.end()) {
      why << " no x-acs-request-id header;";
    } else if (header->second != body_request_id) {
      why << " x-acs-request-id '" << header->second << "' differs from RequestId '"
          << body_request_id << "';";
    }
  }
  if (!body.contains("HostId") || !body["HostId"].is_string()) why << " no HostId;";
  const std::string recommend = body.value("Recommend", "");
  if (recommend != spec_recommend_url(info.wire_code, body_request_id)) {
    why << " Recommend '" << recommend << "' (want '"
        << spec_recommend_url(info.wire_code, body_request_id) << "');";
  }
  for (const char* field : {"KeyId", "KeyMetadata", "CiphertextBlob", "Plaintext"}) {
    if (body.contains(field)) why << " carries " << field << ";";
  }
  if (why.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << info.name << ":" << why.str();
}

inline ::testing::AssertionResult is_error(const client::AlibabaCallResult& result, ErrorCode code,
                                           const std::vector<std::string>& args = {}) {
  if (result.response.status != result.parsed.status) {
    return ::testing::AssertionFailure() << "parsed status differs from the HTTP status";
  }
  auto checked = is_error(result.parsed, code, args, &result.response);
  if (!checked) return checked;
  // HostId is the endpoint host the request was sent to (§1.5).
  const std::string host(result.request.header("Host"));
  if (!host.empty() && result.parsed.host_id != host) {
    return ::testing::AssertionFailure()
           << "HostId '" << result.parsed.host_id << "' is not the request's host '" << host << "'";
  }
  return checked;
}

// The envelope of a raw JSON response; a failure (and an empty value) when it is not one.
inline alibaba::ParsedResponse envelope_of(const HttpResponse& response) {
  auto parsed = alibaba::parse_response(response);
  if (!parsed) {
    ADD_FAILURE() << "not an Alibaba envelope: HTTP " << response.status << " "
                  << response.body.substr(0, 300);
    return {};
  }
  return *parsed;
}

// A raw response checked as a catalog refusal, its headers included.
inline ::testing::AssertionResult is_error(const HttpResponse& response, ErrorCode code,
                                           const std::vector<std::string>& args = {}) {
  auto parsed = alibaba::parse_response(response);
  if (!parsed) {
    return ::testing::AssertionFailure() << "not an Alibaba envelope: HTTP " << response.status
                                         << " " << response.body.substr(0, 300);
  }
  return is_error(*parsed, code, args, &response);
}

}  // namespace kmsconf::testing::ali
