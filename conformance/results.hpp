// What a run produced: one result per case, in classes CI systems understand. Reports
// (reports/) and the baseline comparison read only this.
#pragma once

#include <chrono>
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
};

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
  std::vector<std::string> actions;  // operations the case's steps call, in order
  Outcome outcome = Outcome::Pass;
  std::string message;  // why it failed/errored/skipped: step, expectation, actual value
  std::string xfail_reason;
  std::string file;
  int line = 0;
  std::chrono::milliseconds elapsed{0};
  std::vector<RecordedExchange> exchanges;
};

struct RunReport {
  std::string tool_version;
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
