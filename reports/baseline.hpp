// Comparing a run with a baseline run (a JSON report, see json_report.hpp), for CI that should
// fail only on what got worse. Cases are matched by id (unique across the suite). Of the cases
// that passed in the baseline (outcome Pass):
//   * a regression is one that fails now (Fail): a conformance verdict, the gate fails (exit 1);
//   * an unjudged case is one that now errors (Error: transport failure, timeout, an answer that
//     is not the dialect's envelope) or skips (Skip: a prerequisite step failed, e.g. a missing
//     permission or an exhausted quota). There is no verdict on it, so it is neither a
//     regression nor silently fine: the gate reports "no verdict" (exit 3).
// Cases new since the baseline, cases that did not pass in the baseline, and a case that is
// now Disabled, XFail or XPass are neither (XPass fails the run on its own).
#pragma once

#include <string>
#include <vector>

#include "conformance/results.hpp"

namespace kmsconf::reports {

// A case that passed in the baseline and does not now: a regression or an unjudged case.
struct Regression {
  std::string id;
  conformance::Outcome was = conformance::Outcome::Pass;
  conformance::Outcome now = conformance::Outcome::Fail;
  std::string message;  // why it fails, errors or skips now (the current result's message)
};

// The regressions alone (Pass in the baseline, Fail now), in the current report's order, each
// id once.
std::vector<Regression> regressions(const conformance::RunReport& baseline,
                                    const conformance::RunReport& current);

struct BaselineComparison {
  std::vector<Regression> regressions;  // Pass in the baseline, Fail now
  std::vector<Regression> unjudged;     // Pass in the baseline, Error, Skip or NotRun now
  std::vector<std::string> fixed;       // Fail or Error in the baseline, Pass now
  std::vector<std::string> new_cases;   // ids the baseline does not have
  std::vector<std::string> missing;     // ids in the baseline this run did not report
};

// Each list in the current report's order (missing: the baseline's), each id once. An id
// reported more than once counts as its worst result: any Fail makes it a regression, else any
// Error or Skip makes it unjudged.
BaselineComparison compare(const conformance::RunReport& baseline,
                           const conformance::RunReport& current);

// Why the baseline cannot judge this run, one line each; empty when it can. A baseline judges
// only a run of the same dialects, endpoints, regions and selection (--filter, --tags,
// --exclude-tags, and the features the selected cases need that the run enables) in which at
// least half of its cases are selected again; one without identity (an older report) judges
// nothing.
std::vector<std::string> identity_differences(const conformance::RunReport& baseline,
                                              const conformance::RunIdentity& current,
                                              const std::vector<std::string>& current_ids);

// A few lines for the console: the counts, then one line per regression and per unjudged case
// ("  <id>: Pass -> <now>: <first line of the message>"), regressions first, e.g.
//   baseline: 1 regression (passed in the baseline, fails now); 1 unjudged (passed in the
//   baseline, Error, Skip or NotRun now), 2 fixed, 0 new, 0 missing          <- one line
//     volc.encrypt.basic: Pass -> Fail: steps[1] Encrypt: expected status 200, got 400
//     volc.keys.create: Pass -> Error: steps[0] CreateKey: ConnectFailed: Connection refused
// With no unjudged case the second part reads "0 unjudged, 2 fixed, 0 new, 0 missing".
std::string summarize(const BaselineComparison& comparison);

}  // namespace kmsconf::reports
