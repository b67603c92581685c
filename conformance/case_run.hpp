// Running one case (internal to the runner): its steps in order with retries, expectations and
// captures, then its cleanup, each request bounded by the run's stop control; the result with
// every exchange recorded and redacted.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "conformance/driver.hpp"
#include "conformance/run_control.hpp"
#include "conformance/run_environment.hpp"

namespace kmsconf::conformance::internal {

// What bounds a case's waiting: the run's stop control and the cleanup steps' own timeout.
struct Limits {
  RunControl& control;
  std::chrono::milliseconds cleanup_timeout;
  client::ClientOptions transport;  // for a burst's own connections
};

// "HTTP 400 InvalidParameter: The parameter ..." / "HTTP 200" / "HTTP 502 (no error code)".
std::string describe_answer(const Exchange& exchange);
bool succeeded(const Exchange& exchange);

// What a result says of its case before any step runs (also the whole result of a case that
// does not run).
CaseResult header_only(const Case& c);

// Whether a case bursts (case_model.hpp Burst): the runner runs such cases alone, after the
// others, since a burst spends the account's quota that parallel cases would share.
bool bursts(const Case& c);

// Runs one case with the dialect's driver from `drivers` (made on first use); an in-process
// case needing low quotas, or bursting, gets a server of its own.
CaseResult run_one(const Case& c, const Environment& env,
                   std::map<std::string, std::unique_ptr<DialectDriver>>& drivers,
                   const std::string& prefix, const Limits& limits);

}  // namespace kmsconf::conformance::internal
