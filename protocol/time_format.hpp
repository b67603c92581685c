// Wire time formats used by the dialects.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kmsconf {

using SystemTime = std::chrono::system_clock::time_point;

int64_t unix_seconds(SystemTime t);
int64_t unix_millis(SystemTime t);
SystemTime from_unix_seconds(int64_t seconds);

// 2021-05-20T06:34:21Z
std::string iso8601_utc(SystemTime t);
std::optional<SystemTime> parse_iso8601_utc(std::string_view text);
// 2021-05-20T06:34:21.369Z: RFC 3339 in UTC to the millisecond (truncated), for aligning the
// wall-clock starts of load runs made on different machines.
std::string iso8601_utc_millis(SystemTime t);

// 2024-05-04T21:48:24.369005772+08:00 (nanoseconds, fixed offset in minutes)
std::string rfc3339_nanos(SystemTime t, int offset_minutes);

// "YYYY-MM-DD HH:MM:SS" read as wall time at the given offset.
std::optional<SystemTime> parse_wall_time(std::string_view text, int offset_minutes);

// 20241219T130940Z and back.
std::string compact_utc(SystemTime t);
std::optional<SystemTime> parse_compact_utc(std::string_view text);

}  // namespace kmsconf
