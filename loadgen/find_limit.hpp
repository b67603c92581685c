// The find-limit search, apart from any traffic: judges each step (held, throttled, over
// capacity) and proposes the next rate, exponentially up then by bisection, until the bracket
// between the highest rate held and the lowest one refused is within the precision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kmsconf::loadgen {

// When a step counts as over a limit (docs/load.md, "Finding the limit").
struct LimitCriteria {
  double start_rate = 10;         // requests per second of the first step
  double max_rate = 1'000'000;    // never offered more; held there means no limit found
  double lowest_rate = 1;         // refused even at this: the limit is below what can be told
  double precision = 0.02;        // stop when (ceiling - sustained) / ceiling is at most this
  double throttled_share = 0.01;  // more throttled answers than this share: a rate limit
  // 5xx, timeouts, transport errors and requests the connections could not send, as a share of
  // the step's requests: more than this is over capacity.
  double failure_share = 0.01;
  // Non-throttling 4xx above this share: the endpoint refuses the requests themselves (a wrong
  // credential, a missing key), so no step can be judged.
  double client_error_share = 0.5;
  // p99 (from the intended send time) above this is over capacity; unset: `latency_factor`
  // times the first held step's p99, and at least `latency_floor_ms`.
  std::optional<double> p99_ceiling_ms;
  double latency_factor = 10;
  double latency_floor_ms = 20;
};

// What one step measured.
struct StepObservation {
  std::string phase;  // "exponential" | "binary"
  double rate = 0;    // offered, requests per second
  double duration_s = 0;
  uint64_t ok = 0;
  uint64_t throttled = 0;
  uint64_t client_errors = 0;
  uint64_t failures = 0;  // server errors, timeouts, transport errors
  uint64_t unsent = 0;
  double p99_ms = 0;
  std::string verdict;  // filled by LimitSearch::record

  uint64_t sent() const { return ok + throttled + client_errors + failures; }
  double accepted_rps() const { return duration_s > 0 ? static_cast<double>(ok) / duration_s : 0; }
};

enum class StepVerdict { Held, Throttled, OverCapacity, Unjudgeable };
std::string_view verdict_name(StepVerdict verdict);  // "held", "throttled", "capacity", ...

// What bounded the search: a rate limiter (throttling answers), the endpoint's capacity
// (latency, 5xx or timeouts rising without throttling), or nothing up to the highest rate.
enum class LimitKind { RateLimit, Capacity, None };
std::string_view limit_kind_name(LimitKind kind);  // "rate_limit", "capacity", "none"

// The step's verdict. `base_p99_ms` is the first held step's p99 (none yet: no latency rule
// unless the criteria give a ceiling).
StepVerdict judge_step(const StepObservation& step, const LimitCriteria& criteria,
                       std::optional<double> base_p99_ms);

class LimitSearch {
 public:
  explicit LimitSearch(LimitCriteria criteria);

  // The next step's rate; nullopt once the search is over (converged, no limit up to
  // max_rate, below lowest_rate, or a step could not be judged).
  std::optional<double> next_rate() const;
  std::string_view next_phase() const;  // "exponential" until a step is refused, then "binary"
  // Judges the step (sets its verdict), narrows the bracket and keeps it.
  StepVerdict record(StepObservation step);

  double sustained() const { return held_; }                  // the highest rate held (0: none)
  std::optional<double> ceiling() const { return refused_; }  // the lowest rate refused
  LimitKind kind() const;
  // The bracket is within the precision, or max_rate held: the answer is as good as asked.
  bool converged() const;
  // Why no step can be judged (non-throttling client errors), or "".
  const std::string& unjudgeable() const { return unjudgeable_; }
  const std::vector<StepObservation>& steps() const { return steps_; }
  const LimitCriteria& criteria() const { return criteria_; }

 private:
  LimitCriteria criteria_;
  double held_ = 0;
  std::optional<double> refused_;
  StepVerdict refused_verdict_ = StepVerdict::Held;
  std::optional<double> base_p99_ms_;
  std::string unjudgeable_;
  std::vector<StepObservation> steps_;
};

}  // namespace kmsconf::loadgen
