// Comparing a run with a baseline run (a JSON report, see json_report.hpp), for CI that should
// fail only on what got worse: a regression is a case that passed in the baseline (outcome
// Pass) and fails now (Fail or Error). Cases new since the baseline, cases that already failed,
// and a case that now skips, is disabled, XFails or XPasses are not regressions. Cases are
// matched by id (unique across the suite).
#pragma once

#include <string>
#include <vector>

#include "conformance/results.hpp"

namespace kmsconf::reports {

struct Regression {
  std::string id;
  conformance::Outcome was = conformance::Outcome::Pass;
  conformance::Outcome now = conformance::Outcome::Fail;
  std::string message;  // why it fails now (the current result's message)
};

// In the current report's order, each id once.
std::vector<Regression> regressions(const conformance::RunReport& baseline,
                                    const conformance::RunReport& current);

struct BaselineComparison {
  std::vector<Regression> regressions;
  std::vector<std::string> fixed;      // Fail or Error in the baseline, Pass now
  std::vector<std::string> new_cases;  // ids the baseline does not have
  std::vector<std::string> missing;    // ids in the baseline this run did not report
};

BaselineComparison compare(const conformance::RunReport& baseline,
                           const conformance::RunReport& current);

// A few lines for the console: the counts, then one line per regression
// ("  <id>: Pass -> Fail: <first line of the message>"), e.g.
//   baseline: 1 regression (passed in the baseline, fails now); 2 fixed, 0 new, 0 missing
//     volc.encrypt.basic: Pass -> Fail: steps[1] Encrypt: expected status 200, got 400
std::string summarize(const BaselineComparison& comparison);

}  // namespace kmsconf::reports
