// One descriptor per wire dialect: what the runner, the load generator and the CLI need to know
// of it (names, defaults, credentials, the catalog's view of a code, the request builder and
// response parser), so a new dialect is added here and in its own folders, nowhere else.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/dialect_id.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::client {

// Why a call was refused when the reason lies outside the endpoint's behaviour: the caller's
// configuration or account, or a quota. Each dialect maps its catalog's codes onto these.
enum class Cause { None, Authentication, Clock, Region, ServiceNotOpen, Throttled };

// How a load run counts one answer (transport errors and timeouts are counted by the caller).
enum class AnswerClass { Ok, Throttled, ClientError, ServerError };

struct Credentials {
  std::string access_key_id;
  std::string secret;
  std::string session_token;
};

// Environment variables the vendor's SDKs read the credential from.
struct CredentialVariables {
  std::string_view access_key_id;
  std::string_view secret;
  std::string_view session_token;
};

// One call as the dialect's SDKs send it by default: signed now, with a fresh nonce.
struct Call {
  std::string_view action;
  const nlohmann::json& params;
  const Credentials& credentials;
  std::string_view region;
  std::string_view host_header;
};

// A response read in neutral terms.
struct Answer {
  int status = 0;
  std::string code;  // the catalog's error code; empty on success
  std::string message;
  nlohmann::json body;  // the parsed body (the whole envelope)
};

struct DialectDescriptor {
  DialectId id;
  std::string_view name;            // dialect_name(id)
  std::string_view title;           // "Volcengine KMS 2021-02-18"
  std::string_view default_region;  // used when a run names none
  CredentialVariables credential_variables;
  std::vector<std::string_view> throttling_codes;  // the catalog's quota refusals
  std::string_view probe_action;                   // a cheap signed read every endpoint serves
  std::string_view regions_path;                   // where its answer lists RegionId items
  std::vector<std::string_view> signing_layouts;   // the SDK layouts case files may ask for
  std::size_t max_plaintext_bytes;                 // the largest Encrypt plaintext it takes

  HttpRequest (*build)(const Call& call);
  // nullopt when the response is not this dialect's envelope.
  std::optional<Answer> (*parse)(const HttpResponse& response);
  // A success, or an error whose code the catalog knows.
  bool (*speaks)(const HttpResponse& response);
  bool (*known_code)(std::string_view code);
  // What the catalog says a refusal with this code means (Throttled for throttling_codes).
  Cause (*cause_of)(std::string_view code);
};

const DialectDescriptor& descriptor(DialectId id);
// nullptr for a name no dialect has.
const DialectDescriptor* find_dialect(std::string_view name);
std::vector<std::string> dialect_names();

// Whether code is one of the dialect's throttling codes.
bool is_throttling(const DialectDescriptor& dialect, std::string_view code);
AnswerClass classify(const DialectDescriptor& dialect, const Answer& answer);

}  // namespace kmsconf::client
