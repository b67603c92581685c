// Regressions against a baseline: only a case that passed in the baseline and fails now
// (Fail or Error) counts.
#include "reports/baseline.hpp"

#include <gtest/gtest.h>

#include <string>

#include "reports/json_report.hpp"
#include "reports/text.hpp"
#include "tests/reports/report_samples.hpp"

namespace kmsconf::testing {
namespace {

RunReport run(std::vector<std::pair<std::string, Outcome>> cases) {
  RunReport report;
  for (auto& [id, outcome] : cases) {
    auto result = make_case(id, outcome);
    if (outcome == Outcome::Fail || outcome == Outcome::Error) result.message = id + " broke";
    report.results.push_back(std::move(result));
  }
  return report;
}

std::vector<std::string> ids(const std::vector<reports::Regression>& regressions) {
  std::vector<std::string> out;
  for (const auto& r : regressions) out.push_back(r.id);
  return out;
}

TEST(Baseline, PassThenFailOrErrorIsARegression) {
  const RunReport baseline =
      run({{"a", Outcome::Pass}, {"b", Outcome::Pass}, {"c", Outcome::Pass}});
  const RunReport current =
      run({{"a", Outcome::Fail}, {"b", Outcome::Error}, {"c", Outcome::Pass}});
  const auto found = reports::regressions(baseline, current);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "a");
  EXPECT_EQ(found[0].was, Outcome::Pass);
  EXPECT_EQ(found[0].now, Outcome::Fail);
  EXPECT_EQ(found[0].message, "a broke");
  EXPECT_EQ(found[1].id, "b");
  EXPECT_EQ(found[1].now, Outcome::Error);
}

TEST(Baseline, OnlyPassInTheBaselineCounts) {
  // Already failing, erroring, skipped, disabled or expected-to-fail before: not a regression.
  const RunReport baseline = run({{"fail", Outcome::Fail},
                                  {"error", Outcome::Error},
                                  {"skip", Outcome::Skip},
                                  {"disabled", Outcome::Disabled},
                                  {"xfail", Outcome::XFail},
                                  {"xpass", Outcome::XPass}});
  const RunReport current = run({{"fail", Outcome::Fail},
                                 {"error", Outcome::Fail},
                                 {"skip", Outcome::Fail},
                                 {"disabled", Outcome::Error},
                                 {"xfail", Outcome::Fail},
                                 {"xpass", Outcome::Fail}});
  EXPECT_TRUE(reports::regressions(baseline, current).empty());
}

TEST(Baseline, OnlyFailOrErrorNowCounts) {
  const RunReport baseline = run({{"skip", Outcome::Pass},
                                  {"disabled", Outcome::Pass},
                                  {"xfail", Outcome::Pass},
                                  {"xpass", Outcome::Pass},
                                  {"pass", Outcome::Pass}});
  const RunReport current = run({{"skip", Outcome::Skip},
                                 {"disabled", Outcome::Disabled},
                                 {"xfail", Outcome::XFail},
                                 {"xpass", Outcome::XPass},
                                 {"pass", Outcome::Pass}});
  EXPECT_TRUE(reports::regressions(baseline, current).empty());
}

TEST(Baseline, NewAndMissingCasesAreNotRegressions) {
  const RunReport baseline = run({{"old", Outcome::Pass}, {"gone", Outcome::Pass}});
  const RunReport current = run({{"old", Outcome::Pass}, {"new", Outcome::Fail}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_TRUE(comparison.regressions.empty());
  EXPECT_EQ(comparison.new_cases, std::vector<std::string>{"new"});
  EXPECT_EQ(comparison.missing, std::vector<std::string>{"gone"});
  EXPECT_TRUE(comparison.fixed.empty());
}

TEST(Baseline, FixedCases) {
  const RunReport baseline =
      run({{"a", Outcome::Fail}, {"b", Outcome::Error}, {"c", Outcome::Skip}});
  const RunReport current = run({{"a", Outcome::Pass}, {"b", Outcome::Pass}, {"c", Outcome::Pass}});
  EXPECT_EQ(reports::compare(baseline, current).fixed, (std::vector<std::string>{"a", "b"}));
}

TEST(Baseline, KeepsTheCurrentOrderAndEachIdOnce) {
  const RunReport baseline = run({{"z", Outcome::Pass}, {"y", Outcome::Pass}});
  const RunReport current =
      run({{"y", Outcome::Fail}, {"z", Outcome::Error}, {"y", Outcome::Fail}});
  EXPECT_EQ(ids(reports::regressions(baseline, current)), (std::vector<std::string>{"y", "z"}));
}

TEST(Baseline, ADuplicatedIdDoesNotHideAFailure) {
  const RunReport baseline = run({{"d", Outcome::Pass}});
  const RunReport current = run({{"d", Outcome::Pass}, {"d", Outcome::Fail}});
  EXPECT_EQ(ids(reports::regressions(baseline, current)), std::vector<std::string>{"d"});
}

TEST(Baseline, IdenticalRunsHaveNoRegressions) {
  EXPECT_TRUE(reports::regressions(sample_report(), sample_report()).empty());
  const auto comparison = reports::compare(sample_report(), sample_report());
  EXPECT_TRUE(comparison.fixed.empty());
  EXPECT_TRUE(comparison.new_cases.empty());
  EXPECT_TRUE(comparison.missing.empty());
}

TEST(Baseline, SummaryText) {
  const RunReport baseline =
      run({{"a", Outcome::Pass}, {"b", Outcome::Fail}, {"gone", Outcome::Pass}});
  RunReport current = run({{"a", Outcome::Fail}, {"b", Outcome::Pass}, {"new", Outcome::Pass}});
  current.results[0].message = "steps[1] Encrypt: expected 200, got 400\nsecond line \x01";
  EXPECT_EQ(reports::summarize(reports::compare(baseline, current)),
            "baseline: 1 regression (passed in the baseline, fails now); 1 fixed, 1 new, "
            "1 missing\n"
            "  a: Pass -> Fail: steps[1] Encrypt: expected 200, got 400\n");
  EXPECT_EQ(reports::summarize(reports::compare(baseline, baseline)),
            "baseline: no regressions; 0 fixed, 0 new, 0 missing\n");
  const RunReport two =
      run({{"a", Outcome::Error}, {"b", Outcome::Fail}, {"gone", Outcome::Error}});
  EXPECT_EQ(reports::summarize(reports::compare(baseline, two)),
            "baseline: 2 regressions (passed in the baseline, fail now); 0 fixed, 0 new, "
            "0 missing\n"
            "  a: Pass -> Error: a broke\n"
            "  gone: Pass -> Error: gone broke\n");
}

TEST(Baseline, ComparesAgainstAReportReadFromDisk) {
  TempDir dir;
  const std::string path = dir.file("baseline.json");
  reports::write_json_report(run({{"a", Outcome::Pass}}), path);
  const auto found =
      reports::regressions(reports::read_json_report(path), run({{"a", Outcome::Fail}}));
  EXPECT_EQ(ids(found), std::vector<std::string>{"a"});
}

TEST(Baseline, MalformedBaselineIsAClearError) {
  TempDir dir;
  const std::string path = dir.file("baseline.json");
  reports::write_text_file(path, "{\"schema_version\": 1, \"results\": [ {\"id\": \"a\",");
  expect_error_naming([&] { reports::read_json_report(path); }, path, "not valid JSON");
}

}  // namespace
}  // namespace kmsconf::testing
