// The Volcengine response envelope (spec §1.2, §1.3): ResponseMetadata + Result, or
// ResponseMetadata.Error. Rendering is the server's half, parse_response the client's.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "protocol/http_message.hpp"
#include "protocol/volcengine/errors.hpp"

namespace kmsconf::volcengine {

struct ResponseMetadata {
  std::string request_id;
  std::string action;
  std::string version;
  std::string service = "kms";
  std::string region;
};

// 14-digit UTC+8 wall time (yyyyMMddHHmmss) followed by 18 random uppercase hex characters,
// the shape observed on the real service (§1.2).
std::string make_request_id(std::chrono::system_clock::time_point now);

// 200 with ResponseMetadata and, unless result is null, Result.
HttpResponse render_success(const ResponseMetadata& meta, const nlohmann::json* result);

// Status from the catalog; Error.CodeN only when the catalog has one; never a Result.
HttpResponse render_error(const ResponseMetadata& meta, ErrorCode code, std::string message);

struct ParsedResponse {
  int status = 0;
  std::optional<std::string> error_code;  // set when Error.Code is present and non-empty
  std::optional<int> code_n;
  std::string message;
  // Null when the body had no Result; shared_ptr so this header needs only json_fwd.
  std::shared_ptr<const nlohmann::json> result;
  ResponseMetadata meta;  // fields absent on the wire stay empty (service too)
};

// Client side. nullopt when the body is not a JSON object with a ResponseMetadata object, or
// when a known field has the wrong JSON type; absent optional fields are fine.
std::optional<ParsedResponse> parse_response(const HttpResponse& response);

}  // namespace kmsconf::volcengine
