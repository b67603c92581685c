// Stages (k6's ramping-arrival-rate semantics: each stage ramps linearly from the previous target
// to its own over its duration; a zero duration is a step): every request counted once, each
// second holding exactly the integral of the rate over it.
#include "loadgen/rate_profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "loadgen/schedule.hpp"

namespace kmsconf::loadgen {
namespace {

using namespace std::chrono_literals;

// Requests whose intended time falls in [from, to).
uint64_t count_between(const RateProfile& p, std::chrono::nanoseconds from,
                       std::chrono::nanoseconds to) {
  uint64_t n = 0;
  for (uint64_t k = 0; k < p.total(); ++k) {
    const auto t = p.time_of(k);
    if (t >= from && t < to) ++n;
  }
  return n;
}

TEST(RateProfile, ConstantIsRateTimesDuration) {
  const auto p = RateProfile::constant(1000, 2s);
  EXPECT_EQ(p.total(), 2000u);
  EXPECT_EQ(p.time_of(0), 0ns);
  EXPECT_EQ(p.time_of(1), 1ms);
  EXPECT_EQ(p.time_of(1999), 1999ms);
  EXPECT_EQ(p.length(), 2s);
}

// The issue's example: ramp 0 -> 1000 over 10 s, 1000 -> 5000 over 30 s, hold 5000 for 1 min.
// Areas: 1000*10/2 + (1000+5000)/2*30 + 5000*60 = 5000 + 90000 + 300000.
TEST(RateProfile, IssueExampleCountsEveryStageExactly) {
  const auto p = RateProfile::staged(0, parse_stages("1000:10s,5000:30s,5000:1m"));
  EXPECT_EQ(p.length(), 100s);
  EXPECT_EQ(p.total(), 395000u);
  EXPECT_EQ(count_between(p, 0s, 10s), 5000u);
  EXPECT_EQ(count_between(p, 10s, 40s), 90000u);
  EXPECT_EQ(count_between(p, 40s, 100s), 300000u);
  EXPECT_DOUBLE_EQ(p.peak_rate(), 5000);
}

// In a ramp 0 -> 1000/s over 10 s the rate is 100 t, so second i holds 50 (2i + 1) requests.
TEST(RateProfile, RampSecondsHoldTheIntegralOfTheRate) {
  const auto p = RateProfile::staged(0, parse_stages("1000:10s"));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(count_between(p, std::chrono::seconds(i), std::chrono::seconds(i + 1)),
              static_cast<uint64_t>(50 * (2 * i + 1)))
        << "second " << i;
    EXPECT_DOUBLE_EQ(p.rate_at(std::chrono::seconds(i)), 100.0 * i);
  }
}

TEST(RateProfile, RampDownMirrorsRampUp) {
  const auto p = RateProfile::staged(1000, parse_stages("0:10s"));
  EXPECT_EQ(p.total(), 5000u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(count_between(p, std::chrono::seconds(i), std::chrono::seconds(i + 1)),
              static_cast<uint64_t>(50 * (2 * (9 - i) + 1)))
        << "second " << i;
  }
}

// Gatling's stairs: a zero-length stage jumps; the next stage holds the new rate.
TEST(RateProfile, ZeroDurationStageIsAStep) {
  const auto p = RateProfile::staged(100, parse_stages("100:2s,400:0s,400:2s,50:0s,50:2s"));
  EXPECT_EQ(p.length(), 6s);
  EXPECT_EQ(p.total(), 200u + 800u + 100u);
  EXPECT_EQ(count_between(p, 0s, 2s), 200u);
  EXPECT_EQ(count_between(p, 2s, 3s), 400u);
  EXPECT_EQ(count_between(p, 3s, 4s), 400u);
  EXPECT_EQ(count_between(p, 4s, 6s), 100u);
  EXPECT_DOUBLE_EQ(p.rate_at(2500ms), 400);
}

TEST(RateProfile, IntendedTimesNeverGoBackwards) {
  const auto p = RateProfile::staged(3, parse_stages("700:3s,0:0s,0:1s,20:2s,20:1s"));
  for (uint64_t k = 1; k < p.total(); ++k) {
    ASSERT_LE(p.time_of(k - 1), p.time_of(k)) << k;
    ASSERT_LT(p.time_of(k), p.length()) << k;
  }
  // A pause (rate 0 for 1 s) sends nothing.
  EXPECT_EQ(count_between(p, 3s, 4s), 0u);
}

TEST(RateProfile, WorkersTogetherSendEveryStagedRequestOnce) {
  const auto p = RateProfile::staged(0, parse_stages("300:2s,300:1s"));
  const auto start = SteadyClock::time_point{} + 1h;
  std::vector<SteadyClock::time_point> all;
  for (std::size_t w = 0; w < 3; ++w) {
    OpenLoopSchedule s(p, w, 3, start);
    while (auto at = s.next()) all.push_back(*at);
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 600u);
  for (uint64_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k] - start, p.time_of(k)) << k;
}

TEST(RateProfile, ScaledRunsAShareOfTheRate) {
  const auto p = RateProfile::staged(0, parse_stages("1000:10s,1000:10s"));
  const auto half = p.scaled(0.5);
  EXPECT_EQ(half.total(), 7500u);
  EXPECT_EQ(half.length(), p.length());
}

TEST(RateProfile, BadStagesNameWhatIsWrong) {
  auto message = [](const std::string& text) {
    try {
      parse_stages(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("1000").find("stage 1 \"1000\""), std::string::npos);
  EXPECT_NE(message("10:1s,x:1s").find("stage 2"), std::string::npos);
  EXPECT_NE(message("10:1s,10:soon").find("duration"), std::string::npos);
  EXPECT_NE(message("-5:1s").find("rate"), std::string::npos);
  EXPECT_NE(message("2000000:1s").find("rate"), std::string::npos);
  EXPECT_NE(message("10:1s,").find("stage 2"), std::string::npos);
  EXPECT_NE(message("10:0s").find("no time"), std::string::npos);
  EXPECT_EQ(message("10:1s"), "accepted");
}

}  // namespace
}  // namespace kmsconf::loadgen
