// The find-limit search on simulated endpoints: a token-bucket rate limiter (throttled share
// 1 - R/r above R, its bucket drained before each step) and a server of fixed capacity (no
// throttling; above C requests queue, so latency climbs and the connections run out). The
// search must tell the two apart and bracket the limit within its 2% precision.
#include "loadgen/find_limit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace kmsconf::loadgen {
namespace {

using Endpoint = std::function<StepObservation(double rate)>;

constexpr double kStepSeconds = 2;

// A limiter refilling at `limit` per second whose bucket the drain emptied: of r*d requests,
// limit*d pass. Latency stays flat.
Endpoint rate_limiter(double limit) {
  return [limit](double rate) {
    StepObservation s;
    s.rate = rate;
    s.duration_s = kStepSeconds;
    const auto offered = static_cast<uint64_t>(std::llround(rate * kStepSeconds));
    s.ok = std::min<uint64_t>(offered, static_cast<uint64_t>(std::floor(limit * kStepSeconds)));
    s.throttled = offered - s.ok;
    s.p99_ms = 2;
    return s;
  };
}

// A server answering `capacity` per second: above it the queue grows by (r - C) per second, so
// the last request waits (r - C) d / C seconds, and with 100 connections the rest is unsent.
Endpoint fixed_capacity(double capacity) {
  return [capacity](double rate) {
    StepObservation s;
    s.rate = rate;
    s.duration_s = kStepSeconds;
    const auto offered = static_cast<uint64_t>(std::llround(rate * kStepSeconds));
    if (rate <= capacity) {
      s.ok = offered;
      s.p99_ms = 2;
      return s;
    }
    const double queued = (rate - capacity) * kStepSeconds;
    s.p99_ms = 2 + 1000 * queued / capacity;
    s.unsent = queued > 100 ? static_cast<uint64_t>(queued - 100) : 0;
    s.ok = offered - s.unsent;
    return s;
  };
}

LimitSearch search_against(const Endpoint& endpoint, LimitCriteria criteria = {}) {
  LimitSearch search(criteria);
  for (int guard = 0; guard < 100; ++guard) {
    const auto rate = search.next_rate();
    if (!rate) return search;
    StepObservation step = endpoint(*rate);
    step.phase = std::string(search.next_phase());
    search.record(step);
  }
  ADD_FAILURE() << "the search did not end within 100 steps";
  return search;
}

TEST(FindLimit, RateLimiterIsFoundWithinThePrecision) {
  for (double limit : {50.0, 730.0, 1000.0, 12345.0}) {
    const auto search = search_against(rate_limiter(limit));
    EXPECT_EQ(search.kind(), LimitKind::RateLimit) << limit;
    EXPECT_TRUE(search.converged()) << limit;
    ASSERT_TRUE(search.ceiling()) << limit;
    // Bracketed to within 2% of the ceiling, around the rate where 1% starts being refused.
    EXPECT_LE((*search.ceiling() - search.sustained()) / *search.ceiling(), 0.02) << limit;
    EXPECT_NEAR(search.sustained(), limit, limit * 0.02) << limit;
    EXPECT_LE(search.steps().size(), 25u) << limit;
  }
}

TEST(FindLimit, CapacityLimitIsToldApartFromARateLimit) {
  for (double capacity : {200.0, 3000.0}) {
    const auto search = search_against(fixed_capacity(capacity));
    EXPECT_EQ(search.kind(), LimitKind::Capacity) << capacity;
    EXPECT_TRUE(search.converged()) << capacity;
    EXPECT_NEAR(search.sustained(), capacity, capacity * 0.05) << capacity;
    for (const auto& step : search.steps()) EXPECT_NE(step.verdict, "throttled") << step.rate;
  }
}

TEST(FindLimit, StepsGoUpExponentiallyThenBisect) {
  const auto search = search_against(rate_limiter(100));
  const auto& steps = search.steps();
  ASSERT_GE(steps.size(), 6u);
  // 10, 20, 40, 80 held; 160 throttled; then the midpoints of the bracket.
  EXPECT_DOUBLE_EQ(steps[0].rate, 10);
  EXPECT_DOUBLE_EQ(steps[3].rate, 80);
  EXPECT_DOUBLE_EQ(steps[4].rate, 160);
  EXPECT_EQ(steps[4].verdict, "throttled");
  EXPECT_EQ(steps[4].phase, "exponential");
  EXPECT_DOUBLE_EQ(steps[5].rate, 120);
  EXPECT_EQ(steps[5].phase, "binary");
}

TEST(FindLimit, NoLimitUpToTheHighestRate) {
  LimitCriteria criteria;
  criteria.max_rate = 5000;
  const auto search = search_against(rate_limiter(1e9), criteria);
  EXPECT_EQ(search.kind(), LimitKind::None);
  EXPECT_TRUE(search.converged());
  EXPECT_DOUBLE_EQ(search.sustained(), 5000);
  EXPECT_FALSE(search.ceiling());
}

TEST(FindLimit, ALimitBelowTheStartRateIsApproachedFromAbove) {
  LimitCriteria criteria;
  criteria.start_rate = 1000;
  const auto search = search_against(rate_limiter(90), criteria);
  EXPECT_EQ(search.kind(), LimitKind::RateLimit);
  EXPECT_NEAR(search.sustained(), 90, 90 * 0.02);
  EXPECT_DOUBLE_EQ(search.steps()[1].rate, 500);
}

TEST(FindLimit, RefusedEvenAtTheLowestRate) {
  const auto search = search_against(rate_limiter(0));
  EXPECT_EQ(search.kind(), LimitKind::RateLimit);
  EXPECT_TRUE(search.converged());
  EXPECT_DOUBLE_EQ(search.sustained(), 0);
  EXPECT_LT(*search.ceiling(), 2.0);
}

TEST(FindLimit, ClientErrorsStopTheSearchUnjudged) {
  const auto search = search_against([](double rate) {
    StepObservation s;
    s.rate = rate;
    s.duration_s = 1;
    s.client_errors = static_cast<uint64_t>(rate);
    return s;
  });
  EXPECT_EQ(search.steps().size(), 1u);
  EXPECT_FALSE(search.converged());
  EXPECT_NE(search.unjudgeable().find("client errors"), std::string::npos);
}

TEST(FindLimit, JudgingAStep) {
  LimitCriteria c;  // 1% throttled, 1% failures, latency 10x the base and at least 20 ms
  StepObservation s;
  s.rate = 100;
  s.duration_s = 1;
  s.ok = 99;
  s.throttled = 1;
  s.p99_ms = 5;
  EXPECT_EQ(judge_step(s, c, 1.0), StepVerdict::Held);  // exactly 1% is not above it
  s.ok = 98;
  s.throttled = 2;
  EXPECT_EQ(judge_step(s, c, 1.0), StepVerdict::Throttled);
  s.throttled = 0;
  s.failures = 2;
  EXPECT_EQ(judge_step(s, c, 1.0), StepVerdict::OverCapacity);
  s.failures = 0;
  s.ok = 100;
  s.p99_ms = 25;
  EXPECT_EQ(judge_step(s, c, 2.0), StepVerdict::OverCapacity);   // above 20 ms and 10 x 2 ms
  EXPECT_EQ(judge_step(s, c, 3.0), StepVerdict::Held);           // under 10 x 3 ms
  EXPECT_EQ(judge_step(s, c, std::nullopt), StepVerdict::Held);  // no base yet
  c.p99_ceiling_ms = 10;
  EXPECT_EQ(judge_step(s, c, std::nullopt), StepVerdict::OverCapacity);
  s.unsent = 2;
  s.p99_ms = 1;
  EXPECT_EQ(judge_step(s, c, 1.0), StepVerdict::OverCapacity);  // the connections ran out
}

}  // namespace
}  // namespace kmsconf::loadgen
