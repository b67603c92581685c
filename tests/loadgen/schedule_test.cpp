// The open-loop schedule: exactly rate x duration requests over all workers, evenly spaced at
// k / rate, each worker its share, also when the rate is below the number of threads.
#include "loadgen/schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace kmsconf::loadgen {
namespace {

using namespace std::chrono_literals;

std::vector<SteadyClock::time_point> all_times(double rate, std::size_t workers,
                                               std::chrono::nanoseconds length,
                                               SteadyClock::time_point start) {
  std::vector<SteadyClock::time_point> out;
  for (std::size_t w = 0; w < workers; ++w) {
    OpenLoopSchedule schedule(rate, w, workers, start, length);
    const uint64_t share = schedule.share();
    uint64_t n = 0;
    while (auto at = schedule.next()) {
      out.push_back(*at);
      ++n;
    }
    EXPECT_EQ(n, share) << "worker " << w;
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Schedule, CountIsRateTimesDuration) {
  EXPECT_EQ(scheduled_requests(1000, 1s), 1000u);
  EXPECT_EQ(scheduled_requests(20000, 4s), 80000u);
  EXPECT_EQ(scheduled_requests(3, 1s), 3u);    // at 0, 1/3, 2/3 s
  EXPECT_EQ(scheduled_requests(2.5, 1s), 3u);  // at 0, 0.4, 0.8 s
  EXPECT_EQ(scheduled_requests(0.5, 1s), 1u);  // at 0 only
  EXPECT_EQ(scheduled_requests(1, 500ms), 1u);
  EXPECT_EQ(scheduled_requests(0, 1s), 0u);
  EXPECT_EQ(scheduled_requests(100, 0s), 0u);
}

TEST(Schedule, WorkersTogetherSendEveryIntendedTimeOnce) {
  const auto start = SteadyClock::time_point{} + 1h;
  for (std::size_t workers : {1u, 2u, 3u, 8u}) {
    auto times = all_times(1000, workers, 2s, start);
    ASSERT_EQ(times.size(), 2000u) << workers;
    for (std::size_t k = 0; k < times.size(); ++k) {
      EXPECT_EQ(times[k] - start, std::chrono::nanoseconds(k * 1'000'000)) << k;
    }
  }
}

// wrk2's fault: with fewer requests per second than threads, each thread rounds its own rate.
TEST(Schedule, RateBelowThreadCountIsNotMiscounted) {
  const auto start = SteadyClock::time_point{} + 1h;
  auto times = all_times(3, 8, 10s, start);
  ASSERT_EQ(times.size(), 30u);
  for (std::size_t k = 0; k < times.size(); ++k) {
    const double expected_ns = static_cast<double>(k) * 1e9 / 3;
    EXPECT_NEAR(static_cast<double>((times[k] - start).count()), expected_ns, 1.0) << k;
  }
  // Workers 3..7 have shares of 3 or 4; every worker gets within one of the others.
  for (std::size_t w = 0; w < 8; ++w) {
    OpenLoopSchedule s(3, w, 8, start, 10s);
    EXPECT_GE(s.share(), 3u);
    EXPECT_LE(s.share(), 4u);
  }
  // One request per second over 5 threads for 2 s: 2 requests, workers 2..4 send none.
  EXPECT_EQ(all_times(1, 5, 2s, start).size(), 2u);
  EXPECT_EQ(OpenLoopSchedule(1, 4, 5, start, 2s).share(), 0u);
}

TEST(Schedule, LongRunsDoNotDrift) {
  const auto start = SteadyClock::time_point{} + 1h;
  OpenLoopSchedule s(7, 0, 1, start, 3600s);
  std::optional<SteadyClock::time_point> last;
  while (auto at = s.next()) last = at;
  ASSERT_TRUE(last);
  // k = 25199: 25199 / 7 s exactly, to the nanosecond.
  EXPECT_EQ(*last - start, std::chrono::nanoseconds(3599857142857));
}

TEST(Schedule, BadWorkerIndexIsRefused) {
  EXPECT_THROW(OpenLoopSchedule(10, 2, 2, SteadyClock::now(), 1s), std::invalid_argument);
  EXPECT_THROW(OpenLoopSchedule(10, 0, 0, SteadyClock::now(), 1s), std::invalid_argument);
}

}  // namespace
}  // namespace kmsconf::loadgen
