// Durations, latency limits and plain decimals as duration.hpp reads them: the values each
// grammar promises, exact to the bit, and everything outside it refused.
#include "protocol/duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace kmsconf {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, WholeNumberAndOneUnit) {
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("20s"), 20s);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1h"), 3600s);
  EXPECT_EQ(parse_duration("7d"), 7 * 24h);
  EXPECT_EQ(parse_duration("0s"), 0ms);
  EXPECT_EQ(parse_duration("007s"), 7s);
}

TEST(ParseDuration, RejectsFractionsMicrosecondsAndEverythingElse) {
  for (const char* bad :
       {"", "20", "s", "1.5s", "0.5ms", "500us", "-3s", "+3s", "3 s", " 3s", "3s ", "3sec", "3S",
        "10y", ".5s", "5.s", "1e3ms", "99999999999999999999s", "999999999999d"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(ParseLatencyMs, NumberWithUsMsOrSInMilliseconds) {
  EXPECT_EQ(parse_latency_ms("20ms"), 20.0);
  EXPECT_EQ(parse_latency_ms("0.5ms"), 0.5);
  EXPECT_EQ(parse_latency_ms("1.25s"), 1250.0);
  EXPECT_EQ(parse_latency_ms("1.5s"), 1500.0);
  EXPECT_EQ(parse_latency_ms("800us"), 0.8);
  EXPECT_EQ(parse_latency_ms("1500us"), 1.5);
  EXPECT_EQ(parse_latency_ms("0ms"), 0.0);
  EXPECT_EQ(parse_latency_ms("0.0s"), 0.0);
  EXPECT_EQ(parse_latency_ms("007ms"), 7.0);
  EXPECT_EQ(parse_latency_ms("0.123456789s"), 123.456789);  // nine digits after the '.'
}

// The nearest double to the decimal value, i.e. the compiler's reading of the same literal, not
// a product that may be one bit off.
TEST(ParseLatencyMs, ExactToTheBit) {
  EXPECT_EQ(parse_latency_ms("0.3ms"), 0.3);
  EXPECT_EQ(parse_latency_ms("1.1us"), 0.0011);
  EXPECT_EQ(parse_latency_ms("0.7us"), 0.0007);
  EXPECT_EQ(parse_latency_ms("2.675s"), 2675.0);
  EXPECT_EQ(parse_latency_ms("0.001s"), 1.0);
  char text[32];
  for (int i = 0; i < 100'000; ++i) {  // every value 0.000 .. 99.999 ms
    std::snprintf(text, sizeof text, "%d.%03dms", i / 1000, i % 1000);
    ASSERT_EQ(parse_latency_ms(text), std::stod(text)) << text;
  }
}

TEST(ParseLatencyMs, RejectsOtherUnitsAndSyntax) {
  for (const char* bad : {"",
                          "20",
                          "ms",
                          ".5ms",
                          "5.ms",
                          "-1ms",
                          "+1ms",
                          "1e3ms",
                          "1 ms",
                          " 1ms",
                          "1ms ",
                          "2m",
                          "1h",
                          "1d",
                          "1sec",
                          "1MS",
                          "1Ms",
                          "0.5%",
                          "1,5ms",
                          "1.2.3ms",
                          "0.1234567891s",
                          "10000000000s"}) {
    EXPECT_FALSE(parse_latency_ms(bad).has_value()) << bad;
  }
}

TEST(ParseDecimal, PlainNumbers) {
  EXPECT_EQ(parse_decimal("5000"), 5000.0);
  EXPECT_EQ(parse_decimal("0.25"), 0.25);
  EXPECT_EQ(parse_decimal("0.001"), 0.001);
  EXPECT_EQ(parse_decimal("0"), 0.0);
  EXPECT_EQ(parse_decimal("12.5", 100), 0.125);
}

// A percentage divided by 100 is the very double of the fraction it stands for.
TEST(ParseDecimal, PercentEqualsTheFractionExactly) {
  EXPECT_EQ(parse_decimal("0.1", 100), 0.001);
  EXPECT_EQ(parse_decimal("0.3", 100), 0.003);
  EXPECT_EQ(parse_decimal("100", 100), 1.0);
  char percent[32];
  char fraction[32];
  for (int i = 0; i < 100'000; ++i) {  // 0.000% .. 99.999%
    std::snprintf(percent, sizeof percent, "%d.%03d", i / 1000, i % 1000);
    std::snprintf(fraction, sizeof fraction, "0.%05d", i);
    ASSERT_EQ(parse_decimal(percent, 100), parse_decimal(fraction)) << percent << "% " << fraction;
    ASSERT_EQ(parse_decimal(fraction), std::stod(fraction)) << fraction;
  }
}

TEST(ParseDecimal, RejectsUnitsSignsAndBadDivisors) {
  for (const char* bad : {"", "1%", "-1", "+1", "1ms", " 1", "1 ", "1e3", ".5", "5.", "1,5", "x"}) {
    EXPECT_FALSE(parse_decimal(bad).has_value()) << bad;
  }
  EXPECT_FALSE(parse_decimal("1", 0).has_value());
  EXPECT_FALSE(parse_decimal("1", -100).has_value());
}

}  // namespace
}  // namespace kmsconf
