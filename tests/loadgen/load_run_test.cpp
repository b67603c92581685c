// Whole load runs against the in-process reference server, in both dialects: the open loop sends
// exactly its schedule, the closed loop keeps its connections alive, a mix keeps its proportions
// (Decrypt of setup ciphertexts and signing included), quotas count as throttled, a stop ends it.
#include "loadgen/load_run.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "client/dialect.hpp"
#include "client/run_prefix.hpp"
#include "loadgen/schedule.hpp"
#include "loadgen/setup.hpp"
#include "loadgen/workload.hpp"
#include "reference_server/reference_server.hpp"
#include "tests/loadgen/reference_target.hpp"

namespace kmsconf {

namespace loadgen {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test_support::generous_quotas;
using test_support::Reference;
using test_support::start_reference;

std::string dialect_param_name(const ::testing::TestParamInfo<DialectId>& info) {
  return std::string(dialect_name(info.param));
}

LoadPlan open_plan(double rate, std::chrono::nanoseconds duration, std::size_t connections,
                   std::size_t threads) {
  LoadPlan plan;
  plan.open_loop = true;
  plan.rate = rate;
  plan.duration = duration;
  plan.connections = connections;
  plan.threads = threads;
  return plan;
}

LoadPlan closed_plan(std::size_t connections, std::chrono::nanoseconds duration,
                     std::size_t threads) {
  LoadPlan plan;
  plan.open_loop = false;
  plan.duration = duration;
  plan.connections = connections;
  plan.threads = threads;
  return plan;
}

// What a run's statistics always satisfy: every answer is in the overall counts, in its
// operation's histograms and in exactly one second of the timeline.
void expect_consistent(const RunStats& stats) {
  const auto all = stats.overall();
  EXPECT_EQ(all.latency.count(), all.outcomes.total());
  EXPECT_EQ(all.service.count(), all.outcomes.total());
  uint64_t in_timeline = 0;
  for (const auto& point : stats.timeline) in_timeline += point.outcomes.total();
  EXPECT_EQ(in_timeline, all.outcomes.total()) << "the timeline lost or doubled answers";
}

std::string describe(const RunStats& stats) {
  const auto all = stats.overall();
  std::string out;
  for (auto o : kOutcomes) {
    out += std::string(outcome_name(o)) + "=" + std::to_string(all.outcomes[o]) + " ";
  }
  return out + "unsent=" + std::to_string(stats.unsent) +
         " opened=" + std::to_string(stats.connections_opened) +
         " connect_failures=" + std::to_string(stats.connection_failures);
}

class LoadRunTest : public ::testing::TestWithParam<DialectId> {
 protected:
  // Runs `plan` with setup before and teardown after, as `kmsconf load` does.
  RunStats run(const Reference& ref, const LoadPlan& plan, const Workload& workload,
               TeardownReport* teardown = nullptr) {
    const Material material =
        set_up(ref.target, workload, client::make_run_prefix(std::chrono::system_clock::now()));
    const std::atomic<bool> stop{false};
    const auto began = Clock::now();
    RunStats stats = run_load(plan, ref.target, workload, material, stop);
    wall_ = Clock::now() - began;
    const TeardownReport report = tear_down(ref.target, workload, material);
    EXPECT_TRUE(report.failures.empty()) << report.failures.front();
    if (teardown) *teardown = report;
    expect_consistent(stats);
    return stats;
  }

  Clock::duration wall_{};
};

INSTANTIATE_TEST_SUITE_P(LoadRun, LoadRunTest,
                         ::testing::Values(DialectId::Volcengine, DialectId::Alibaba),
                         dialect_param_name);

TEST_P(LoadRunTest, OpenLoopAnswersExactlyTheSchedule) {
  const Reference ref = start_reference(GetParam());
  const Workload workload = single_operation_workload("Encrypt");
  // Modest: an ASan build on a busy 2-core machine serves a few hundred signed requests a
  // second in all, and this test is about counting, not speed.
  const double rate = 100;
  const auto duration = 2s;
  const RunStats stats = run(ref, open_plan(rate, duration, 8, 2), workload);
  const auto all = stats.overall();
  const uint64_t scheduled = scheduled_requests(rate, duration);
  ASSERT_EQ(scheduled, 200u);
  EXPECT_EQ(all.outcomes.total() + stats.unsent, scheduled) << describe(stats);
  EXPECT_EQ(all.outcomes[Outcome::Ok], all.outcomes.total()) << describe(stats);
  // Eight connections for a hundred fast answers a second: a backlog left at the end would mean
  // the workers fell far behind.
  EXPECT_LE(stats.unsent, scheduled / 20) << describe(stats);
  EXPECT_LE(stats.connections_opened, 8u) << "keep-alive connections were reopened";
  EXPECT_FALSE(stats.interrupted);
  EXPECT_LT(wall_, duration + 3s);
}

TEST_P(LoadRunTest, OpenLoopRateBelowTheThreadCountStillSendsItsFewRequests) {
  const Reference ref = start_reference(GetParam());
  const Workload workload = single_operation_workload("Encrypt");
  // 2 req/s for 2 s over 3 threads: 4 requests, shares 2/1/1 (wrk2 would send 0 or 6).
  const RunStats stats = run(ref, open_plan(2, 2s, 3, 3), workload);
  const auto all = stats.overall();
  EXPECT_EQ(scheduled_requests(2, 2s), 4u);
  EXPECT_EQ(all.outcomes[Outcome::Ok], 4u) << describe(stats);
  EXPECT_EQ(all.outcomes.total(), 4u) << describe(stats);
  EXPECT_EQ(stats.unsent, 0u);
  EXPECT_LT(wall_, 2s + 3s);
}

TEST_P(LoadRunTest, ClosedLoopKeepsItsConnectionsAlive) {
  const Reference ref = start_reference(GetParam());
  const Workload workload = single_operation_workload("Encrypt");
  const std::size_t connections = 3;
  const RunStats stats = run(ref, closed_plan(connections, 1s, 2), workload);
  const auto all = stats.overall();
  EXPECT_GT(all.outcomes.total(), 0u);
  EXPECT_EQ(all.outcomes[Outcome::Ok], all.outcomes.total()) << describe(stats);
  EXPECT_EQ(stats.connections_opened, connections) << "a keep-alive connection was reopened";
  EXPECT_EQ(stats.connection_failures, 0u);
  EXPECT_EQ(stats.unsent, 0u);
  // Closed loop waits for nobody: latency is the service time, so nothing is ever late.
  EXPECT_EQ(all.outcomes.late, 0u);
  EXPECT_LT(wall_, 1s + 3s);
}

TEST_P(LoadRunTest, MixKeepsItsProportionsAndEveryOperationSucceeds) {
  const Reference ref = start_reference(GetParam());
  // Decrypt reads the setup's ciphertexts, made under the same encryption context.
  const Workload workload = parse_workload(R"({
    "name": "envelope",
    "setup": {"keys": 3, "ciphertexts": 12},
    "operations": [
      {"op": "Encrypt", "weight": 70, "payload": {"bytes": 64}, "encryption_context": true},
      {"op": "Decrypt", "weight": 20, "encryption_context": true},
      {"op": "GenerateDataKey", "weight": 10, "number_of_bytes": 32}
    ]
  })",
                                           "inline");
  const std::size_t threads = 2;
  TeardownReport teardown;
  const RunStats stats = run(ref, open_plan(200, 1s, 6, threads), workload, &teardown);
  ASSERT_EQ(stats.operations, (std::vector<std::string>{"Encrypt", "Decrypt", "GenerateDataKey"}));
  const auto all = stats.overall();
  EXPECT_EQ(all.outcomes[Outcome::Ok], all.outcomes.total()) << describe(stats);
  EXPECT_EQ(all.outcomes.total() + stats.unsent, 200u) << describe(stats);
  const double sent = static_cast<double>(all.outcomes.total());
  const double weights[] = {0.7, 0.2, 0.1};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& op = stats.per_op[i].outcomes;
    EXPECT_EQ(op[Outcome::Ok], op.total()) << stats.operations[i];
    // Smooth weighted round-robin: each worker within 1 of its share, so the run within one a
    // worker.
    EXPECT_LE(std::abs(static_cast<double>(op.total()) - sent * weights[i]),
              static_cast<double>(threads))
        << stats.operations[i] << ": " << op.total() << " of " << sent;
  }
  EXPECT_EQ(teardown.scheduled, 3) << "every key's deletion is scheduled";
}

TEST_P(LoadRunTest, QuotaRefusalsCountAsThrottledNeverAsErrors) {
  server::QuotaConfig quotas;
  quotas.merge_json_text(R"({"actions": {"Encrypt": {"rate": 5, "burst": 5}}})", "tiny");
  const Reference ref = start_reference(GetParam(), quotas);
  const Workload workload = single_operation_workload("Encrypt");
  const RunStats stats = run(ref, open_plan(200, 1s, 4, 2), workload);
  const auto all = stats.overall();
  EXPECT_EQ(all.outcomes[Outcome::Ok] + all.outcomes[Outcome::Throttled], all.outcomes.total())
      << describe(stats);
  EXPECT_GT(all.outcomes[Outcome::Throttled], all.outcomes[Outcome::Ok]) << describe(stats);
  EXPECT_GE(all.outcomes[Outcome::Ok], 5u) << "the burst is admitted";
  // The burst and a second's refill, with room for the run ending a little late.
  EXPECT_LE(all.outcomes[Outcome::Ok], 20u) << describe(stats);
  EXPECT_EQ(all.outcomes.errors(), 0u) << describe(stats);
  EXPECT_EQ(all.outcomes.total() + stats.unsent, 200u) << describe(stats);
}

TEST_P(LoadRunTest, StopEndsALongRunSoonAndSaysInterrupted) {
  const Reference ref = start_reference(GetParam());
  const Workload workload = single_operation_workload("Encrypt");
  const Material material =
      set_up(ref.target, workload, client::make_run_prefix(std::chrono::system_clock::now()));
  std::atomic<bool> stop{false};
  std::jthread stopper([&stop] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  const auto began = Clock::now();
  const RunStats stats = run_load(open_plan(100, 10s, 2, 2), ref.target, workload, material, stop);
  const auto wall = Clock::now() - began;
  tear_down(ref.target, workload, material);
  EXPECT_LT(wall, 2s) << "a 10 s run kept going after its stop";
  EXPECT_TRUE(stats.interrupted);
  EXPECT_EQ(stats.stop_reason, "interrupted");
  const auto all = stats.overall();
  EXPECT_GT(all.outcomes[Outcome::Ok], 0u);
  EXPECT_EQ(all.outcomes[Outcome::Ok], all.outcomes.total()) << describe(stats);
  // About 0.3 s at 100 req/s; far from the 1000 of the whole run.
  EXPECT_LT(all.outcomes.total(), 150u) << describe(stats);
  expect_consistent(stats);
}

}  // namespace
}  // namespace loadgen
}  // namespace kmsconf
