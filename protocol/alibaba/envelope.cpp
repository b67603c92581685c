#include "protocol/alibaba/envelope.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"
#include "protocol/xml_text.hpp"

namespace kmsconf::alibaba {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kXmlDeclaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";
constexpr std::string_view kXmlErrorRoot = "Error";
// pop-core treats a 200 body's Code outside this set as an error (§1.5).
constexpr std::array<std::string_view, 4> kSuccessCodes{"200", "OK", "Success", "success"};

// Messages and fields may echo client input; replace invalid UTF-8 rather than throw.
template <typename Json>
std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse response_with(int status, std::string body, const ResponseContext& context) {
  HttpResponse response;
  response.status = status;
  response.headers["Content-Type"] =
      context.format == ResponseFormat::Xml ? kXmlContentType : kJsonContentType;
  response.headers[std::string(kRequestIdHeader)] = context.request_id;
  response.body = std::move(body);
  return response;
}

// ---------------------------------------------------------------------------------------------
// XML

// Character data: markup escaped; each byte of invalid UTF-8 and the control characters XML 1.0
// forbids become U+FFFD.
void append_xml_text(std::string& out, std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Sequence sequence = utf8_sequence_at(text, pos);
    if (!sequence.valid) {
      out += kReplacementCharacter;
      ++pos;
      continue;
    }
    if (sequence.length > 1) {
      out.append(text.substr(pos, sequence.length));
      pos += sequence.length;
      continue;
    }
    const char c = text[pos++];
    if (std::string_view entity = xml_entity(c); !entity.empty()) {
      out += entity;
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      out += kReplacementCharacter;
    } else {
      out.push_back(c);
    }
  }
}

bool is_name_char(unsigned char c, bool first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80) return true;
  return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

// Operation field names are ASCII identifiers; anything else is made a legal name.
std::string xml_name(std::string_view name) {
  if (name.empty()) return "_";
  std::string out(name);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!is_name_char(static_cast<unsigned char>(out[i]), i == 0)) out[i] = '_';
  }
  return out;
}

template <typename Json>
void append_xml_element(std::string& out, std::string_view raw_name, const Json& value) {
  if (value.is_array()) {  // the XML-derived wrapper: one element per item, same name
    for (const auto& item : value) append_xml_element(out, raw_name, item);
    return;
  }
  const std::string name = xml_name(raw_name);
  out += '<' + name + '>';
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) append_xml_element(out, key, member);
  } else if (value.is_string()) {
    append_xml_text(out, value.template get_ref<const std::string&>());
  } else if (!value.is_null()) {
    out += dump(value);  // true/false and numbers: their JSON text is the XML text
  }
  out += "</" + name + '>';
}

// ---------------------------------------------------------------------------------------------
// Parsing

const json* member_either_case(const json& object, std::string_view upper, std::string_view lower) {
  auto it = object.find(upper);
  if (it == object.end()) it = object.find(lower);
  return it == object.end() ? nullptr : &*it;
}

// Reads an optional string field; false only when present with another type.
bool read_string(const json& object, std::string_view upper, std::string_view lower,
                 std::string& out) {
  const json* value = member_either_case(object, upper, lower);
  if (value == nullptr || value->is_null()) return true;
  if (!value->is_string()) return false;
  out = value->get<std::string>();
  return true;
}

// Code is a string on the wire; an integer (legacy bodies) is read as its decimal text.
bool read_code(const json& object, std::optional<std::string>& out) {
  const json* value = member_either_case(object, "Code", "code");
  if (value == nullptr || value->is_null()) return true;
  if (value->is_number_integer()) {
    out = std::to_string(value->get<std::int64_t>());
  } else if (value->is_string()) {
    out = value->get<std::string>();
  } else {
    return false;
  }
  return true;
}

bool is_success_code(std::string_view code) {
  for (std::string_view ok : kSuccessCodes) {
    if (code == ok) return true;
  }
  return false;
}

}  // namespace

std::optional<ResponseFormat> response_format_from(std::string_view format_param) {
  if (format_param.empty() || ascii::iequals(format_param, "JSON")) return ResponseFormat::Json;
  if (ascii::iequals(format_param, "XML")) return ResponseFormat::Xml;
  return std::nullopt;
}

std::string make_request_id() {
  std::string id = uuid_v4();
  for (char& c : id) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return id;
}

HttpResponse render_success(const ResponseContext& context, const nlohmann::json& fields) {
  if (!fields.is_object() && !fields.is_null()) {
    throw std::invalid_argument("success fields must be a JSON object");
  }
  if (fields.contains("RequestId") || fields.contains("Code")) {
    throw std::invalid_argument("success fields must not name RequestId or Code");
  }
  std::string body;
  if (context.format == ResponseFormat::Xml) {
    const std::string root = xml_name(context.action + "Response");
    body = std::string(kXmlDeclaration) + '<' + root + '>';
    append_xml_element(body, "RequestId", json(context.request_id));
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) append_xml_element(body, key, value);
    }
    body += "</" + root + '>';
  } else {
    body = R"({"RequestId":)" + dump(json(context.request_id));
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        body += ',' + dump(json(key)) + ':' + dump(value);
      }
    }
    body += '}';
  }
  return response_with(200, std::move(body), context);
}

std::string recommend_url(std::string_view wire_code, std::string_view request_id) {
  return "https://api.aliyun.com/troubleshoot?q=" + uri_encode(wire_code) +
         "&product=Kms&requestId=" + uri_encode(request_id);
}

HttpResponse render_error(const ResponseContext& context, ErrorCode code,
                          std::string_view message) {
  const ErrorInfo& info = error_info(code);
  const ordered_json error{{"RequestId", context.request_id},
                           {"HostId", context.host_id},
                           {"Code", info.wire_code},
                           {"Message", message},
                           {"Recommend", recommend_url(info.wire_code, context.request_id)}};
  std::string body;
  if (context.format == ResponseFormat::Xml) {
    body = std::string(kXmlDeclaration);
    append_xml_element(body, kXmlErrorRoot, error);
  } else {
    body = dump(error);
  }
  return response_with(info.http_status, std::move(body), context);
}

std::optional<ParsedResponse> parse_response(const HttpResponse& response) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::nullopt;  // also covers parse failure (discarded value)

  ParsedResponse parsed;
  parsed.status = response.status;
  std::optional<std::string> code;
  if (!read_code(body, code) || !read_string(body, "Message", "message", parsed.message) ||
      !read_string(body, "RequestId", "requestId", parsed.request_id) ||
      !read_string(body, "HostId", "hostId", parsed.host_id) ||
      !read_string(body, "Recommend", "recommend", parsed.recommend)) {
    return std::nullopt;
  }
  if (code && !code->empty() && (response.status >= 400 || !is_success_code(*code))) {
    parsed.error_code = std::move(code);
  }
  if (auto header = response.headers.find(kRequestIdHeader); header != response.headers.end()) {
    if (!header->second.empty()) parsed.request_id = header->second;
  }
  parsed.body = std::make_shared<const json>(std::move(body));
  return parsed;
}

}  // namespace kmsconf::alibaba
