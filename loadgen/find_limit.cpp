// Judging find-limit steps and bisecting the rate (find_limit.hpp).
#include "loadgen/find_limit.hpp"

#include <algorithm>
#include <utility>

namespace kmsconf::loadgen {
namespace {

double share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

std::string_view verdict_name(StepVerdict verdict) {
  switch (verdict) {
    case StepVerdict::Held:
      return "held";
    case StepVerdict::Throttled:
      return "throttled";
    case StepVerdict::OverCapacity:
      return "capacity";
    case StepVerdict::Unjudgeable:
      return "unjudgeable";
  }
  return "unjudgeable";
}

std::string_view limit_kind_name(LimitKind kind) {
  switch (kind) {
    case LimitKind::RateLimit:
      return "rate_limit";
    case LimitKind::Capacity:
      return "capacity";
    case LimitKind::None:
      return "none";
  }
  return "none";
}

StepVerdict judge_step(const StepObservation& step, const LimitCriteria& criteria,
                       std::optional<double> base_p99_ms) {
  const uint64_t sent = step.sent();
  const uint64_t intended = sent + step.unsent;
  if (intended == 0) return StepVerdict::OverCapacity;  // not one request could go out
  // Throttling first: a limiter that also slows down is still a limiter.
  if (share(step.throttled, sent) > criteria.throttled_share) return StepVerdict::Throttled;
  if (share(step.client_errors, sent) > criteria.client_error_share) {
    return StepVerdict::Unjudgeable;
  }
  if (share(step.failures + step.unsent, intended) > criteria.failure_share) {
    return StepVerdict::OverCapacity;
  }
  std::optional<double> ceiling = criteria.p99_ceiling_ms;
  if (!ceiling && base_p99_ms) {
    ceiling = std::max(*base_p99_ms * criteria.latency_factor, criteria.latency_floor_ms);
  }
  if (ceiling && step.p99_ms > *ceiling) return StepVerdict::OverCapacity;
  return StepVerdict::Held;
}

LimitSearch::LimitSearch(LimitCriteria criteria) : criteria_(std::move(criteria)) {}

std::optional<double> LimitSearch::next_rate() const {
  if (!unjudgeable_.empty() || converged()) return std::nullopt;
  if (!refused_) {
    return held_ == 0 ? std::min(criteria_.start_rate, criteria_.max_rate)
                      : std::min(held_ * 2, criteria_.max_rate);
  }
  if (held_ == 0) {
    // Refused from the first step: halve until one holds.
    return *refused_ / 2;
  }
  return (held_ + *refused_) / 2;
}

std::string_view LimitSearch::next_phase() const {
  return refused_ ? "binary" : "exponential";
}

StepVerdict LimitSearch::record(StepObservation step) {
  const StepVerdict verdict = judge_step(step, criteria_, base_p99_ms_);
  step.verdict = std::string(verdict_name(verdict));
  switch (verdict) {
    case StepVerdict::Held:
      held_ = std::max(held_, step.rate);
      if (!base_p99_ms_) base_p99_ms_ = step.p99_ms;
      break;
    case StepVerdict::Throttled:
    case StepVerdict::OverCapacity:
      if (!refused_ || step.rate <= *refused_) {
        refused_ = step.rate;
        refused_verdict_ = verdict;
      }
      break;
    case StepVerdict::Unjudgeable:
      unjudgeable_ = std::to_string(step.client_errors) + " of " + std::to_string(step.sent()) +
                     " requests at " + std::to_string(static_cast<long long>(step.rate)) +
                     " req/s were refused as client errors (not throttling): the requests "
                     "themselves are wrong";
      break;
  }
  steps_.push_back(std::move(step));
  return verdict;
}

LimitKind LimitSearch::kind() const {
  if (!refused_) return LimitKind::None;
  return refused_verdict_ == StepVerdict::Throttled ? LimitKind::RateLimit : LimitKind::Capacity;
}

bool LimitSearch::converged() const {
  if (!unjudgeable_.empty()) return false;
  if (!refused_) return held_ >= criteria_.max_rate;
  // Refused even at the lowest rate: the limit is below what steps can tell apart.
  if (held_ == 0) return *refused_ / 2 < criteria_.lowest_rate;
  return (*refused_ - held_) / *refused_ <= criteria_.precision;
}

}  // namespace kmsconf::loadgen
