// Driving the find-limit search with real traffic (find_limit_run.hpp).
#include "loadgen/find_limit_run.hpp"

#include <algorithm>
#include <cmath>

namespace kmsconf::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

// A drain ends at the first throttled answer, so it costs about one bucket; this bounds it when
// the limiter has stopped throttling at all (its quota was raised mid-run).
constexpr std::chrono::seconds kLongestDrain{2};
// The burst from idle meets a large bucket late, or no limiter at all: an eighth of the budget
// at most, and never longer than this.
constexpr std::chrono::seconds kLongestBurst{10};

double seconds_of(std::chrono::nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

StepObservation observe(const RunStats& stats, double rate, std::chrono::nanoseconds length,
                        std::string_view phase) {
  const OperationStats all = stats.overall();
  StepObservation step;
  step.phase = std::string(phase);
  step.rate = rate;
  step.duration_s = seconds_of(length);
  step.ok = all.outcomes[Outcome::Ok];
  step.throttled = all.outcomes[Outcome::Throttled];
  step.client_errors = all.outcomes[Outcome::ClientError];
  step.failures = all.outcomes[Outcome::ServerError] + all.outcomes[Outcome::Timeout] +
                  all.outcomes[Outcome::TransportError];
  step.unsent = stats.unsent;
  step.p99_ms = static_cast<double>(all.latency.percentile(99)) / 1000.0;
  return step;
}

// Adds a step's traffic to the whole search's, its timeline after the earlier steps'.
void accumulate(RunStats& into, RunStats&& step) {
  const uint64_t offset = into.timeline.empty() ? 0 : into.timeline.back().second + 1;
  for (TimelinePoint& p : step.timeline) p.second += offset;
  std::vector<TimelinePoint> timeline = std::move(into.timeline);
  timeline.insert(timeline.end(), step.timeline.begin(), step.timeline.end());
  const double duration = into.duration_s + step.duration_s;
  if (into.operations.empty()) {
    into = std::move(step);
  } else {
    into.merge(step);
  }
  into.timeline = std::move(timeline);
  into.duration_s = duration;
}

}  // namespace

BurstObservation measure_burst(const Target& target, const Workload& workload,
                               const Material& material, std::size_t connections,
                               uint64_t max_requests, std::chrono::nanoseconds within,
                               const std::atomic<bool>& stop, RunStats* traffic) {
  std::atomic<bool> throttled{false};
  LoadPlan plan;
  plan.open_loop = false;
  plan.connections = std::max<std::size_t>(1, connections);
  plan.threads = std::min<std::size_t>(2, plan.connections);
  plan.duration = within;
  plan.max_requests = max_requests;
  plan.end_when = [&](Outcome outcome, const client::ExchangeResult&) {
    if (outcome != Outcome::Throttled) return false;
    throttled.store(true);
    return true;
  };
  RunStats stats = run_load(plan, target, workload, material, stop);
  BurstObservation burst;
  const OutcomeCounts all = stats.overall().outcomes;
  burst.sent = all.total();
  burst.seconds = stats.duration_s;
  // Every accepted answer of the burst, also those that arrived after the first refusal on
  // another connection: the endpoint admitted them before it refused (answers overtake each
  // other across connections, so counting only the earlier arrivals would undercount).
  if (throttled.load()) burst.accepted = all[Outcome::Ok];
  if (traffic) *traffic = std::move(stats);
  return burst;
}

FindLimitOutcome find_limit(const FindLimitPlan& plan, const Target& target,
                            const Workload& workload, const Material& material,
                            const std::atomic<bool>& stop, const StepCallback& on_step) {
  FindLimitOutcome out{LimitSearch(plan.criteria), {}, {}, 0, false};
  const auto deadline = Clock::now() + plan.budget;
  const auto remaining = [&] { return deadline - Clock::now(); };
  const std::size_t burst_connections = std::min(plan.connections, kBurstConnections);

  // From idle: the bucket is full, so what passes before the first refusal is the burst. It
  // also leaves the bucket empty for the first step.
  out.burst =
      measure_burst(target, workload, material, burst_connections, kBurstRequests,
                    std::min<std::chrono::nanoseconds>(remaining() / 4, kLongestDrain * 5), stop);
  if (on_step) on_step(out, nullptr);

  while (auto rate = out.search.next_rate()) {
    if (stop.load()) break;
    // A step needs its own length and, with a limiter, a drain before it.
    const auto needed =
        plan.step + (out.burst.accepted ? kLongestDrain / 4 : decltype(plan.step){});
    if (remaining() < needed) {
      out.budget_spent = true;
      break;
    }
    if (out.burst.accepted) {
      // Empty the bucket refilled during slower steps: otherwise a step just above the limit
      // spends the saved tokens and looks held.
      const auto drain = measure_burst(target, workload, material, burst_connections,
                                       kBurstRequests, kLongestDrain, stop);
      out.drain_requests += drain.sent;
    }
    LoadPlan step;
    step.open_loop = true;
    step.rate = *rate;
    step.duration = plan.step;
    step.connections = plan.connections;
    step.threads = plan.threads;
    step.late_after = plan.late_after;
    step.lead = std::chrono::milliseconds(2);
    RunStats stats = run_load(step, target, workload, material, stop);
    const bool interrupted = stats.interrupted;
    StepObservation observed = observe(stats, *rate, plan.step, out.search.next_phase());
    accumulate(out.steps, std::move(stats));
    if (interrupted) break;  // a cut-short step judges nothing
    out.search.record(std::move(observed));
    if (on_step) on_step(out, &out.search.steps().back());
  }
  return out;
}

nlohmann::json find_limit_json(const FindLimitOutcome& outcome, const FindLimitPlan& plan) {
  const LimitSearch& search = outcome.search;
  nlohmann::json steps = nlohmann::json::array();
  for (const StepObservation& s : search.steps()) {
    steps.push_back({{"phase", s.phase},
                     {"rate", s.rate},
                     {"duration_s", s.duration_s},
                     {"requests", s.sent()},
                     {"ok", s.ok},
                     {"throttled", s.throttled},
                     {"client_errors", s.client_errors},
                     {"errors", s.failures},
                     {"unsent", s.unsent},
                     {"p99_ms", s.p99_ms},
                     {"accepted_rps", s.accepted_rps()},
                     {"verdict", s.verdict}});
  }
  const LimitCriteria& c = search.criteria();
  nlohmann::json out = {
      {"kind", std::string(limit_kind_name(search.kind()))},
      {"converged", search.converged()},
      {"sustained_rps", search.sustained()},
      {"ceiling_rps", search.ceiling() ? nlohmann::json(*search.ceiling()) : nlohmann::json()},
      {"burst",
       outcome.burst.accepted ? nlohmann::json(*outcome.burst.accepted) : nlohmann::json()},
      {"burst_requests", outcome.burst.sent},
      {"burst_seconds", outcome.burst.seconds},
      {"drain_requests", outcome.drain_requests},
      {"budget_spent", outcome.budget_spent},
      {"criteria",
       {{"start_rate", c.start_rate},
        {"max_rate", c.max_rate},
        {"precision", c.precision},
        {"throttled_share", c.throttled_share},
        {"failure_share", c.failure_share},
        {"p99_ceiling_ms", c.p99_ceiling_ms ? nlohmann::json(*c.p99_ceiling_ms) : nlohmann::json()},
        {"step_s", seconds_of(plan.step)}}},
      {"steps", std::move(steps)}};
  if (!search.unjudgeable().empty()) out["unjudgeable"] = search.unjudgeable();
  return out;
}

}  // namespace kmsconf::loadgen
