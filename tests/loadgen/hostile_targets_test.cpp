// Load runs against targets that misbehave (nothing listening, resets, garbage, stalls, closes,
// a server-wide pause): every run ends on time and counts each answer in the right class.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/load_run.hpp"
#include "loadgen/schedule.hpp"
#include "tests/loadgen/scripted_server.hpp"

namespace kmsconf::loadgen {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedServer;
using Behaviour = ScriptedServer::Behaviour;
using Clock = std::chrono::steady_clock;

// --dialect none: plain GETs of "/", classified by status, so a scripted peer needs only HTTP.
Target plain_target(const client::Endpoint& endpoint, std::chrono::milliseconds timeout = 2000ms) {
  Target target;
  target.endpoint = endpoint;
  target.path = "/";
  target.transport.timeout = timeout;
  return target;
}

LoadPlan open_plan(double rate, std::chrono::nanoseconds duration, std::size_t connections) {
  LoadPlan plan;
  plan.rate = rate;
  plan.duration = duration;
  plan.connections = connections;
  plan.threads = 1;
  return plan;
}

struct Timed {
  RunStats stats;
  Clock::duration wall{};
};

Timed run(const LoadPlan& plan, const Target& target) {
  static const Workload workload = single_operation_workload("Encrypt");  // any: none sends GETs
  const Material material;
  const std::atomic<bool> stop{false};
  const auto began = Clock::now();
  Timed t;
  t.stats = run_load(plan, target, workload, material, stop);
  t.wall = Clock::now() - began;
  return t;
}

std::string describe(const RunStats& stats) {
  const auto all = stats.overall();
  std::string out;
  for (auto o : kOutcomes) {
    out += std::string(outcome_name(o)) + "=" + std::to_string(all.outcomes[o]) + " ";
  }
  return out + "late=" + std::to_string(all.outcomes.late) +
         " unsent=" + std::to_string(stats.unsent) +
         " opened=" + std::to_string(stats.connections_opened) +
         " connect_failures=" + std::to_string(stats.connection_failures);
}

// How many recorded values are at least `us` (bucket resolution: 1/1024 of the value).
uint64_t count_at_least(const Histogram& h, int64_t us) {
  const nlohmann::json j = h.to_json();  // kept: a range-for over a temporary's member dangles
  uint64_t n = 0;
  for (const auto& bucket : j.at("buckets")) {
    if (bucket[0].get<int64_t>() >= us) n += bucket[1].get<uint64_t>();
  }
  return n;
}

// An open-loop run answers or gives up on every request it scheduled.
void expect_whole_schedule(const LoadPlan& plan, const RunStats& stats) {
  EXPECT_EQ(stats.overall().outcomes.total() + stats.unsent,
            scheduled_requests(plan.rate, plan.duration))
      << "requests scheduled within the run were neither answered nor counted unsent: "
      << describe(stats);
}

TEST(HostileTargets, RefusedPortCountsConnectFailuresAndEndsOnTime) {
  const LoadPlan plan = open_plan(100, 1s, 2);
  const Timed t = run(plan, plain_target(testing::refused_endpoint()));
  const auto all = t.stats.overall();
  EXPECT_GT(all.outcomes[Outcome::TransportError], 0u);
  EXPECT_EQ(all.outcomes[Outcome::TransportError], all.outcomes.total()) << describe(t.stats);
  EXPECT_EQ(t.stats.connection_failures, all.outcomes.total()) << describe(t.stats);
  EXPECT_EQ(t.stats.connections_opened, 0u);
  expect_whole_schedule(plan, t.stats);
  EXPECT_LT(t.wall, 1s + 2s);
}

TEST(HostileTargets, RefusedPortInClosedLoopPausesBetweenTriesAndEndsOnTime) {
  LoadPlan plan = open_plan(0, 1s, 2);
  plan.open_loop = false;
  const Timed t = run(plan, plain_target(testing::refused_endpoint()));
  const auto all = t.stats.overall();
  EXPECT_GT(t.stats.connection_failures, 0u);
  EXPECT_EQ(all.outcomes[Outcome::TransportError], all.outcomes.total()) << describe(t.stats);
  // Two connections, each retrying after 100 ms: about 20 tries, not a spin of thousands.
  EXPECT_LE(all.outcomes.total(), 40u) << describe(t.stats);
  EXPECT_EQ(t.stats.connections_opened, 0u);
  EXPECT_LT(t.wall, 1s + 2s);
}

TEST(HostileTargets, ResetEveryConnectionIsATransportError) {
  ScriptedServer server({.behaviour = Behaviour::Reset});
  const LoadPlan plan = open_plan(100, 1s, 2);
  const Timed t = run(plan, plain_target(server.endpoint()));
  const auto all = t.stats.overall();
  EXPECT_GT(all.outcomes.total(), 0u);
  EXPECT_EQ(all.outcomes[Outcome::TransportError], all.outcomes.total()) << describe(t.stats);
  EXPECT_GT(t.stats.connections_opened, 0u);
  EXPECT_EQ(t.stats.connection_failures, 0u) << "the connects succeeded; the exchanges failed";
  expect_whole_schedule(plan, t.stats);
  EXPECT_LT(t.wall, 1s + 2s);
}

TEST(HostileTargets, GarbageInsteadOfHttpIsATransportError) {
  ScriptedServer server({.behaviour = Behaviour::Garbage});
  const LoadPlan plan = open_plan(100, 1s, 2);
  const Timed t = run(plan, plain_target(server.endpoint()));
  const auto all = t.stats.overall();
  EXPECT_GT(all.outcomes.total(), 0u);
  EXPECT_EQ(all.outcomes[Outcome::TransportError], all.outcomes.total()) << describe(t.stats);
  EXPECT_GT(t.stats.connections_opened, 0u);
  expect_whole_schedule(plan, t.stats);
  EXPECT_LT(t.wall, 1s + 2s);
}

TEST(HostileTargets, StalledServerTimesOutAndTheRunEndsOnTime) {
  ScriptedServer server({.behaviour = Behaviour::Stall});
  const auto timeout = 200ms;
  // 4 connections each give up after 200 ms: 20 tries a second for 50 scheduled, so the backlog
  // grows and part of the schedule is never sent.
  const LoadPlan plan = open_plan(50, 1s, 4);
  const Timed t = run(plan, plain_target(server.endpoint(), timeout));
  const auto all = t.stats.overall();
  EXPECT_GT(all.outcomes[Outcome::Timeout], 0u);
  EXPECT_EQ(all.outcomes[Outcome::Timeout], all.outcomes.total()) << describe(t.stats);
  EXPECT_GT(t.stats.unsent, 0u) << describe(t.stats);
  expect_whole_schedule(plan, t.stats);
  // The last requests get their whole timeout after the run's end, and no more.
  EXPECT_LT(t.wall, 1s + timeout + 1500ms);
  // Service time of a timeout is the timeout itself.
  EXPECT_GE(all.service.percentile(50), 190'000);
}

void expect_reconnects_per_answer(const ScriptedServer::Script& script) {
  ScriptedServer server(script);
  const LoadPlan plan = open_plan(200, 1s, 2);
  const Timed t = run(plan, plain_target(server.endpoint()));
  const auto all = t.stats.overall();
  EXPECT_GT(all.outcomes.total(), 150u);
  EXPECT_EQ(all.outcomes[Outcome::Ok], all.outcomes.total()) << describe(t.stats);
  expect_whole_schedule(plan, t.stats);
  // Every answer came on a connection of its own (a retry on a fresh one when not told).
  EXPECT_GE(t.stats.connections_opened, all.outcomes[Outcome::Ok]) << describe(t.stats);
  EXPECT_LE(t.stats.connections_opened, all.outcomes[Outcome::Ok] + plan.connections)
      << describe(t.stats);
  EXPECT_EQ(server.accepted(), t.stats.connections_opened);
  EXPECT_LT(t.wall, 1s + 2s);
}

TEST(HostileTargets, CloseAfterEveryResponseSayingSoStillAnswersOk) {
  expect_reconnects_per_answer(
      {.behaviour = Behaviour::Answer, .close_after_response = true, .announce_close = true});
}

TEST(HostileTargets, CloseAfterEveryResponseWithoutSayingSoStillAnswersOk) {
  expect_reconnects_per_answer(
      {.behaviour = Behaviour::Answer, .close_after_response = true, .announce_close = false});
}

// The whole server stops for 300 ms once. The requests sent just before wait it out (high
// service time); the ones scheduled meanwhile queue in the generator and are sent late, with
// short service times. Only latency from the intended send time shows what users saw.
TEST(HostileTargets, OneServerPauseShowsInLatencyNotInServiceTime) {
  const auto pause = 300ms;
  ScriptedServer server({.behaviour = Behaviour::Answer, .pause_at = 300, .pause = pause});
  const LoadPlan plan = open_plan(500, 2s, 2);  // the 300th request comes ~0.6 s in
  const Timed t = run(plan, plain_target(server.endpoint()));
  const auto all = t.stats.overall();
  ASSERT_GE(server.requests(), 300u) << "the pause never happened";
  EXPECT_EQ(all.outcomes[Outcome::Ok], all.outcomes.total()) << describe(t.stats);
  expect_whole_schedule(plan, t.stats);

  const uint64_t slow_latency = count_at_least(all.latency, 200'000);
  const uint64_t slow_service = count_at_least(all.service, 200'000);
  EXPECT_GE(all.latency.max(), 290'000);
  EXPECT_GE(all.latency.percentile(99.9), 200'000);
  // Requests scheduled in the pause's first 100 ms waited >= 200 ms for their answer: ~50.
  EXPECT_GE(slow_latency, 20u) << describe(t.stats);
  // Only those in flight when the pause began can have waited that long once sent: at most one
  // a connection.
  EXPECT_LE(slow_service, plan.connections) << describe(t.stats);
  EXPECT_LT(all.service.percentile(50), 50'000);
  EXPECT_GE(all.outcomes.late, slow_latency) << "queued requests were sent late";
  EXPECT_LT(t.wall, 2s + 2s);
}

}  // namespace
}  // namespace kmsconf::loadgen
