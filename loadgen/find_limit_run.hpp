// `kmsconf load --find-limit` against a target: the burst from idle, then the search's steps,
// each after a drain of the limiter's bucket, within a total time budget.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "loadgen/find_limit.hpp"
#include "loadgen/load_run.hpp"

namespace kmsconf::loadgen {

struct FindLimitPlan {
  LimitCriteria criteria;
  std::chrono::nanoseconds step{std::chrono::seconds(1)};     // each step's length
  std::chrono::nanoseconds budget{std::chrono::seconds(60)};  // the whole search, bursts included
  std::size_t connections = 100;                              // most in flight in a step
  std::size_t threads = 2;
  std::chrono::microseconds late_after{1000};
};

// The burst from idle: requests accepted before the first throttled answer.
struct BurstObservation {
  std::optional<uint64_t> accepted;  // nullopt: no throttling answer within the burst's bounds
  uint64_t sent = 0;
  double seconds = 0;
};

struct FindLimitOutcome {
  LimitSearch search;
  BurstObservation burst;
  RunStats steps;  // every step's traffic merged (timeline: the steps one after another)
  uint64_t drain_requests = 0;  // sent to empty the limiter's bucket before steps
  bool budget_spent = false;    // the budget ended the search before it converged
};

// Called after the burst (step null) and after each step.
using StepCallback = std::function<void(const FindLimitOutcome&, const StepObservation* step)>;

// The most a burst or a drain sends (connections, requests, time): bounded however large the
// endpoint's bucket is.
inline constexpr std::size_t kBurstConnections = 64;
inline constexpr uint64_t kBurstRequests = 5000;

// Runs the search. Stops early (outcome.steps.interrupted) when `stop` is set.
FindLimitOutcome find_limit(const FindLimitPlan& plan, const Target& target,
                            const Workload& workload, const Material& material,
                            const std::atomic<bool>& stop, const StepCallback& on_step = {});

// Sends `max_requests` at most (bounded by `within` too) over `connections` closed-loop
// connections from now, until the first throttled answer: how many were accepted before it.
BurstObservation measure_burst(const Target& target, const Workload& workload,
                               const Material& material, std::size_t connections,
                               uint64_t max_requests, std::chrono::nanoseconds within,
                               const std::atomic<bool>& stop, RunStats* traffic = nullptr);

// The result file's "find_limit" block (docs/load-results.md).
nlohmann::json find_limit_json(const FindLimitOutcome& outcome, const FindLimitPlan& plan);

}  // namespace kmsconf::loadgen
