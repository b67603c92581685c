// The per-second timeline: a second becomes a point once every worker still running delivered
// it; a worker that finished early no longer holds later seconds back.
#include "loadgen/timeline.hpp"

#include <gtest/gtest.h>

namespace kmsconf::loadgen {
namespace {

OperationStats second_with(uint64_t ok, int64_t latency_us) {
  OperationStats s;
  s.outcomes[Outcome::Ok] = ok;
  for (uint64_t i = 0; i < ok; ++i) s.latency.record(latency_us);
  return s;
}

TEST(Timeline, ASecondIsAPointOnceEveryWorkerDeliveredIt) {
  Timeline timeline(2);
  timeline.deliver(0, second_with(3, 100));
  EXPECT_TRUE(timeline.points().empty());
  timeline.deliver(0, second_with(2, 5000));
  ASSERT_EQ(timeline.points().size(), 1u);
  const TimelinePoint p = timeline.points()[0];
  EXPECT_EQ(p.second, 0u);
  EXPECT_EQ(p.outcomes[Outcome::Ok], 5u);
  EXPECT_EQ(p.max_us, 5000);
  EXPECT_EQ(p.p50_us, 100);  // 3 of 5 at 100 us
}

TEST(Timeline, ARetiredWorkerNoLongerHoldsLaterSecondsBack) {
  Timeline timeline(2);
  // Worker A: seconds 0 and 1, then done. Worker B: seconds 0 to 3.
  timeline.deliver(0, second_with(1, 10));
  timeline.deliver(1, second_with(1, 10));
  timeline.deliver(0, second_with(1, 10));
  timeline.deliver(1, second_with(1, 10));
  timeline.deliver(2, second_with(1, 10));
  EXPECT_EQ(timeline.points().size(), 2u);  // second 2 still waits for A
  timeline.retire(1);
  EXPECT_EQ(timeline.points().size(), 3u);  // A is done after 1: second 2 has all it will get
  timeline.deliver(3, second_with(4, 10));
  ASSERT_EQ(timeline.points().size(), 4u);
  EXPECT_EQ(timeline.points()[3].outcomes[Outcome::Ok], 4u);
  EXPECT_EQ(timeline.latest()->second, 3u);
}

TEST(Timeline, RetiringDoesNotCompleteASecondAnotherWorkerStillOwes) {
  Timeline timeline(2);
  timeline.deliver(0, second_with(1, 10));  // A's second 0
  timeline.retire(0);                       // A done after 0
  EXPECT_TRUE(timeline.points().empty());   // B has not delivered 0 yet
  timeline.deliver(0, second_with(1, 10));  // B's second 0
  ASSERT_EQ(timeline.points().size(), 1u);
  EXPECT_EQ(timeline.points()[0].outcomes[Outcome::Ok], 2u);
}

}  // namespace
}  // namespace kmsconf::loadgen
