// The data model of conformance case files (fixtures/<dialect>/*.json, JSON with comments).
// See docs/case-format.md for the format with examples and fixtures/schema/case.schema.json
// for the JSON Schema editors validate against.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kmsconf::conformance {

// Where the step's parameters travel. Auto: the dialect's usual form (Volcengine: JSON body;
// Alibaba: as its signer lays them out).
enum class Placement { Auto, Query, JsonBody, FormBody };

// Deliberate deviations from a correct signed request, for negative tests.
struct AuthOverride {
  std::optional<std::string> secret;          // sign with this secret instead
  std::optional<std::string> access_key_id;   // sign as this (unknown) access key
  std::optional<std::string> session_token;   // send this token (empty: none)
  std::chrono::seconds time_offset{0};        // X-Date / Timestamp / x-acs-date shifted
  std::optional<std::string> signing;         // dialect signer: node|go (volc), v1|v1-tea|v3 (ali)
  std::vector<std::string> unsigned_headers;  // headers sent but left out of the signature
  std::vector<std::string> drop_headers;      // signed, then removed before sending
  std::optional<std::string> tamper;          // "body" | "query" | "header:<name>" after signing
  bool unsigned_request = false;              // no signature at all
  bool replay = false;                        // send the previous step's exact request again
  std::optional<std::string> method;          // GET | POST
  std::map<std::string, std::string> extra_headers;
};

// One body assertion: a JSON path into the response body and one predicate.
struct Assertion {
  std::string path;       // dotted path with [n] indexes, e.g. Result.Keys[0].ID; "" = root
  std::string predicate;  // equals, not_equals, matches, exists, absent, type, one_of, uuid,
                          // iso8601, epoch_seconds, epoch_ms, near_time, base64, base64_length,
                          // gt, gte, lt, lte, length, contains, shape
  nlohmann::json argument;
  std::string source;  // "file:line" for messages
};

struct Expectation {
  std::optional<int> status;
  std::optional<std::string> code;             // the dialect's wire error code; "" = must succeed
  std::optional<std::string> message_matches;  // regex over the error message
  std::vector<Assertion> body;
};

struct Retry {
  std::vector<Assertion> until;  // all must hold to stop retrying
  std::vector<Assertion> stop;   // a terminal state: stop retrying, evaluate expectations
  int attempts = 10;
  std::chrono::milliseconds interval{200};
};

// A concurrent burst of the step's request (each signed afresh) through the load engine, until
// the first answer that is not a success, which the expectations then judge. Reaches documented
// quotas a retry loop never could. The most a case may ask for is the default.
struct Burst {
  static constexpr int kMostConnections = 64;
  static constexpr int kMostRequests = 5000;
  static constexpr std::chrono::seconds kLongest{10};
  int connections = kMostConnections;
  int requests = kMostRequests;
  std::chrono::milliseconds within{kLongest};
};

struct Step {
  std::string action;
  nlohmann::json params = nlohmann::json::object();  // may hold {{templates}}
  Placement placement = Placement::Auto;
  std::string region;  // {{template}} allowed; empty = the run's region
  AuthOverride auth;
  Expectation expect;
  std::map<std::string, std::string> captures;  // variable -> JSON path
  std::optional<Retry> retry;
  std::optional<Burst> burst;
  std::string source;  // "file:line"
};

struct Case {
  std::string id;
  std::string title;
  std::string dialect;  // volcengine | alibaba
  std::string doc;      // the document row it checks (seed page or spec section)
  std::vector<std::string> tags;
  std::vector<std::string> features;  // required features; off → Disabled
  std::vector<Step> steps;
  std::vector<Step> cleanup;  // always run, in order, errors ignored
  std::string file;
  int line = 0;
};

// A case-file problem: reported with file, line and field; the file's other cases still run.
struct CaseFileError {
  std::string file;
  int line = 0;
  std::string field;  // JSON path of the offending field, e.g. cases[3].steps[0].expect.status
  std::string reason;

  std::string to_string() const;
};

struct LoadedCases {
  std::vector<Case> cases;
  std::vector<CaseFileError> errors;
};

}  // namespace kmsconf::conformance
