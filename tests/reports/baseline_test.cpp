// Comparing with a baseline: a case that passed in the baseline and fails now (Fail) is a
// regression; one that passed and now errors or skips (Error, Skip) is unjudged; nothing else is
// either.
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
    if (outcome == Outcome::Fail || outcome == Outcome::Error || outcome == Outcome::Skip) {
      result.message = id + " broke";
    }
    report.results.push_back(std::move(result));
  }
  return report;
}

std::vector<std::string> ids(const std::vector<reports::Regression>& regressions) {
  std::vector<std::string> out;
  for (const auto& r : regressions) out.push_back(r.id);
  return out;
}

TEST(Baseline, PassThenFailIsARegression) {
  const RunReport baseline =
      run({{"a", Outcome::Pass}, {"b", Outcome::Pass}, {"c", Outcome::Pass}});
  const RunReport current = run({{"a", Outcome::Fail}, {"b", Outcome::Pass}, {"c", Outcome::Fail}});
  const auto comparison = reports::compare(baseline, current);
  ASSERT_EQ(comparison.regressions.size(), 2u);
  EXPECT_EQ(comparison.regressions[0].id, "a");
  EXPECT_EQ(comparison.regressions[0].was, Outcome::Pass);
  EXPECT_EQ(comparison.regressions[0].now, Outcome::Fail);
  EXPECT_EQ(comparison.regressions[0].message, "a broke");
  EXPECT_EQ(comparison.regressions[1].id, "c");
  EXPECT_TRUE(comparison.unjudged.empty());
  EXPECT_EQ(ids(reports::regressions(baseline, current)), (std::vector<std::string>{"a", "c"}));
}

// A network outage or a missing permission is no verdict on the endpoint's conformance: not a
// regression, but not silently fine either.
TEST(Baseline, PassThenErrorIsUnjudgedNotARegression) {
  const RunReport baseline = run({{"a", Outcome::Pass}, {"b", Outcome::Pass}});
  const RunReport current = run({{"a", Outcome::Error}, {"b", Outcome::Pass}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_TRUE(comparison.regressions.empty());
  EXPECT_TRUE(reports::regressions(baseline, current).empty());
  ASSERT_EQ(comparison.unjudged.size(), 1u);
  EXPECT_EQ(comparison.unjudged[0].id, "a");
  EXPECT_EQ(comparison.unjudged[0].was, Outcome::Pass);
  EXPECT_EQ(comparison.unjudged[0].now, Outcome::Error);
  EXPECT_EQ(comparison.unjudged[0].message, "a broke");
}

TEST(Baseline, PassThenSkipIsUnjudgedNotARegression) {
  const RunReport baseline = run({{"a", Outcome::Pass}, {"b", Outcome::Pass}});
  const RunReport current = run({{"a", Outcome::Pass}, {"b", Outcome::Skip}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_TRUE(comparison.regressions.empty());
  ASSERT_EQ(comparison.unjudged.size(), 1u);
  EXPECT_EQ(comparison.unjudged[0].id, "b");
  EXPECT_EQ(comparison.unjudged[0].now, Outcome::Skip);
  EXPECT_EQ(comparison.unjudged[0].message, "b broke");
}

TEST(Baseline, OnlyPassInTheBaselineCounts) {
  // Already failing, erroring, skipped, disabled or expected-to-fail before: neither a
  // regression nor unjudged, whatever happens now.
  const RunReport baseline = run({{"fail", Outcome::Fail},
                                  {"error", Outcome::Error},
                                  {"skip", Outcome::Skip},
                                  {"disabled", Outcome::Disabled},
                                  {"xfail", Outcome::XFail},
                                  {"xpass", Outcome::XPass},
                                  {"skip-error", Outcome::Skip},
                                  {"error-skip", Outcome::Error}});
  const RunReport current = run({{"fail", Outcome::Fail},
                                 {"error", Outcome::Fail},
                                 {"skip", Outcome::Fail},
                                 {"disabled", Outcome::Error},
                                 {"xfail", Outcome::Fail},
                                 {"xpass", Outcome::Skip},
                                 {"skip-error", Outcome::Error},
                                 {"error-skip", Outcome::Skip}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_TRUE(comparison.regressions.empty());
  EXPECT_TRUE(comparison.unjudged.empty());
}

TEST(Baseline, DisabledXFailOrXPassNowIsNeither) {
  // Disabled and XFail follow from the run's own --features and --expected-failures; an XPass
  // fails the run by itself.
  const RunReport baseline = run({{"disabled", Outcome::Pass},
                                  {"xfail", Outcome::Pass},
                                  {"xpass", Outcome::Pass},
                                  {"pass", Outcome::Pass}});
  const RunReport current = run({{"disabled", Outcome::Disabled},
                                 {"xfail", Outcome::XFail},
                                 {"xpass", Outcome::XPass},
                                 {"pass", Outcome::Pass}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_TRUE(comparison.regressions.empty());
  EXPECT_TRUE(comparison.unjudged.empty());
  EXPECT_TRUE(comparison.fixed.empty());
}

TEST(Baseline, NewAndMissingCasesAreNotRegressions) {
  const RunReport baseline = run({{"old", Outcome::Pass}, {"gone", Outcome::Pass}});
  const RunReport current =
      run({{"old", Outcome::Pass}, {"new", Outcome::Fail}, {"newer", Outcome::Error}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_TRUE(comparison.regressions.empty());
  EXPECT_TRUE(comparison.unjudged.empty());
  EXPECT_EQ(comparison.new_cases, (std::vector<std::string>{"new", "newer"}));
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
  const RunReport baseline =
      run({{"z", Outcome::Pass}, {"y", Outcome::Pass}, {"x", Outcome::Pass}, {"w", Outcome::Pass}});
  const RunReport current = run({{"y", Outcome::Fail},
                                 {"x", Outcome::Skip},
                                 {"z", Outcome::Fail},
                                 {"w", Outcome::Error},
                                 {"y", Outcome::Fail},
                                 {"x", Outcome::Error}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_EQ(ids(comparison.regressions), (std::vector<std::string>{"y", "z"}));
  EXPECT_EQ(ids(comparison.unjudged), (std::vector<std::string>{"x", "w"}));
  ASSERT_EQ(comparison.unjudged.size(), 2u);
  EXPECT_EQ(comparison.unjudged[0].now, Outcome::Skip);  // the first of x's results
}

TEST(Baseline, ADuplicatedIdDoesNotHideAFailure) {
  const RunReport baseline = run({{"d", Outcome::Pass}, {"e", Outcome::Pass}});
  // A Fail of the id wins over its Error; a Skip of it over its Pass.
  const RunReport current = run({{"d", Outcome::Pass},
                                 {"d", Outcome::Error},
                                 {"d", Outcome::Fail},
                                 {"e", Outcome::Pass},
                                 {"e", Outcome::Skip}});
  const auto comparison = reports::compare(baseline, current);
  EXPECT_EQ(ids(comparison.regressions), std::vector<std::string>{"d"});
  ASSERT_EQ(comparison.regressions.size(), 1u);
  EXPECT_EQ(comparison.regressions[0].now, Outcome::Fail);
  EXPECT_EQ(ids(comparison.unjudged), std::vector<std::string>{"e"});
}

TEST(Baseline, IdenticalRunsHaveNoRegressions) {
  EXPECT_TRUE(reports::regressions(sample_report(), sample_report()).empty());
  const auto comparison = reports::compare(sample_report(), sample_report());
  EXPECT_TRUE(comparison.unjudged.empty());
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
            "baseline: 1 regression (passed in the baseline, fails now); 0 unjudged, 1 fixed, "
            "1 new, 1 missing\n"
            "  a: Pass -> Fail: steps[1] Encrypt: expected 200, got 400\n");
  EXPECT_EQ(reports::summarize(reports::compare(baseline, baseline)),
            "baseline: no regressions; 0 unjudged, 0 fixed, 0 new, 0 missing\n");
  const RunReport two = run({{"a", Outcome::Fail}, {"b", Outcome::Fail}, {"gone", Outcome::Fail}});
  EXPECT_EQ(reports::summarize(reports::compare(baseline, two)),
            "baseline: 2 regressions (passed in the baseline, fail now); 0 unjudged, 0 fixed, "
            "0 new, 0 missing\n"
            "  a: Pass -> Fail: a broke\n"
            "  gone: Pass -> Fail: gone broke\n");
}

TEST(Baseline, SummaryTextListsUnjudgedCasesAfterRegressions) {
  const RunReport baseline =
      run({{"a", Outcome::Pass}, {"b", Outcome::Pass}, {"c", Outcome::Pass}});
  RunReport current = run({{"a", Outcome::Error}, {"b", Outcome::Skip}, {"c", Outcome::Fail}});
  current.results[0].message = "steps[0] CreateKey: ConnectFailed: Connection refused\nmore";
  EXPECT_EQ(reports::summarize(reports::compare(baseline, current)),
            "baseline: 1 regression (passed in the baseline, fails now); 2 unjudged (passed in "
            "the baseline, Error, Skip or NotRun now), 0 fixed, 0 new, 0 missing\n"
            "  c: Pass -> Fail: c broke\n"
            "  a: Pass -> Error: steps[0] CreateKey: ConnectFailed: Connection refused\n"
            "  b: Pass -> Skip: b broke\n");
  const RunReport only_error =
      run({{"a", Outcome::Pass}, {"b", Outcome::Error}, {"c", Outcome::Pass}});
  EXPECT_EQ(
      reports::summarize(reports::compare(baseline, only_error)),
      "baseline: no regressions; 1 unjudged (passed in the baseline, Error, Skip or NotRun now), "
      "0 fixed, 0 new, 0 missing\n"
      "  b: Pass -> Error: b broke\n");
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

// A baseline judges only a run of the same target and selection (the same rule will serve
// `kmsconf load --baseline`).
conformance::RunIdentity identity() {
  conformance::RunIdentity id;
  id.dialects = {"volcengine"};
  id.endpoints = {{"volcengine", "https://kms.cn-beijing.volces.com"}};
  id.filters = {"volc.keys.*"};
  return id;
}

RunReport with_identity(const conformance::RunIdentity& id, std::vector<std::string> case_ids) {
  RunReport report;
  report.identity = id;
  report.has_identity = true;
  for (auto& case_id : case_ids) report.results.push_back(make_case(case_id, Outcome::Pass));
  return report;
}

TEST(BaselineIdentity, SameTargetAndSelectionJudges) {
  EXPECT_TRUE(
      reports::identity_differences(with_identity(identity(), {"a", "b"}), identity(), {"a", "b"})
          .empty());
}

TEST(BaselineIdentity, EachDifferenceIsNamed) {
  const RunReport baseline = with_identity(identity(), {"a", "b"});
  auto other = identity();
  other.dialects = {"alibaba"};
  other.endpoints = {{"alibaba", "in-process"}};
  auto lines = reports::identity_differences(baseline, other, {"a", "b"});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "dialects: baseline volcengine, this run alibaba");
  EXPECT_EQ(lines[1],
            "endpoints: baseline volcengine=https://kms.cn-beijing.volces.com, this run "
            "alibaba=in-process");
  other = identity();
  other.filters.clear();
  other.tags = {"keys"};
  other.features = {"volcengine:multi-region"};
  other.regions = {{"volcengine", "cn-shanghai"}};
  lines = reports::identity_differences(baseline, other, {"a", "b"});
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "--filter: baseline volc.keys.*, this run (none)");
  EXPECT_EQ(lines[1], "--tags: baseline (none), this run keys");
  EXPECT_EQ(lines[2], "regions: baseline (none), this run volcengine=cn-shanghai");
  EXPECT_EQ(lines[3],
            "features the selected cases need: baseline (none), this run "
            "volcengine:multi-region");
}

TEST(BaselineIdentity, MostCasesMissingOrNoIdentityIsRefused) {
  const RunReport baseline = with_identity(identity(), {"a", "b", "c"});
  EXPECT_TRUE(reports::identity_differences(baseline, identity(), {"a", "b", "x"}).empty());
  auto lines = reports::identity_differences(baseline, identity(), {"a", "x", "y"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "2 of the baseline's 3 cases are not in this run's selection");
  RunReport old = baseline;
  old.has_identity = false;
  lines = reports::identity_differences(old, identity(), {"a", "b", "c"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("records no identity"), std::string::npos);
}

}  // namespace
}  // namespace kmsconf::testing
