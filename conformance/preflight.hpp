// The preflight: before any case, one cheap signed call per dialect tells whether the endpoint
// is reachable, speaks the dialect, accepts the credentials, the clock and the region. A run that
// fails it stops with one message naming the likely cause and the option that fixes it, instead
// of hundreds of failures that are not about conformance.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "conformance/driver.hpp"

namespace kmsconf::conformance {

struct PreflightTarget {
  std::string dialect;
  std::string url;              // for messages
  std::string region;           // the run's region for the dialect
  std::string region_option;    // how to change it, e.g. "--region volcengine=REGION"
  std::string credential_from;  // where the credential came from, e.g. "--credentials c.json"
};

struct PreflightResult {
  bool ok = true;
  std::string message;             // why the run cannot go on (when !ok)
  std::vector<std::string> notes;  // what the preflight could not check, for the report
};

// Sends the dialect's probe (DialectDriver::probe_action) and reads the answer. Never throws
// for what the endpoint does.
PreflightResult preflight(DialectDriver& driver, const PreflightTarget& target,
                          const client::GiveUpAt& give_up_at);

// One line on what a cause outside conformance means and which option fixes it, e.g.
// "the credentials were refused (SignatureDoesNotMatch): check --credentials c.json".
std::string explain_cause(Cause cause, const std::string& code, const PreflightTarget& target);

}  // namespace kmsconf::conformance
