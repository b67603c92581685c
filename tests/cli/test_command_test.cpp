// `kmsconf test` and `kmsconf demo` as child processes: the exit codes of docs/case-format.md
// (0 passed, 1 Fail/XPass/regression, 2 usage or configuration, 3 only engine errors or, with a
// baseline, cases that passed then and have no verdict now), the JSON, JUnit and HTML reports
// they write, baseline comparison, per-dialect regions, malformed case files reported with
// file:line while the other cases run, and secrets from the environment never showing in output
// or reports.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/volcengine_client.hpp"
#include "conformance/case_file.hpp"
#include "conformance/runner.hpp"
#include "conformance/templates.hpp"
#include "reference_server/credentials.hpp"
#include "reference_server/reference_server.hpp"
#include "tests/cli/child_process.hpp"
#include "tests/cli/serve_process.hpp"
#include "tests/cli/test_command_support.hpp"

namespace kmsconf::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_F(TestCommandTest, PassingSelectionExitsZeroAndWritesEveryReport) {
  const std::string filter = "volc.keyrings.*";
  std::set<std::string> ids = repo_ids_matching(filter);
  ASSERT_GE(ids.size(), 10u);
  ASSERT_LE(ids.size(), 100u) << "the selection should stay small";
  const std::string json_path = path("report.json");
  const std::string junit_path = path("junit.xml");
  const std::string html_path = path("report.html");

  RunResult run = kmsconf({"test", "--fixtures", kRepoFixtures, "--filter", filter, "--report-json",
                           json_path, "--report-junit", junit_path, "--report-html", html_path});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string n = std::to_string(ids.size());
  EXPECT_NE(run.out.find(n + " cases: " + n + " pass, 0 fail"), std::string::npos) << run.out;

  json report = parse_report(json_path);
  EXPECT_EQ(report.value("schema_version", 0), 1);
  const json& summary = report["summary"];
  EXPECT_EQ(summary.value("total", 0u), ids.size()) << summary;
  EXPECT_EQ(summary.value("pass", 0u), ids.size()) << summary;
  for (const char* other : {"fail", "error", "skip", "disabled", "xfail", "xpass"}) {
    EXPECT_EQ(summary.value(other, 1u), 0u) << other << " in " << summary;
  }
  auto seen = outcomes(report);
  EXPECT_EQ(seen.size(), ids.size());
  for (const auto& id : ids) EXPECT_EQ(seen[id], "pass") << id;

  std::string junit = read_file(junit_path);
  EXPECT_EQ(junit.rfind("<?xml", 0), 0u) << junit.substr(0, 200);
  EXPECT_NE(
      junit.find("<testsuites name=\"kmsconf\" tests=\"" + n + "\" failures=\"0\" errors=\"0\""),
      std::string::npos)
      << junit.substr(0, 400);
  EXPECT_EQ(count_of(junit, "<testcase "), ids.size());
  for (const auto& id : ids) EXPECT_NE(junit.find("name=\"" + id + "\""), std::string::npos) << id;

  std::string html = read_file(html_path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u) << html.substr(0, 200);
  EXPECT_NE(html.find("id=\"summary\""), std::string::npos);
  for (const auto& id : ids) EXPECT_NE(html.find(id), std::string::npos) << id;
}

struct UsageError {
  const char* name;
  std::vector<std::string> args;
  std::vector<std::string> named;  // what stderr must mention
  bool cases_run = false;          // the error shows only after the run (--baseline)
};

TEST_F(TestCommandTest, UsageAndConfigurationErrorsExitTwoNamingTheProblem) {
  const std::string tiny =
      fixtures("tiny", {{"regions.json", case_file({regions_case("h3.regions.listed", 200)})}});
  const std::string missing = path("no-such-file.json");
  const std::string features_not_json = path("features-not-json.json");
  write_file(features_not_json, "[\"multi-region\",");
  const std::string features_object = path("features-object.json");
  write_file(features_object, R"({"multi-region": true})");
  const std::string xfail_not_json = path("xfail-not-json.json");
  write_file(xfail_not_json, "{\"h3.regions.listed\": ");
  const std::string xfail_list = path("xfail-list.json");
  write_file(xfail_list, R"(["h3.regions.listed"])");
  const std::string xfail_no_reason = path("xfail-no-reason.json");
  write_file(xfail_no_reason, R"({"h3.regions.listed": ""})");
  const std::string not_a_report = path("not-a-report.json");
  write_file(not_a_report, R"({"results": "none"})");

  const std::vector<UsageError> cases = {
      {"unknown flag", {"test", "--no-such-flag"}, {"--no-such-flag"}},
      {"unknown dialect", {"test", "--dialect", "martian"}, {"--dialect", "martian"}},
      {"unknown endpoint dialect",
       {"test", "--endpoint", "martian=http://127.0.0.1:1"},
       {"--endpoint", "unknown dialect \"martian\""}},
      // An unset CI variable must not turn a real-endpoint run into an in-process one.
      {"empty endpoint",
       {"test", "--fixtures", tiny, "--endpoint", ""},
       {"kmsconf test: --endpoint", "empty URL"}},
      {"empty endpoint of a dialect",
       {"test", "--fixtures", tiny, "--endpoint", "volcengine="},
       {"kmsconf test: --endpoint volcengine=", "empty URL for volcengine"}},
      {"empty endpoint next to a real one",
       {"test", "--fixtures", tiny, "--endpoint", "volcengine=http://127.0.0.1:1", "--endpoint",
        "alibaba="},
       {"--endpoint alibaba=", "empty URL for alibaba"}},
      {"unknown region dialect",
       {"test", "--fixtures", tiny, "--region", "martian=mars-north-1"},
       {"--region martian=mars-north-1", "unknown dialect \"martian\""}},
      {"empty region of a dialect",
       {"test", "--fixtures", tiny, "--region", "alibaba="},
       {"--region alibaba=", "empty region for alibaba"}},
      {"empty region", {"test", "--fixtures", tiny, "--region", ""}, {"--region", "empty region"}},
      {"two plain regions",
       {"test", "--fixtures", tiny, "--region", "cn-beijing", "--region", "cn-shanghai"},
       {"--region: give one REGION"}},
      {"two regions for one dialect",
       {"test", "--fixtures", tiny, "--region", "alibaba=cn-shanghai", "--region",
        "alibaba=cn-beijing"},
       {"--region alibaba=cn-beijing", "a second region for alibaba"}},
      {"endpoint without credentials",
       {"test", "--dialect", "volcengine", "--endpoint", "http://127.0.0.1:1"},
       {"no volcengine credentials"}},
      {"features file missing", {"test", "--features", missing}, {"--features", missing}},
      {"features not JSON",
       {"test", "--fixtures", tiny, "--features", features_not_json},
       {features_not_json, "not valid JSON"}},
      {"features not a list",
       {"test", "--fixtures", tiny, "--features", features_object},
       {features_object, "must be a JSON list"}},
      {"expected failures missing",
       {"test", "--expected-failures", missing},
       {"--expected-failures", missing}},
      {"expected failures not JSON",
       {"test", "--fixtures", tiny, "--expected-failures", xfail_not_json},
       {xfail_not_json, "not valid JSON"}},
      {"expected failures not an object",
       {"test", "--fixtures", tiny, "--expected-failures", xfail_list},
       {xfail_list, "must be a JSON object"}},
      {"expected failure without a reason",
       {"test", "--fixtures", tiny, "--expected-failures", xfail_no_reason},
       {xfail_no_reason, "h3.regions.listed", "reason"}},
      {"fixtures not a directory", {"test", "--fixtures", missing}, {"--fixtures", missing}},
      {"filter matching nothing",
       {"test", "--fixtures", tiny, "--filter", "no.such.case"},
       {"kmsconf test: no case matches", "no.such.case"}},
      {"baseline not a report",
       {"test", "--fixtures", tiny, "--dialect", "volcengine", "--baseline", not_a_report},
       {not_a_report},
       true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RunResult run = kmsconf(c.args);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    for (const auto& named : c.named) {
      EXPECT_NE(run.err.find(named), std::string::npos) << "missing " << named << " in " << run.err;
    }
    if (!c.cases_run) {
      EXPECT_EQ(run.out.find(" cases: "), std::string::npos) << "cases ran: " << run.out;
    }
  }
}

TEST_F(TestCommandTest, UnreachableEndpointGivesEngineErrorsOnlyAndExitsThree) {
  const std::string secret = "volc-secret-never-printed-7f3a9c";
  uint16_t closed = free_port();
  ASSERT_NE(closed, 0);
  const std::string json_path = path("errors.json");
  const std::string junit_path = path("errors.xml");
  const std::string html_path = path("errors.html");
  RunResult run =
      kmsconf({"test", "--fixtures", kRepoFixtures, "--dialect", "volcengine", "--endpoint",
               "http://127.0.0.1:" + std::to_string(closed), "--filter", "volc.keyrings.create.*",
               "--timeout-ms", "300", "--report-json", json_path, "--report-junit", junit_path,
               "--report-html", html_path},
              {{"VOLC_ACCESSKEY", "AKLTclitestclosedport01"}, {"VOLC_SECRETKEY", secret}});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  json report = parse_report(json_path);
  const json& summary = report["summary"];
  // The preflight finds the endpoint unreachable: nothing is judged, every case is not run.
  EXPECT_GT(summary.value("total", 0), 0) << summary;
  EXPECT_EQ(summary.value("notrun", 0), summary.value("total", -1)) << summary;
  EXPECT_EQ(summary.value("fail", 1), 0) << summary;
  EXPECT_EQ(report["stopped"]["reason"], "preflight") << report["stopped"];
  EXPECT_NE(run.out.find("STOPPED: preflight: cannot reach http://127.0.0.1:"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("Connection refused"), std::string::npos) << run.out;
  for (const auto& text :
       {run.out, run.err, read_file(json_path), read_file(junit_path), read_file(html_path)}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "the secret was printed";
  }
}

TEST_F(TestCommandTest, EndpointThatNeverAnswersTimesOutAsEngineErrors) {
  // A listening socket nobody accepts on: connections complete, responses never come.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 64), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string json_path = path("timeouts.json");
  auto started = std::chrono::steady_clock::now();
  RunResult run =
      kmsconf({"test", "--fixtures", kRepoFixtures, "--dialect", "volcengine", "--endpoint",
               "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "--filter",
               "volc.keyrings.create.fields", "--timeout-ms", "200", "--report-json", json_path},
              {{"VOLC_ACCESSKEY", "AKLTclitesttimeout0001"},
               {"VOLC_SECRETKEY", "volc-secret-timeout-run-0001"}});
  auto took = std::chrono::steady_clock::now() - started;
  ::close(fd);
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_LT(took, 20s) << "--timeout-ms 200 did not bound the run";
  json report = parse_report(json_path);
  // The preflight's probe times out: the case is not run, and the message says after how long.
  EXPECT_EQ(outcomes(report)["volc.keyrings.create.fields"], "notrun");
  EXPECT_NE(run.out.find("within 200 ms"), std::string::npos) << run.out;
}

TEST_F(TestCommandTest, ExpectedFailureThatPassesIsXPassAndExitsOne) {
  const std::string dir =
      fixtures("xpass", {{"regions.json", case_file({regions_case("h3.regions.listed", 200),
                                                     regions_case("h3.regions.other", 200)})}});
  const std::string list = path("expected-failures.json");
  write_file(list, R"({"h3.regions.listed": "thought to be broken"})");
  const std::string json_path = path("xpass.json");
  RunResult run = kmsconf({"test", "--fixtures", dir, "--dialect", "volcengine",
                           "--expected-failures", list, "--report-json", json_path});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("XPASS h3.regions.listed"), std::string::npos) << run.out;
  auto seen = outcomes(parse_report(json_path));
  EXPECT_EQ(seen["h3.regions.listed"], "xpass");
  EXPECT_EQ(seen["h3.regions.other"], "pass");
}

TEST_F(TestCommandTest, ExpectedFailureThatFailsIsXFailAndExitsZero) {
  const std::string dir =
      fixtures("xfail", {{"regions.json", case_file({regions_case("h3.regions.wrong", 400)})}});
  const std::string list = path("expected-failures.json");
  write_file(list, R"({"h3.regions.wrong": "expects the wrong status on purpose"})");
  const std::string json_path = path("xfail.json");
  RunResult run = kmsconf({"test", "--fixtures", dir, "--dialect", "volcengine",
                           "--expected-failures", list, "--report-json", json_path});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(outcomes(parse_report(json_path))["h3.regions.wrong"], "xfail");
  // Without the list the same case is a plain failure.
  RunResult plain = kmsconf({"test", "--fixtures", dir, "--dialect", "volcengine"});
  EXPECT_EQ(plain.exit_code, 1) << plain.out << plain.err;
  EXPECT_NE(plain.out.find("FAIL  h3.regions.wrong"), std::string::npos) << plain.out;
}

class BaselineTest : public TestCommandTest {
 protected:
  void SetUp() override {
    TestCommandTest::SetUp();
    // The same two ids; in `failing` h3.regions.listed expects a status the server never sends.
    passing_ = fixtures("passing",
                        {{"regions.json", case_file({regions_case("h3.regions.listed", 200),
                                                     regions_case("h3.regions.stable", 200)})}});
    failing_ = fixtures("failing",
                        {{"regions.json", case_file({regions_case("h3.regions.listed", 418),
                                                     regions_case("h3.regions.stable", 200)})}});
  }

  // A run of `fixtures` whose JSON report becomes a baseline.
  std::string baseline_of(const std::string& fixtures_dir, const std::string& name,
                          int expected_exit) {
    std::string report = path(name);
    RunResult run = kmsconf(
        {"test", "--fixtures", fixtures_dir, "--dialect", "volcengine", "--report-json", report});
    EXPECT_EQ(run.exit_code, expected_exit) << run.out << run.err;
    return report;
  }

  std::string passing_;
  std::string failing_;
};

TEST_F(BaselineTest, CaseThatPassedInTheBaselineAndFailsNowExitsOneNamingIt) {
  std::string baseline = baseline_of(passing_, "baseline.json", 0);
  EXPECT_EQ(outcomes(parse_report(baseline))["h3.regions.listed"], "pass");
  RunResult run =
      kmsconf({"test", "--fixtures", failing_, "--dialect", "volcengine", "--baseline", baseline});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("1 regression"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("h3.regions.listed: Pass -> Fail"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("h3.regions.stable: Pass"), std::string::npos) << run.out;
}

TEST_F(BaselineTest, NoRegressionExitsZeroEvenWithKnownFailures) {
  // Failed then, fails now: reported, tolerated.
  std::string failed_before = baseline_of(failing_, "failing-baseline.json", 1);
  RunResult same = kmsconf(
      {"test", "--fixtures", failing_, "--dialect", "volcengine", "--baseline", failed_before});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("FAIL  h3.regions.listed"), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("no regressions"), std::string::npos) << same.out;

  // Failed then, passes now: fixed, not a regression.
  RunResult fixed = kmsconf(
      {"test", "--fixtures", passing_, "--dialect", "volcengine", "--baseline", failed_before});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_NE(fixed.out.find("1 fixed"), std::string::npos) << fixed.out;
}

// A network outage is no conformance verdict: against a closed port every case that passed in
// the baseline errors now, which exits 3 (no verdict), not 1.
TEST_F(BaselineTest, CaseThatPassedInTheBaselineAndErrorsNowExitsThreeNotOne) {
  // The baseline is of `kmsconf serve` at a URL; then the server goes away (an outage) and the
  // same run against the same URL has no verdict: exit 3, never 1 and never 0.
  const std::string credentials = path("serve-credentials.json");
  write_file(credentials, R"({"credentials": [{"access_key_id": "AKLTclitestbaseline0001",
      "secret_access_key": "volc-secret-baseline-outage-01", "account_id": "2100042018"}]})");
  const std::map<std::string, std::string> env{
      {"VOLC_ACCESSKEY", "AKLTclitestbaseline0001"},
      {"VOLC_SECRETKEY", "volc-secret-baseline-outage-01"}};
  ServeProcess serve(dir_);
  ASSERT_TRUE(serve.start({"--credentials", credentials}));
  const std::string baseline = path("baseline.json");
  RunResult first = kmsconf({"test", "--fixtures", passing_, "--dialect", "volcengine",
                             "--endpoint", serve.url(), "--report-json", baseline},
                            env);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  serve.stop();

  const std::string json_path = path("outage.json");
  RunResult run =
      kmsconf({"test", "--fixtures", passing_, "--dialect", "volcengine", "--endpoint", serve.url(),
               "--timeout-ms", "300", "--baseline", baseline, "--report-json", json_path},
              env);
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  auto seen = outcomes(parse_report(json_path));
  // The outage stops the run at its preflight: both cases are not run, which is no verdict.
  EXPECT_EQ(seen["h3.regions.listed"], "notrun");
  EXPECT_EQ(seen["h3.regions.stable"], "notrun");
  EXPECT_NE(run.out.find("no regressions; 2 unjudged"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("h3.regions.listed: Pass -> NotRun: "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("h3.regions.stable: Pass -> NotRun: "), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("Pass -> Fail"), std::string::npos) << run.out;
}

// A prerequisite step failing (a missing permission, say) skips the case: the gate has lost
// coverage and must not stay green. A real regression still wins (exit 1).
TEST_F(BaselineTest, CaseThatPassedInTheBaselineAndSkipsNowExitsThree) {
  std::string baseline = baseline_of(passing_, "baseline.json", 0);
  // h3.regions.listed's first step (no expectation: a prerequisite) asks for a key that does
  // not exist, so the case is Skip.
  const std::string skipped_case = json{
      {"id", "h3.regions.listed"},
      {"title", "DescribeRegions after a prerequisite that fails"},
      {"doc", "kmsconf CLI test"},
      {"steps",
       {{{"action", "DescribeKey"},
         {"params", {{"KeyID", "00000000-0000-4000-8000-000000000000"}}}},
        {{"action", "DescribeRegions"},
         {"params", json::object()},
         {"expect",
          {{"status", 200}}}}}}}.dump();
  const std::string skipping = fixtures(
      "skipping",
      {{"regions.json", case_file({skipped_case, regions_case("h3.regions.stable", 200)})}});
  const std::string json_path = path("skipping.json");
  RunResult run = kmsconf({"test", "--fixtures", skipping, "--dialect", "volcengine", "--baseline",
                           baseline, "--report-json", json_path});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_EQ(outcomes(parse_report(json_path))["h3.regions.listed"], "skip");
  EXPECT_NE(run.out.find("no regressions; 1 unjudged"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("h3.regions.listed: Pass -> Skip: "), std::string::npos) << run.out;

  const std::string worse = fixtures(
      "skipping-and-failing",
      {{"regions.json", case_file({skipped_case, regions_case("h3.regions.stable", 418)})}});
  RunResult both =
      kmsconf({"test", "--fixtures", worse, "--dialect", "volcengine", "--baseline", baseline});
  EXPECT_EQ(both.exit_code, 1) << both.out << both.err;
  EXPECT_NE(both.out.find("1 regression (passed in the baseline, fails now); 1 unjudged"),
            std::string::npos)
      << both.out;
  EXPECT_NE(both.out.find("h3.regions.stable: Pass -> Fail"), std::string::npos) << both.out;
  EXPECT_NE(both.out.find("h3.regions.listed: Pass -> Skip"), std::string::npos) << both.out;
}

// --region R sets every dialect's region, --region DIALECT=R one dialect's (over R). Volcengine
// signs the region into the credential scope; the in-process Alibaba server lists its home
// region (the run's) first in DescribeRegions.
TEST_F(TestCommandTest, RegionForAllDialectsAndPerDialect) {
  const std::string dir =
      fixtures("regions", {{"regions.json", case_file({regions_case("h3.volc.regions", 200)})}});
  fs::create_directories(fs::path(dir) / "alibaba");
  write_file(
      dir + "/alibaba/regions.json",
      json{{"dialect", "alibaba"},
           {"cases",
            {{{"id", "h3.ali.regions"},
              {"title", "DescribeRegions lists the run's region first"},
              {"doc", "kmsconf CLI test"},
              {"steps",
               {{{"action", "DescribeRegions"},
                 {"params", json::object()},
                 {"expect",
                  {{"status", 200},
                   {"body",
                    {{{"path", "Regions.Region[0].RegionId"}, {"equals", "{{region}}"}}}}}}}}}}}}}
          .dump(2));

  struct Run {
    std::vector<std::string> region_args;
    std::string volcengine;
    std::string alibaba;
  };
  const std::vector<Run> runs = {
      {{}, "cn-beijing", "cn-hangzhou"},
      {{"--region", "alibaba=cn-shanghai"}, "cn-beijing", "cn-shanghai"},
      {{"--region", "cn-hongkong"}, "cn-hongkong", "cn-hongkong"},
      {{"--region", "alibaba=cn-shanghai", "--region", "ap-southeast-1", "--region",
        "volcengine=cn-guangzhou"},
       "cn-guangzhou",
       "cn-shanghai"},
  };
  for (const auto& r : runs) {
    std::string trace;
    for (const auto& a : r.region_args) trace += a + " ";
    SCOPED_TRACE(trace);
    const std::string json_path = path("regions-report.json");
    std::vector<std::string> args{"test", "--fixtures", dir, "--report-json", json_path};
    args.insert(args.end(), r.region_args.begin(), r.region_args.end());
    RunResult run = kmsconf(args);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    json report = parse_report(json_path);

    json volc = result_of(report, "h3.volc.regions");
    ASSERT_TRUE(volc.is_object()) << report;
    EXPECT_EQ(volc.value("outcome", ""), "pass");
    ASSERT_EQ(volc.value("exchanges", json::array()).size(), 1u) << volc;
    const std::string request = volc["exchanges"][0].value("request", "");
    EXPECT_NE(request.find("/" + r.volcengine + "/kms/request"), std::string::npos) << request;

    json ali = result_of(report, "h3.ali.regions");
    ASSERT_TRUE(ali.is_object()) << report;
    EXPECT_EQ(ali.value("outcome", ""), "pass") << ali.value("message", "");
    ASSERT_EQ(ali.value("exchanges", json::array()).size(), 1u) << ali;
    json body = response_body(ali["exchanges"][0]);
    ASSERT_TRUE(body.is_object()) << ali["exchanges"][0];
    EXPECT_EQ(body["Regions"]["Region"][0].value("RegionId", ""), r.alibaba) << body;
  }
}

TEST_F(TestCommandTest, SecretsFromTheEnvironmentNeverAppearInOutputOrReports) {
  const std::string volc_ak = "AKLTclisecrettest000001";
  const std::string volc_secret = "VoLcSeCrEt-must-stay-hidden-81d2e4";
  const std::string ali_ak = "LTAIclisecrettest0001";
  const std::string ali_secret = "AlIsEcReT-must-stay-hidden-5c07ab";
  server::ReferenceServerOptions volc_options;
  volc_options.credentials.add({volc_ak, volc_secret, "2100042018", {"*"}, ""});
  server::ReferenceServer volc(std::move(volc_options));
  volc.start();
  server::ReferenceServerOptions ali_options;
  ali_options.dialect = server::Dialect::Alibaba;
  ali_options.credentials.add({ali_ak, ali_secret, "2100042018", {"*"}, ""});
  server::ReferenceServer ali(std::move(ali_options));
  ali.start();

  const std::string json_path = path("secrets.json");
  const std::string junit_path = path("secrets.xml");
  const std::string html_path = path("secrets.html");
  RunResult run = kmsconf(
      {"test", "--fixtures", kRepoFixtures, "--endpoint", "volcengine=" + volc.endpoint(),
       "--endpoint", "alibaba=" + ali.endpoint(), "--filter", "*signing*", "--verbose",
       "--report-json", json_path, "--report-junit", junit_path, "--report-html", html_path},
      {{"VOLC_ACCESSKEY", volc_ak},
       {"VOLC_SECRETKEY", volc_secret},
       {"ALIBABA_CLOUD_ACCESS_KEY_ID", ali_ak},
       {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", ali_secret}});
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.out << run.err;

  std::string report_text = read_file(json_path);
  json report = parse_report(json_path);
  std::set<std::string> dialects;
  for (const auto& r : report.value("results", json::array()))
    dialects.insert(r.value("dialect", ""));
  EXPECT_EQ(dialects, (std::set<std::string>{"alibaba", "volcengine"}));
  // The exchanges were recorded (they name the access keys), so the secrets had the chance.
  EXPECT_NE(report_text.find(volc_ak), std::string::npos);
  EXPECT_NE(report_text.find(ali_ak), std::string::npos);
  const std::map<std::string, std::string> outputs = {{"stdout", run.out},
                                                      {"stderr", run.err},
                                                      {"JSON report", report_text},
                                                      {"JUnit report", read_file(junit_path)},
                                                      {"HTML report", read_file(html_path)}};
  for (const auto& [where, text] : outputs) {
    if (where != "stderr") {
      EXPECT_FALSE(text.empty()) << where;
    }
    EXPECT_EQ(text.find(volc_secret), std::string::npos) << "Volcengine secret in " << where;
    EXPECT_EQ(text.find(ali_secret), std::string::npos) << "Alibaba secret in " << where;
  }
  volc.stop();
  ali.stop();
}

TEST_F(TestCommandTest, MalformedCaseFilesAreReportedWithFileAndLineAndTheRestRuns) {
  const std::string bad = case_file(
      {regions_case("h3.bad-file.well-formed", 200),
       R"({"id": "h3.bad-file.status-string", "title": "status as a string", "doc": "test",
     "steps": [{"action": "DescribeRegions", "params": {},
                "expect": {"status": "200"}}]})"});
  const int bad_line = line_of(bad, R"("expect": {"status": "200"})");
  ASSERT_GT(bad_line, 0);
  const std::string broken = "{\"dialect\": \"volcengine\",\n  \"cases\": [\n";
  const std::string dir =
      fixtures("malformed", {{"bad.json", bad},
                             {"broken.json", broken},
                             {"good.json", case_file({regions_case("h3.good.listed", 200)})}});
  const std::string json_path = path("malformed.json");
  RunResult run =
      kmsconf({"test", "--fixtures", dir, "--dialect", "volcengine", "--report-json", json_path});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  const std::string bad_at = dir + "/volcengine/bad.json:" + std::to_string(bad_line) + ":";
  EXPECT_NE(run.out.find(bad_at + " cases[1].steps[0].expect.status"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(dir + "/volcengine/broken.json:3:"), std::string::npos) << run.out;

  json report = parse_report(json_path);
  EXPECT_EQ(report.value("file_errors", json::array()).size(), 2u) << report["file_errors"];
  auto seen = outcomes(report);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen["h3.good.listed"], "pass");
  EXPECT_EQ(seen["h3.bad-file.well-formed"], "pass");
  EXPECT_EQ(seen.count("h3.bad-file.status-string"), 0u);
}

// `kmsconf demo` is `kmsconf test` over both suites with the reports in --report-dir; --filter
// keeps these runs short.
TEST_F(TestCommandTest, DemoWritesTheReportsAndPrintsTheirAbsolutePaths) {
  const std::string filter = "volc.keyrings.create*";
  std::set<std::string> ids = repo_ids_matching(filter);
  ASSERT_FALSE(ids.empty());
  fs::create_directories(path("work/sub"));

  // The default directory, relative to the working directory.
  RunResult run = kmsconf({"demo", "--filter", filter}, {}, path("work"));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string reports = path("work/kmsconf-reports");
  for (const char* name : {"report.html", "report.json", "junit.xml"}) {
    std::string file = reports + "/" + name;
    EXPECT_TRUE(fs::is_regular_file(file)) << file;
    EXPECT_NE(run.out.find("  " + file + "\n"), std::string::npos) << file << " in " << run.out;
  }
  std::string html = read_file(reports + "/report.html");
  for (const auto& id : ids) EXPECT_NE(html.find(id), std::string::npos) << id;
  json report = parse_report(reports + "/report.json");
  EXPECT_EQ(report["summary"].value("total", 0u), ids.size());
  EXPECT_EQ(report["summary"].value("pass", 0u), ids.size());
  EXPECT_NE(run.out.find("demo passed"), std::string::npos) << run.out;

  // An explicit relative --report-dir is printed absolute and normalised.
  RunResult relative =
      kmsconf({"demo", "--filter", filter, "--report-dir", "../out"}, {}, path("work/sub"));
  EXPECT_EQ(relative.exit_code, 0) << relative.out << relative.err;
  EXPECT_TRUE(fs::is_regular_file(path("work/out/report.html")));
  EXPECT_NE(relative.out.find("  " + path("work/out/report.html") + "\n"), std::string::npos)
      << relative.out;
}

TEST_F(TestCommandTest, DemoErrorsExitTwoAndAnnounceNoReports) {
  // A --report-dir that cannot be a directory.
  const std::string file = path("a-file");
  write_file(file, "not a directory");
  RunResult blocked = kmsconf({"demo", "--report-dir", file + "/reports"});
  EXPECT_EQ(blocked.exit_code, 2) << blocked.out << blocked.err;
  EXPECT_NE(blocked.err.find(file + "/reports"), std::string::npos) << blocked.err;
  EXPECT_EQ(blocked.out.find("Reports:"), std::string::npos) << blocked.out;

  // Nothing selected: no run, and reports of an earlier demo are not passed off as this one's.
  const std::string dir = path("stale");
  fs::create_directories(dir);
  for (const char* name : {"report.html", "report.json", "junit.xml"}) {
    write_file(dir + "/" + name, "from an earlier run");
  }
  RunResult none = kmsconf({"demo", "--report-dir", dir, "--filter", "no.such.case"});
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
  // The demo's own configuration error, not `kmsconf test`'s.
  EXPECT_NE(none.err.find("kmsconf demo: no case matches"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.find("kmsconf test"), std::string::npos) << none.err;
  EXPECT_EQ(none.out.find("Reports:"), std::string::npos) << none.out;
  EXPECT_FALSE(fs::exists(dir + "/report.html"));

  RunResult unknown = kmsconf({"demo", "--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out << unknown.err;
  EXPECT_NE(unknown.err.find("--no-such-flag"), std::string::npos) << unknown.err;
}

// --list prints what would run and what a missing feature would disable, and runs nothing.
TEST_F(TestCommandTest, ListPrintsTheSelectionAndRunsNothing) {
  const std::string json_path = path("list.json");
  RunResult in_process =
      kmsconf({"test", "--fixtures", kRepoFixtures, "--list", "--filter", "volc.errors.*",
               "--exclude-tags", "gateway", "--report-json", json_path});
  EXPECT_EQ(in_process.exit_code, 0) << in_process.err;
  EXPECT_FALSE(fs::exists(json_path)) << "--list ran the cases";
  EXPECT_NE(in_process.out.find("volc.errors.catalog.undefined-error  "), std::string::npos);
  EXPECT_EQ(in_process.out.find("volc.errors.gateway."), std::string::npos) << "excluded tag";
  EXPECT_NE(in_process.out.find(" 0 of them would be Disabled"), std::string::npos)
      << in_process.out;

  // Against a remote endpoint the in-process-only features are off: those cases are marked.
  RunResult remote = kmsconf({"test", "--fixtures", kRepoFixtures, "--list", "--dialect",
                              "volcengine", "--endpoint", "https://kms.example.invalid", "--filter",
                              "volc.errors.catalog.undefined-error"});
  EXPECT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_NE(remote.out.find("[disabled: feature \"fault-injection\" is not enabled]"),
            std::string::npos)
      << remote.out;
  EXPECT_NE(remote.out.find("1 cases selected, 1 of them would be Disabled"), std::string::npos);
  EXPECT_EQ(remote.err.find("warning"), std::string::npos) << remote.err;

  // --list promises to send nothing, so it refuses to go with --sweep (which deletes).
  RunResult with_sweep = kmsconf({"test", "--list", "--sweep", "--dialect", "volcengine",
                                  "--endpoint", "https://kms.example.invalid"});
  EXPECT_EQ(with_sweep.exit_code, 2);
  EXPECT_NE(with_sweep.err.find("--list and --sweep do not go together"), std::string::npos)
      << with_sweep.err;

  // One plain URL for both dialects is allowed, with a warning.
  RunResult both = kmsconf({"test", "--fixtures", kRepoFixtures, "--list", "--endpoint",
                            "https://kms.example.invalid", "--filter", "*.errors.*"});
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_NE(both.err.find("kmsconf test: warning: both dialects go to https://kms.example.invalid"),
            std::string::npos)
      << both.err;
}

// `--sweep` through the CLI: a leftover of an old run goes, one of a run that started just now
// stays (it may still be going) and is counted; `--sweep-min-age 0` takes it too.
TEST_F(TestCommandTest, SweepLeavesRunsYoungerThanTheMinimumAgeAlone) {
  const std::string ak = "AKLTclisweeptest0000001";
  const std::string secret = "sweep-secret-value-0a9f1c";
  server::ReferenceServerOptions options;
  options.credentials.add({ak, secret, "2100042018", {"*"}, ""});
  server::ReferenceServer volc(std::move(options));
  volc.start();
  client::VolcengineClient client(*client::Endpoint::parse(volc.endpoint()), {ak, secret, ""},
                                  "cn-beijing");
  const std::string old_ring = "kc-240101t0000-0001-ring";
  const std::string young_ring =
      conformance::make_run_prefix(std::chrono::system_clock::now()) + "-ring";
  ASSERT_TRUE(client.call("CreateKeyring", {{"KeyringName", old_ring}}).ok());
  ASSERT_TRUE(client.call("CreateKeyring", {{"KeyringName", young_ring}}).ok());
  const std::map<std::string, std::string> env{{"VOLC_ACCESSKEY", ak}, {"VOLC_SECRETKEY", secret}};
  const std::vector<std::string> sweep{"test",       "--sweep",    "--dialect",
                                       "volcengine", "--endpoint", volc.endpoint()};

  RunResult first = kmsconf(sweep, env);
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("removed volcengine keyring " + old_ring), std::string::npos)
      << first.out;
  EXPECT_EQ(first.out.find(young_ring), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("1 of runs younger than 60 min left alone"), std::string::npos)
      << first.out;

  std::vector<std::string> everything = sweep;
  everything.insert(everything.end(), {"--sweep-min-age", "0"});
  RunResult second = kmsconf(everything, env);
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("removed volcengine keyring " + young_ring), std::string::npos)
      << second.out;

  std::vector<std::string> negative = sweep;
  negative.insert(negative.end(), {"--sweep-min-age", "-5"});
  EXPECT_EQ(kmsconf(negative, env).exit_code, 2);
}

}  // namespace
}  // namespace kmsconf::testing
