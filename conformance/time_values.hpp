// Time values in answers and the `near_time` predicate: RFC 3339 / ISO-8601 text, epoch
// seconds or milliseconds, and signed durations (`+7d`, `-90m`, `10s`) as case files write them.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kmsconf::conformance {

using TimePoint = std::chrono::system_clock::time_point;

// How a time-valued field is written on the wire.
enum class TimeFormat { Auto, Iso8601, EpochSeconds, EpochMillis };

// `YYYY-MM-DDTHH:MM:SS` with an optional `.fraction` (nanoseconds kept, further digits
// ignored) and `Z` or a `+hh:mm`/`-hh:mm` offset; nullopt for anything else or an impossible
// date (month 13, February 30 of a common year, hour 24).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// "iso8601", "epoch_seconds", "epoch_ms" or "auto"; nullopt for other names.
std::optional<TimeFormat> time_format_named(std::string_view name);
const char* time_format_name(TimeFormat format);

// The instant a JSON value names. Auto: a string is RFC 3339; an integer below 10^11 is epoch
// seconds, from 10^11 on epoch milliseconds (spec volcengine-kms.md §4.9). A named format
// accepts only its own kind of value.
std::optional<TimePoint> parse_time_value(const nlohmann::json& value,
                                          TimeFormat format = TimeFormat::Auto);

// A duration as parse_duration (duration.hpp) reads it ("500ms", "20s", "2m", "1h", "7d"),
// with a leading + or - when `allow_sign` (tolerances are magnitudes, so they take none).
std::optional<std::chrono::milliseconds> parse_signed_duration(std::string_view text,
                                                               bool allow_sign);

// "+7d", "-600s", "+250ms" style text for messages: the largest unit that divides it evenly.
std::string format_duration(std::chrono::milliseconds duration);

// ---- the near_time predicate (docs/case-format.md, "Time values") ----------------------
//
// {"from": "now" | "{{var}}", "plus": "+7d", "tolerance": "10m", "format": "auto"}: the value
// lies within `tolerance` of from + plus (both ends included).

struct NearTimeProblem {
  std::string field;  // "from", "plus", "tolerance", "format", or "" for the whole argument
  std::string reason;
};
// Problems with the argument as written; empty when well formed.
std::vector<NearTimeProblem> check_near_time(const nlohmann::json& arg);

struct NearTimeResult {
  bool ok = false;
  std::string expected;  // "now+7d within 10m (2026-12-14T15:00:00.000Z)"
  std::string actual;    // "\"2026-12-15T15:00:00Z\" (2026-12-15T15:00:00.000Z, off by +1d)"
};
// `from_value` is "now" or what `from`'s template expanded to (a captured string or number);
// `now` is the moment the answer is checked. `arg` must be well formed (check_near_time).
NearTimeResult evaluate_near_time(const nlohmann::json& arg, const nlohmann::json& from_value,
                                  const nlohmann::json& value, TimePoint now);

}  // namespace kmsconf::conformance
