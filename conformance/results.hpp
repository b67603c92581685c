// What a run produced: one result per case, in classes CI systems understand. Reports
// (reports/) and the baseline comparison read only this.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kmsconf::conformance {

enum class Outcome {
  Pass,      // every expectation held
  Fail,      // an expectation broke
  Error,     // the engine could not run the case (transport failure, bad case file)
  Skip,      // a prerequisite step failed, so the checking step never ran
  Disabled,  // a required feature is off
  XFail,     // listed in expected-failures and failed
  XPass,     // listed in expected-failures but passed: the list is stale
  NotRun,    // never started: the run stopped first (deadline, signal, --max-failures, dead
             // endpoint, failed preflight)
};

// Every outcome, in the order reports and tables list them.
inline constexpr std::array<Outcome, 8> kAllOutcomes{
    Outcome::Pass,     Outcome::Fail,  Outcome::Error, Outcome::Skip,
    Outcome::Disabled, Outcome::XFail, Outcome::XPass, Outcome::NotRun};

std::string_view to_string(Outcome outcome);
std::optional<Outcome> outcome_from_string(std::string_view text);

// One request/response pair as reports show it: secrets and signatures already redacted.
struct RecordedExchange {
  std::string step;      // "steps[2] Encrypt" or "cleanup[0] ScheduleKeyDeletion"
  std::string request;   // method, target, headers, body (redacted)
  std::string response;  // status line, headers, body (redacted)
  int status = 0;
  std::chrono::milliseconds elapsed{0};
};

struct CaseResult {
  std::string id;
  std::string title;
  std::string dialect;
  std::string doc;
  std::vector<std::string> tags;
  std::vector<std::string> actions;  // operations the case checks (steps with expectations)
  Outcome outcome = Outcome::Pass;
  std::string message;  // why it failed/errored/skipped: step, expectation, actual value
  // The dialect's wire error code of the answer that decided a Fail or Skip ("" otherwise), so a
  // run can tell a shared cause (every failure an authentication error) from conformance.
  std::string failure_code;
  bool transport_error = false;  // an Error the connection caused (refused, reset, timeout)
  std::string xfail_reason;
  std::string file;
  int line = 0;
  std::chrono::milliseconds elapsed{0};
  std::vector<RecordedExchange> exchanges;
};

// What was run, so that a baseline is only compared with a run of the same target and selection.
struct RunIdentity {
  std::vector<std::string> dialects;             // sorted
  std::map<std::string, std::string> endpoints;  // dialect -> "in-process" or scheme://host:port
  std::string suite_fingerprint;                 // digest of the selected cases' ids and files
  std::vector<std::string> filters;              // the --filter patterns, sorted
  std::vector<std::string> tags;                 // sorted
  std::vector<std::string> exclude_tags;         // sorted
  // "dialect:feature" for each feature the selected cases need that the run enables (explicit
  // --features and the defaults alike; e.g. sts-credentials only with a session token), sorted.
  std::vector<std::string> features;
  std::map<std::string, std::string> regions;  // dialect -> the region the run used

  bool operator==(const RunIdentity&) const = default;
};

struct RunReport {
  std::string tool_version;
  RunIdentity identity;
  bool has_identity = false;  // false for reports older than identity (schema version 1)
  // Why the run ended before every case ran ("" when it did not): "deadline", "interrupted",
  // "max-failures", "endpoint-down", "preflight".
  std::string stopped;
  std::string stop_message;  // one line for people: what stopped it and what to do
  // Set when every failure of the run shares one cause outside conformance (e.g. an
  // authentication error): what it is and which option fixes it.
  std::string shared_cause;
  std::string endpoint;    // "in-process" or the URL
  std::string started_at;  // ISO-8601 UTC
  std::chrono::milliseconds elapsed{0};
  std::string run_prefix;
  std::vector<CaseResult> results;
  std::vector<std::string> file_errors;  // malformed case files, "file:line: field: reason"
  std::vector<std::string> notes;        // about the run itself, for its maintainers

  size_t count(Outcome outcome) const;
};

// The JSON form is the machine-readable report and the baseline format.
nlohmann::json to_json(const RunReport& report);
RunReport report_from_json(const nlohmann::json& json);  // throws std::runtime_error

}  // namespace kmsconf::conformance
