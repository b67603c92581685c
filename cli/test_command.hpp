// What `kmsconf test` runs: its options and the function that loads the case files, runs them,
// prints the summary and writes the reports. `kmsconf demo` fills in the same options and calls
// the same function, so the two commands cannot drift apart.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kmsconf::cli {

struct TestOptions {
  // Prefixes what run_test prints on stderr: "kmsconf test", "kmsconf demo".
  std::string command = "kmsconf test";
  std::string dialect = "all";
  std::vector<std::string> endpoints;  // URL, or DIALECT=URL
  std::vector<std::string> regions;    // REGION, or DIALECT=REGION
  std::vector<std::string> filters;    // any of
  std::vector<std::string> tags;
  std::vector<std::string> exclude_tags;
  bool list = false;  // print what would run (and what would be Disabled), run nothing
  size_t jobs = 4;
  std::string features_file;
  std::string expected_failures_file;
  std::string baseline_file;
  std::string junit_file;
  std::string json_file;
  std::string html_file;
  bool sweep = false;
  int sweep_min_age_minutes = 60;  // leftovers of younger runs are left alone
  std::string fixtures_dir;
  std::string ca_file;
  bool insecure = false;
  int timeout_ms = 30000;
  std::string deadline;              // whole run, a duration ("20s", "15m"); empty: none
  size_t max_failures = 0;           // stop after this many Fail/Error cases; 0: never
  size_t max_transport_errors = 10;  // stop after this many cases in a row lost the connection
  int cleanup_timeout_ms = 5000;
  bool preflight = true;
  int progress_seconds = 10;  // without a terminal, a progress line this often
  std::string credentials_file;
  bool verbose = false;
};

// Runs the selected cases (or the sweep), prints progress, the summary table, the totals line
// and the report paths to stdout, writes the requested reports. Returns the exit code
// docs/ci-gating.md gives: 0 all passed, 1 a Fail or XPass, 2 usage or configuration (the
// reason on stderr, prefixed with options.command), 3 no failure but cases that could not be
// judged (engine Errors, cases not run, a failed preflight, malformed case files), 128+N when
// signal N interrupted the run (reports written, marked interrupted). With a baseline: 1 a
// regression (Pass then, Fail now) or XPass, else 3 a case that passed in the baseline and now
// has no verdict, else 0; a baseline of another target or selection is refused with 2.
int run_test(const TestOptions& options);

}  // namespace kmsconf::cli
