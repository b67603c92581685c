// Wire time formats: each formatter round-trips through its parser, and each parser rejects
// anything that is not exactly its format.
#include "protocol/time_format.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <string>

namespace kmsconf {
namespace {

using namespace std::chrono;

// 2021-05-20T06:34:21Z, the example in the Volcengine docs.
const SystemTime kExample = sys_days{year{2021} / 5 / 20} + hours{6} + minutes{34} + seconds{21};

TEST(UnixTime, SecondsAndMillis) {
  EXPECT_EQ(unix_seconds(kExample), 1621492461);
  EXPECT_EQ(unix_millis(kExample + milliseconds{591}), 1621492461591);
  EXPECT_EQ(from_unix_seconds(1621492461), kExample);
  EXPECT_EQ(from_unix_seconds(0), SystemTime{});
  EXPECT_EQ(unix_seconds(from_unix_seconds(-86400)), -86400);
}

TEST(Iso8601Utc, FormatsAndRoundTrips) {
  EXPECT_EQ(iso8601_utc(kExample), "2021-05-20T06:34:21Z");
  EXPECT_EQ(parse_iso8601_utc("2021-05-20T06:34:21Z"), kExample);
  // Sub-second parts are dropped by the format, not rounded.
  EXPECT_EQ(iso8601_utc(kExample + milliseconds{999}), "2021-05-20T06:34:21Z");
  for (SystemTime t : std::initializer_list<SystemTime>{
           SystemTime{}, kExample, sys_days{year{2000} / 2 / 29} + hours{23},
           sys_days{year{1969} / 12 / 31} + hours{23} + minutes{59} + seconds{59},
           sys_days{year{2199} / 12 / 31}}) {
    auto parsed = parse_iso8601_utc(iso8601_utc(t));
    ASSERT_TRUE(parsed.has_value()) << iso8601_utc(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(iso8601_utc(SystemTime{}), "1970-01-01T00:00:00Z");
}

// kExample is 1621492461 s after the epoch (above); the milliseconds are cut, never rounded up.
TEST(Iso8601Utc, MillisecondsForm) {
  EXPECT_EQ(iso8601_utc_millis(kExample + milliseconds{369}), "2021-05-20T06:34:21.369Z");
  EXPECT_EQ(iso8601_utc_millis(kExample + microseconds{999'999}), "2021-05-20T06:34:21.999Z");
  EXPECT_EQ(iso8601_utc_millis(SystemTime{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc_millis(SystemTime{milliseconds{1621492461007}}),
            "2021-05-20T06:34:21.007Z");
}

TEST(Iso8601Utc, Rejects) {
  for (const char* text : {
           "",
           "2021-05-20T06:34:21",        // no zone
           "2021-05-20T06:34:21+00:00",  // offset instead of Z
           "2021-05-20 06:34:21Z",       // space instead of T
           "2021-05-20t06:34:21Z",       // lowercase t
           "2021-05-20T06:34:21z",       // lowercase z
           "2021/05/20T06:34:21Z",       // wrong date separators
           "2021-05-20T06-34-21Z",       // wrong time separators
           "2021-5-20T06:34:21Z",        // unpadded month
           "2021-05-20T06:34:21.000Z",   // fractional seconds
           " 2021-05-20T06:34:21Z",      // leading space
           "2021-05-20T06:34:21Z ",      // trailing space
           "20a1-05-20T06:34:21Z",       // non-digit
           "2021-13-20T06:34:21Z",       // month 13
           "2021-00-20T06:34:21Z",       // month 0
           "2021-02-30T06:34:21Z",       // 30 February
           "2021-02-29T06:34:21Z",       // not a leap year
           "2021-05-00T06:34:21Z",       // day 0
           "2021-05-20T24:00:00Z",       // hour 24
           "2021-05-20T06:60:21Z",       // minute 60
           "2021-05-20T06:34:61Z",       // second 61
           "+021-05-20T06:34:21Z",       // sign in a digit field
       }) {
    EXPECT_FALSE(parse_iso8601_utc(text).has_value()) << text;
  }
  EXPECT_TRUE(parse_iso8601_utc("2024-02-29T00:00:00Z").has_value());
}

TEST(Rfc3339Nanos, FormatsWithOffsetAndNanoseconds) {
  SystemTime t = kExample + nanoseconds{369005772};
  EXPECT_EQ(rfc3339_nanos(t, 8 * 60), "2021-05-20T14:34:21.369005772+08:00");
  EXPECT_EQ(rfc3339_nanos(t, 0), "2021-05-20T06:34:21.369005772+00:00");
  EXPECT_EQ(rfc3339_nanos(t, -(5 * 60 + 30)), "2021-05-20T01:04:21.369005772-05:30");
  EXPECT_EQ(rfc3339_nanos(kExample, 8 * 60), "2021-05-20T14:34:21.000000000+08:00");
  // The offset moves the wall clock across a date boundary.
  EXPECT_EQ(rfc3339_nanos(sys_days{year{2024} / 12 / 31} + hours{20}, 8 * 60),
            "2025-01-01T04:00:00.000000000+08:00");
  // Before the epoch the fraction still counts forward from the whole second.
  EXPECT_EQ(rfc3339_nanos(SystemTime{} - nanoseconds{1}, 0), "1969-12-31T23:59:59.999999999+00:00");
}

TEST(Rfc3339Nanos, WallClockAgreesWithParseWallTime) {
  // The same instant written at +08:00 reads back at the same offset.
  SystemTime t = kExample;
  std::string text = rfc3339_nanos(t, 8 * 60);
  std::string wall = text.substr(0, 10) + " " + text.substr(11, 8);
  EXPECT_EQ(parse_wall_time(wall, 8 * 60), t);
}

TEST(WallTime, ReadsAtTheGivenOffset) {
  EXPECT_EQ(parse_wall_time("2021-05-20 14:34:21", 8 * 60), kExample);
  EXPECT_EQ(parse_wall_time("2021-05-20 06:34:21", 0), kExample);
  EXPECT_EQ(parse_wall_time("2021-05-20 01:04:21", -(5 * 60 + 30)), kExample);
  EXPECT_EQ(parse_wall_time("2021-05-21 00:00:00", 8 * 60),
            sys_days{year{2021} / 5 / 20} + hours{16});
}

TEST(WallTime, Rejects) {
  for (const char* text : {
           "",
           "2021-05-20T14:34:21",   // T instead of space
           "2021-05-20 14:34:21Z",  // trailing zone
           "2021-05-20 14:34",      // no seconds
           "2021-05-20  4:34:21",   // space-padded hour
           "2021-05-20 14:34:2x",   // non-digit
           "2021-13-20 14:34:21",   // month 13
           "2021-04-31 14:34:21",   // 31 April
           "2021-05-20 25:34:21",   // hour 25
           "2021-05-20 14:61:21",   // minute 61
       }) {
    EXPECT_FALSE(parse_wall_time(text, 8 * 60).has_value()) << text;
  }
}

TEST(CompactUtc, FormatsAndRoundTrips) {
  SystemTime t = sys_days{year{2024} / 12 / 19} + hours{13} + minutes{9} + seconds{40};
  EXPECT_EQ(compact_utc(t), "20241219T130940Z");
  EXPECT_EQ(parse_compact_utc("20241219T130940Z"), t);
  EXPECT_EQ(compact_utc(t + milliseconds{750}), "20241219T130940Z");
  for (SystemTime u : std::initializer_list<SystemTime>{
           SystemTime{}, kExample, sys_days{year{2000} / 2 / 29},
           sys_days{year{2099} / 12 / 31} + hours{23} + minutes{59} + seconds{59}}) {
    auto parsed = parse_compact_utc(compact_utc(u));
    ASSERT_TRUE(parsed.has_value()) << compact_utc(u);
    EXPECT_EQ(*parsed, u);
  }
}

TEST(CompactUtc, Rejects) {
  for (const char* text : {
           "",
           "20241219T130940",       // no Z
           "20241219 130940Z",      // space instead of T
           "20241219t130940Z",      // lowercase t
           "2024-12-19T13:09:40Z",  // extended form
           "20241219T1309400Z",     // too long
           "2024121T130940Z",       // too short
           "20241319T130940Z",      // month 13
           "20240230T130940Z",      // 30 February
           "20241219T240940Z",      // hour 24
           "20241219T136040Z",      // minute 60
           "20241219T130961Z",      // second 61
           "2024121xT130940Z",      // non-digit
       }) {
    EXPECT_FALSE(parse_compact_utc(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace kmsconf
