#include "protocol/volcengine/envelope.hpp"

#include <cstdint>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::volcengine {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr char kJsonContentType[] = "application/json; charset=utf-8";
constexpr auto kRequestIdZoneOffset = std::chrono::hours(8);  // the service stamps Beijing time
constexpr size_t kRequestIdRandomBytes = 9;                   // 18 hex characters

// Ordered so the body reads like the documentation's examples.
ordered_json metadata_json(const ResponseMetadata& meta) {
  return ordered_json{{"RequestId", meta.request_id},
                      {"Action", meta.action},
                      {"Version", meta.version},
                      {"Service", meta.service},
                      {"Region", meta.region}};
}

// Messages may echo client input; replace invalid UTF-8 rather than throw while rendering.
template <typename Json>
std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers["Content-Type"] = kJsonContentType;
  response.body = std::move(body);
  return response;
}

// Reads an optional string member into out; false only when present with another type.
bool read_string(const json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool read_metadata(const json& meta_json, ResponseMetadata& meta) {
  meta.service.clear();  // report what the wire said, not our default
  return read_string(meta_json, "RequestId", meta.request_id) &&
         read_string(meta_json, "Action", meta.action) &&
         read_string(meta_json, "Version", meta.version) &&
         read_string(meta_json, "Service", meta.service) &&
         read_string(meta_json, "Region", meta.region);
}

bool read_error(const json& error_json, ParsedResponse& parsed) {
  if (!error_json.is_object()) return false;
  std::string code;
  if (!read_string(error_json, "Code", code)) return false;
  if (!code.empty()) parsed.error_code = std::move(code);
  if (!read_string(error_json, "Message", parsed.message)) return false;
  auto code_n = error_json.find("CodeN");
  if (code_n != error_json.end()) {
    if (!code_n->is_number_integer()) return false;
    const auto value = code_n->get<std::int64_t>();  // wide enough to reject what int cannot hold
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      return false;
    }
    parsed.code_n = static_cast<int>(value);
  }
  return true;
}

// Result must be an object when present; an explicit null counts as absent.
bool read_result(const json& body, ParsedResponse& parsed) {
  auto it = body.find("Result");
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_object()) return false;
  parsed.result = std::make_shared<const json>(*it);
  return true;
}

}  // namespace

std::string make_request_id(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto local = floor<seconds>(now) + kRequestIdZoneOffset;
  const auto day = floor<days>(local);
  const year_month_day date{day};
  const hh_mm_ss time{local - day};
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%04d%02u%02u%02d%02d%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return stamp + hex_encode_upper(random_bytes(kRequestIdRandomBytes));
}

HttpResponse render_success(const ResponseMetadata& meta, const nlohmann::json* result) {
  std::string body = R"({"ResponseMetadata":)" + dump(metadata_json(meta));
  if (result) body += R"(,"Result":)" + dump(*result);
  body += '}';
  return json_response(200, std::move(body));
}

HttpResponse render_error(const ResponseMetadata& meta, ErrorCode code, std::string message) {
  const ErrorInfo& info = error_info(code);
  ordered_json error{{"Code", info.wire_code}};
  if (info.code_n) error["CodeN"] = *info.code_n;
  error["Message"] = std::move(message);
  ordered_json metadata = metadata_json(meta);
  metadata["Error"] = std::move(error);
  return json_response(info.http_status, dump(ordered_json{{"ResponseMetadata", metadata}}));
}

std::optional<ParsedResponse> parse_response(const HttpResponse& response) {
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::nullopt;  // also covers parse failure (discarded value)
  auto meta_json = body.find("ResponseMetadata");
  if (meta_json == body.end() || !meta_json->is_object()) return std::nullopt;

  ParsedResponse parsed;
  parsed.status = response.status;
  if (!read_metadata(*meta_json, parsed.meta)) return std::nullopt;
  auto error_json = meta_json->find("Error");
  if (error_json != meta_json->end() && !read_error(*error_json, parsed)) return std::nullopt;
  if (!read_result(body, parsed)) return std::nullopt;
  return parsed;
}

}  // namespace kmsconf::volcengine
