// --find-limit against real endpoints on loopback: the in-process reference server with a small
// quota (rate 100/s, bucket 50) in both dialects, where the search must find the configured rate
// within 5% and a burst near the bucket; and a scripted server that slows down without ever
// throttling, where it must report a capacity limit.
#include "loadgen/find_limit_run.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "client/run_prefix.hpp"
#include "loadgen/setup.hpp"
#include "tests/loadgen/reference_target.hpp"
#include "tests/loadgen/scripted_server.hpp"

namespace kmsconf::loadgen {
namespace {

using namespace std::chrono_literals;

constexpr double kQuotaRate = 100;
constexpr double kQuotaBurst = 50;

// The configured quota on the operation each dialect's workload sends.
server::QuotaConfig small_quota(DialectId id) {
  server::QuotaConfig quotas;
  const std::string quota =
      "{\"rate\": " + std::to_string(kQuotaRate) + ", \"burst\": " + std::to_string(kQuotaBurst);
  quotas.merge_json_text(
      id == DialectId::Alibaba
          ? R"({"pools": {"symmetric": )" + quota + R"(, "actions": ["Encrypt", "Decrypt"]}}})"
          : R"({"actions": {"DescribeRegions": )" + quota + "}}}",
      "find-limit test quota");
  return quotas;
}

FindLimitPlan plan_of(std::chrono::seconds budget) {
  FindLimitPlan plan;
  plan.step = 1s;
  plan.budget = budget;
  plan.connections = 32;
  plan.threads = 2;
  return plan;
}

std::string steps_of(const FindLimitOutcome& out) {
  std::string text;
  for (const auto& s : out.search.steps()) {
    text += std::to_string(static_cast<int>(s.rate)) + "/s: ok " + std::to_string(s.ok) +
            " throttled " + std::to_string(s.throttled) + " failures " +
            std::to_string(s.failures) + " unsent " + std::to_string(s.unsent) + " p99 " +
            std::to_string(s.p99_ms) + " ms -> " + s.verdict + "\n";
  }
  return text;
}

class FindLimitRunTest : public ::testing::TestWithParam<DialectId> {};

TEST_P(FindLimitRunTest, FindsTheConfiguredRateAndBurst) {
  const auto ref = test_support::start_reference(GetParam(), small_quota(GetParam()));
  const Workload workload =
      single_operation_workload(GetParam() == DialectId::Alibaba ? "Encrypt" : "DescribeRegions");
  const Material material =
      set_up(ref.target, workload, client::make_run_prefix(std::chrono::system_clock::now()));
  const std::atomic<bool> stop{false};
  // This test is about the rate limit: a latency spike of a loaded CI machine must not be read
  // as the capacity limit (the default ceiling is 10x the first step's p99, at least 20 ms).
  FindLimitPlan plan = plan_of(60s);
  plan.criteria.p99_ceiling_ms = 1000;
  const auto out = find_limit(plan, ref.target, workload, material, stop);
  tear_down(ref.target, workload, material);

  SCOPED_TRACE(steps_of(out));
  EXPECT_EQ(out.search.kind(), LimitKind::RateLimit);
  EXPECT_TRUE(out.search.converged());
  EXPECT_NEAR(out.search.sustained(), kQuotaRate, kQuotaRate * 0.05);
  ASSERT_TRUE(out.burst.accepted) << "the burst from idle met no throttling";
  // The bucket, plus what refilled while the burst was being sent.
  EXPECT_GE(static_cast<double>(*out.burst.accepted), kQuotaBurst * 0.9);
  EXPECT_LE(static_cast<double>(*out.burst.accepted),
            kQuotaBurst * 1.1 + kQuotaRate * out.burst.seconds);
  EXPECT_GT(out.drain_requests, 0u);
  const auto json = find_limit_json(out, plan_of(60s));
  EXPECT_EQ(json["kind"], "rate_limit");
  EXPECT_EQ(json["steps"].size(), out.search.steps().size());
}

INSTANTIATE_TEST_SUITE_P(BothDialects, FindLimitRunTest,
                         ::testing::Values(DialectId::Volcengine, DialectId::Alibaba),
                         [](const auto& info) { return std::string(dialect_name(info.param)); });

// 4 ms per request, one at a time: 250 requests per second, queueing above, never a 429.
TEST(FindLimitRun, ASlowServerIsACapacityLimit) {
  kmsconf::testing::ScriptedServer::Script script;
  script.service_time = 4ms;
  kmsconf::testing::ScriptedServer slow(script);
  Target target;
  target.endpoint = slow.endpoint();
  target.transport.timeout = 5000ms;
  const Workload workload = single_operation_workload("DescribeRegions");
  const std::atomic<bool> stop{false};
  const auto out = find_limit(plan_of(30s), target, workload, Material{}, stop);

  SCOPED_TRACE(steps_of(out));
  EXPECT_EQ(out.search.kind(), LimitKind::Capacity);
  EXPECT_FALSE(out.burst.accepted) << "nothing throttles, so no burst";
  EXPECT_EQ(out.drain_requests, 0u);
  EXPECT_GT(out.search.sustained(), 0);
  EXPECT_LT(out.search.sustained(), 250 * 1.1);
  for (const auto& step : out.search.steps()) EXPECT_EQ(step.throttled, 0u);
}

TEST(FindLimitRun, TheBudgetBoundsTheSearch) {
  const auto ref =
      test_support::start_reference(DialectId::Volcengine, small_quota(DialectId::Volcengine));
  const Workload workload = single_operation_workload("DescribeRegions");
  const std::atomic<bool> stop{false};
  const auto began = std::chrono::steady_clock::now();
  const auto out = find_limit(plan_of(4s), ref.target, workload, Material{}, stop);
  EXPECT_TRUE(out.budget_spent);
  EXPECT_FALSE(out.search.converged());
  // The budget, plus at most one step's answers in flight and the last drain.
  EXPECT_LT(std::chrono::steady_clock::now() - began, 8s);
}

}  // namespace
}  // namespace kmsconf::loadgen
