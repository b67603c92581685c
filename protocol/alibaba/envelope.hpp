// The Alibaba Cloud KMS response envelope (spec §1.4, §1.5): RequestId plus the operation's
// fields at top level on success; RequestId, HostId, Code, Message, Recommend on error. Both as
// JSON (the default) or, when the caller asked Format=XML, as XML. Rendering is the server's
// half, parse_response the client's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "protocol/alibaba/errors.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::alibaba {

inline constexpr std::string_view kRequestIdHeader = "x-acs-request-id";
inline constexpr std::string_view kJsonContentType = "application/json;charset=utf-8";
inline constexpr std::string_view kXmlContentType = "text/xml;charset=utf-8";  // [I]

enum class ResponseFormat { Json, Xml };

// The V1 Format parameter: absent or empty is JSON; "JSON"/"XML" in any letter case (Tea SDKs
// send "json"); nullopt for anything else, which the adapter answers with InvalidParameter
// naming Format. V3 requests carry no Format and get JSON.
std::optional<ResponseFormat> response_format_from(std::string_view format_param);

// A fresh RequestId: an upper-case UUID v4, the shape the service returns.
std::string make_request_id();

struct ResponseContext {
  std::string request_id;  // make_request_id(); also sent as x-acs-request-id
  std::string action;      // names the XML root <{Action}Response>; unused for JSON
  std::string host_id;     // the endpoint host, errors' HostId
  ResponseFormat format = ResponseFormat::Json;
};

// 200. fields must be a JSON object (null counts as empty) of the operation's output; lists are
// already in the XML-derived wrapper shape ({"Keys":{"Key":[...]}}). RequestId comes first.
// Throws std::invalid_argument when fields is not an object or names RequestId or Code: the
// envelope owns RequestId, and SDKs (pop-core) read a Code in a 200 body as an error.
//
// XML: <?xml ...?><{Action}Response><RequestId>..</RequestId>...</{Action}Response>; an object
// member becomes an element, an array member repeats its element once per item (so
// {"Keys":{"Key":[a,b]}} is <Keys><Key>a</Key><Key>b</Key></Keys>), scalars become text (true,
// false, decimal numbers; null is empty). Names that are not XML names have their bad
// characters replaced by '_'.
HttpResponse render_success(const ResponseContext& context, const nlohmann::json& fields);

// Status from the catalog; body RequestId, HostId, Code, Message, Recommend (XML root <Error>).
HttpResponse render_error(const ResponseContext& context, ErrorCode code, std::string_view message);

// https://api.aliyun.com/troubleshoot?q=<Code>&product=Kms&requestId=<id>
std::string recommend_url(std::string_view wire_code, std::string_view request_id);

struct ParsedResponse {
  int status = 0;
  // The body's Code when the response is an error: any 4xx/5xx, or a 200 whose Code is not one
  // of 200/OK/Success/success (pop-core's rule). Unset on success or when no Code was sent.
  std::optional<std::string> error_code;
  std::string message;
  std::string request_id;  // x-acs-request-id header, else the body's RequestId
  std::string host_id;
  std::string recommend;
  // The whole body; shared_ptr so this header needs only json_fwd.
  std::shared_ptr<const nlohmann::json> body;

  bool is_error() const { return status >= 400 || error_code.has_value(); }
};

// Client side, JSON bodies only (the runner never asks for XML). Field names are read in either
// capitalisation, as the SDKs do (Code/code, Message/message, RequestId/requestId, ...).
// nullopt when the body is not a JSON object or one of those fields is not a string.
std::optional<ParsedResponse> parse_response(const HttpResponse& response);

}  // namespace kmsconf::alibaba
