// `kmsconf load --stages` and `--find-limit` through the real binary: a staged run sends exactly
// the integral of its rate, a search against `kmsconf serve` with a small quota finds it, a
// search cut short by its budget exits 3, and every misuse is a usage error before anything runs.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/serve_process.hpp"
#include "tests/cli/test_command_support.hpp"

namespace kmsconf::testing {
namespace {

constexpr const char* kAk = "AKLTsearchtestkey0001";
constexpr const char* kSk = "search-test-secret-value-01";

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class LoadSearchTest : public TestCommandTest {
 protected:
  void expect_usage_error(const std::vector<std::string>& args, const std::string& message) {
    SCOPED_TRACE("kmsconf load ... " + args.back());
    RunResult run = kmsconf(args);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_TRUE(has(run.err, message)) << "expected \"" << message << "\" in: " << run.err;
    EXPECT_EQ(run.out, "") << "a usage error is found before anything runs";
  }

  // `kmsconf serve` (Volcengine) whose DescribeRegions quota is `rate`/s with a bucket of
  // `burst`, and the credentials to sign for it.
  void serve_with_quota(int rate, int burst) {
    write_file(
        path("credentials.json"),
        json{{"credentials",
              {{{"access_key_id", kAk}, {"secret_access_key", kSk}, {"account_id", "2100042018"}}}}}
            .dump());
    write_file(path("quotas.json"),
               json{{"actions", {{"DescribeRegions", {{"rate", rate}, {"burst", burst}}}}}}.dump());
    serve_ = std::make_unique<ServeProcess>(path("serve"));
    std::filesystem::create_directories(path("serve"));
    ASSERT_TRUE(serve_->start(
        {"--credentials", path("credentials.json"), "--quotas", path("quotas.json")}));
  }

  RunResult load_against_serve(std::vector<std::string> extra) {
    std::vector<std::string> args{"load",        "--dialect", "volcengine",     "--endpoint",
                                  serve_->url(), "--op",      "DescribeRegions"};
    args.insert(args.end(), extra.begin(), extra.end());
    return kmsconf(args, {{"VOLC_ACCESSKEY", kAk}, {"VOLC_SECRETKEY", kSk}});
  }

  std::unique_ptr<ServeProcess> serve_;
};

// Ramp 0 -> 200/s over 1 s (100 requests), step to 400/s, hold it 500 ms (200 requests).
TEST_F(LoadSearchTest, StagesSendExactlyTheIntegralOfTheRate) {
  const std::string out = path("staged.json");
  RunResult run = kmsconf({"load", "--dialect", "volcengine", "--op", "DescribeRegions", "--stages",
                           "200:1s,400:0s,400:500ms", "--out", out});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json result = json::parse(std::ifstream(out));
  // Every scheduled request is sent or, when its turn came after the end (a slow machine),
  // counted unsent: never lost, never an extra one.
  EXPECT_EQ(result["summary"]["requests"].get<int>() + result["summary"]["unsent"].get<int>(), 300);
  EXPECT_GT(result["summary"]["requests"].get<int>(), 0);
  EXPECT_EQ(result["config"]["mode"], "open");
  EXPECT_EQ(result["config"]["duration_s"], 1.5);
  EXPECT_EQ(result["config"]["stages"], json::parse(R"([{"target_rate": 200.0, "duration_s": 1.0},
                            {"target_rate": 400.0, "duration_s": 0.0},
                            {"target_rate": 400.0, "duration_s": 0.5}])"));
  EXPECT_TRUE(has(run.out, "open loop in 3 stages")) << run.out;
}

TEST_F(LoadSearchTest, FindsTheQuotaOfAServeProcess) {
  serve_with_quota(100, 50);
  ASSERT_FALSE(HasFatalFailure());
  const std::string out = path("limit.json");
  // --p99-ceiling: a latency spike of a loaded CI machine is not what this test is about.
  RunResult run =
      load_against_serve({"--find-limit", "--duration", "60s", "--p99-ceiling", "1s", "--out", out,
                          "--threshold", "limit_rps>=90", "--threshold", "limit_burst>=40"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json limit = json::parse(std::ifstream(out))["find_limit"];
  EXPECT_EQ(limit["kind"], "rate_limit");
  EXPECT_EQ(limit["converged"], true);
  EXPECT_NEAR(limit["sustained_rps"].get<double>(), 100, 5) << run.out;
  EXPECT_GE(limit["burst"].get<double>(), 45) << run.out;
  EXPECT_LE(limit["burst"].get<double>(), 55 + 100 * limit["burst_seconds"].get<double>());
  EXPECT_TRUE(has(run.out, "find-limit: rate limit at ")) << run.out;
  EXPECT_TRUE(has(run.out, "burst: ")) << run.out;
  EXPECT_TRUE(has(run.out, "limit_rps>=90: ")) << run.out;
}

TEST_F(LoadSearchTest, ASearchCutShortByItsBudgetExitsThree) {
  serve_with_quota(100, 50);
  ASSERT_FALSE(HasFatalFailure());
  const std::string out = path("short.json");
  RunResult run = load_against_serve(
      {"--find-limit", "--duration", "3s", "--out", out, "--threshold", "limit_rps>=1"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_TRUE(has(run.err, "the limit was not found: --duration ran out")) << run.err;
  const json result = json::parse(std::ifstream(out));
  EXPECT_EQ(result["passed"], false);
  EXPECT_EQ(result["thresholds"][0]["passed"], false) << "no limit found: the gate cannot pass";
  EXPECT_EQ(result["find_limit"]["budget_spent"], true);
  EXPECT_EQ(result["config"]["mode"], "find-limit");
}

TEST_F(LoadSearchTest, MisusesAreUsageErrors) {
  const std::string volc = "volcengine";
  expect_usage_error({"load", "--dialect", volc, "--stages", "100:1s", "--duration", "1s"},
                     "--stages and --duration");
  expect_usage_error({"load", "--dialect", volc, "--stages", "100:1s,fast:1s"},
                     "--stages 100:1s,fast:1s: stage 2 \"fast:1s\"");
  expect_usage_error({"load", "--dialect", volc, "--stages", "100:1s", "--find-limit"},
                     "--stages and --find-limit: give one or the other");
  expect_usage_error({"load", "--dialect", volc, "--rate", "10"}, "give --duration (or --stages)");
  expect_usage_error(
      {"load", "--dialect", volc, "--find-limit", "--duration", "10s", "--step", "6s"},
      "--step 6s: at least two steps must fit in --duration 10s");
  expect_usage_error(
      {"load", "--dialect", volc, "--rate", "10", "--duration", "1s", "--max-rate", "100"},
      "--max-rate and --p99-ceiling are for --find-limit");
  expect_usage_error(
      {"load", "--dialect", volc, "--find-limit", "--duration", "10s", "--p99-ceiling", "fast"},
      "--p99-ceiling fast: a latency such as 50ms");
  expect_usage_error({"load", "--dialect", volc, "--find-limit", "--duration", "10s", "--rate",
                      "100", "--max-rate", "50"},
                     "--max-rate must be at least the start rate");
  write_file(path("old.json"), "{}");
  expect_usage_error({"load", "--dialect", volc, "--find-limit", "--duration", "10s", "--baseline",
                      path("old.json")},
                     "--baseline and --find-limit");
}

}  // namespace
}  // namespace kmsconf::testing
