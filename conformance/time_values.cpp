// Time values and durations: parsing for the `iso8601` predicate and the whole `near_time` one.
#include "conformance/time_values.hpp"

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "conformance/templates.hpp"
#include "protocol/duration.hpp"

namespace kmsconf::conformance {

namespace {

using namespace std::chrono;

constexpr std::int64_t kMillisFrom = 100000000000;  // 10^11: from here on, epoch milliseconds

bool digits(std::string_view s, std::size_t from, std::size_t count, int& out) {
  if (from + count > s.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// The civil date and time of the first 19 characters, as UTC.
std::optional<TimePoint> civil_part(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || s[10] != 'T' || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                            std::chrono::day{unsigned(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
}

// Reads ".fraction" at `i` (if any) and returns its value; `i` ends after it. nullopt for a
// dot without digits.
std::optional<nanoseconds> fraction_part(std::string_view s, std::size_t& i) {
  if (i >= s.size() || s[i] != '.') return nanoseconds{0};
  const std::size_t start = ++i;
  std::int64_t nanos = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (i - start < 9) nanos = nanos * 10 + (s[i] - '0');
  }
  if (i == start) return std::nullopt;
  for (std::size_t n = i - start; n < 9; ++n) nanos *= 10;
  return nanoseconds{nanos};
}

// "Z" or "+hh:mm"/"-hh:mm" from `i` to the end: the offset east of UTC.
std::optional<minutes> offset_part(std::string_view s, std::size_t i) {
  if (i < s.size() && s[i] == 'Z') {
    if (i + 1 == s.size()) return minutes{0};
    return std::nullopt;
  }
  int oh, om;
  if (i + 6 != s.size() || (s[i] != '+' && s[i] != '-') || !digits(s, i + 1, 2, oh) ||
      s[i + 3] != ':' || !digits(s, i + 4, 2, om) || oh > 23 || om > 59) {
    return std::nullopt;
  }
  const minutes offset{oh * 60 + om};
  return s[i] == '-' ? -offset : offset;
}

// Integer seconds or milliseconds since 1970; nullopt beyond +-9*10^9 s (about 1685-2255),
// where the clock's nanoseconds would overflow.
std::optional<TimePoint> from_epoch(const nlohmann::json& value, bool millis) {
  constexpr std::int64_t kMaxSeconds = 9000000000;
  if (!value.is_number_integer()) return std::nullopt;
  const std::int64_t limit = millis ? kMaxSeconds * 1000 : kMaxSeconds;
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(limit)) {
    return std::nullopt;
  }
  const auto n = value.get<std::int64_t>();
  if (n > limit || n < -limit) return std::nullopt;
  if (millis) return TimePoint{duration_cast<system_clock::duration>(milliseconds{n})};
  return TimePoint{duration_cast<system_clock::duration>(seconds{n})};
}

// "now" or a string that is exactly one variable template: "{{created}}".
bool is_from_text(const std::string& text) {
  if (text == "now") return true;
  if (!text.starts_with("{{") || !text.ends_with("}}")) return false;
  try {
    const auto names = template_names(text);
    return names.size() == 1 && classify_template(names[0]) == TemplateKind::Variable &&
           text.find("{{", 2) == std::string::npos;
  } catch (const TemplateError&) {
    return false;
  }
}

// An instant in UTC to the millisecond, e.g. 2026-12-14T15:00:00.250Z.
std::string show_instant(TimePoint t) {
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss time{ms - day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()),
                int(time.subseconds().count()));
  return buf;
}

}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  const auto civil = civil_part(text);
  if (!civil) return std::nullopt;
  std::size_t i = 19;
  const auto fraction = fraction_part(text, i);
  if (!fraction) return std::nullopt;
  const auto offset = offset_part(text, i);
  if (!offset) return std::nullopt;
  return *civil + duration_cast<system_clock::duration>(*fraction) - *offset;
}

std::optional<TimeFormat> time_format_named(std::string_view name) {
  if (name == "auto") return TimeFormat::Auto;
  if (name == "iso8601") return TimeFormat::Iso8601;
  if (name == "epoch_seconds") return TimeFormat::EpochSeconds;
  if (name == "epoch_ms") return TimeFormat::EpochMillis;
  return std::nullopt;
}

const char* time_format_name(TimeFormat format) {
  switch (format) {
    case TimeFormat::Iso8601:
      return "iso8601";
    case TimeFormat::EpochSeconds:
      return "epoch_seconds";
    case TimeFormat::EpochMillis:
      return "epoch_ms";
    default:
      return "auto";
  }
}

std::optional<TimePoint> parse_time_value(const nlohmann::json& value, TimeFormat format) {
  switch (format) {
    case TimeFormat::Iso8601:
      return value.is_string() ? parse_rfc3339(value.get<std::string>()) : std::nullopt;
    case TimeFormat::EpochSeconds:
      return from_epoch(value, false);
    case TimeFormat::EpochMillis:
      return from_epoch(value, true);
    default:
      break;
  }
  if (value.is_string()) return parse_rfc3339(value.get<std::string>());
  if (!value.is_number_integer()) return std::nullopt;
  const bool millis = value.is_number_unsigned()
                          ? value.get<std::uint64_t>() >= std::uint64_t(kMillisFrom)
                          : value.get<std::int64_t>() >= kMillisFrom;
  return from_epoch(value, millis);
}

std::optional<milliseconds> parse_signed_duration(std::string_view text, bool allow_sign) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    if (!allow_sign) return std::nullopt;
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const auto magnitude = parse_duration(text);  // duration.hpp: "500ms", "20s", "2m", "1h", "7d"
  if (!magnitude) return std::nullopt;
  return negative ? -*magnitude : *magnitude;
}

std::string format_duration(milliseconds duration) {
  const std::int64_t n = duration.count();
  const std::string sign = n < 0 ? "-" : "+";
  const std::int64_t magnitude = n < 0 ? -n : n;
  for (const auto& [unit, size] : {std::pair<const char*, std::int64_t>{"d", 86400000},
                                   {"h", 3600000},
                                   {"m", 60000},
                                   {"s", 1000}}) {
    if (magnitude != 0 && magnitude % size == 0)
      return sign + std::to_string(magnitude / size) + unit;
  }
  return sign + std::to_string(magnitude) + "ms";
}

std::vector<NearTimeProblem> check_near_time(const nlohmann::json& arg) {
  std::vector<NearTimeProblem> problems;
  if (!arg.is_object()) {
    return {{"",
             "must be an object {\"from\": \"now\" | \"{{var}}\", \"plus\": \"+7d\", "
             "\"tolerance\": \"10m\"}"}};
  }
  for (const auto& [key, value] : arg.items()) {
    if (key != "from" && key != "plus" && key != "tolerance" && key != "format") {
      problems.push_back({key, "unknown field (from, plus, tolerance, format)"});
    }
  }
  const auto from = arg.find("from");
  if (from == arg.end()) {
    problems.push_back({"from", "is required: \"now\" or a captured time \"{{var}}\""});
  } else if (!from->is_string() || !is_from_text(from->get<std::string>())) {
    problems.push_back({"from", "must be \"now\" or exactly one captured variable \"{{var}}\""});
  }
  if (auto plus = arg.find("plus");
      plus != arg.end() &&
      (!plus->is_string() || !parse_signed_duration(plus->get<std::string>(), true))) {
    problems.push_back({"plus",
                        "must be a signed duration like \"+7d\", \"-90m\", \"3600s\" "
                        "(units ms, s, m, h, d)"});
  }
  const auto tolerance = arg.find("tolerance");
  if (tolerance == arg.end()) {
    problems.push_back({"tolerance", "is required: a duration like \"10m\""});
  } else if (!tolerance->is_string() ||
             !parse_signed_duration(tolerance->get<std::string>(), false)) {
    problems.push_back({"tolerance",
                        "must be an unsigned duration like \"10m\", \"30s\" "
                        "(units ms, s, m, h, d)"});
  }
  if (auto format = arg.find("format");
      format != arg.end() &&
      (!format->is_string() || !time_format_named(format->get<std::string>()))) {
    problems.push_back(
        {"format", "must be \"auto\", \"iso8601\", \"epoch_seconds\" or \"epoch_ms\""});
  }
  return problems;
}

NearTimeResult evaluate_near_time(const nlohmann::json& arg, const nlohmann::json& from_value,
                                  const nlohmann::json& value, TimePoint now) {
  NearTimeResult out;
  const bool from_now = arg.at("from") == "now";
  const auto plus =
      parse_signed_duration(arg.value("plus", std::string("0s")), true).value_or(milliseconds{0});
  const auto tolerance =
      parse_signed_duration(arg.at("tolerance").get<std::string>(), false).value();
  const auto format = time_format_named(arg.value("format", std::string("auto"))).value();
  const std::string from_text = from_now ? "now" : arg.at("from").get<std::string>();
  out.expected = from_text + (plus.count() == 0 ? std::string() : format_duration(plus)) +
                 " within " + format_duration(tolerance).substr(1);
  if (format != TimeFormat::Auto) out.expected += std::string(" as ") + time_format_name(format);
  const auto base = from_now ? std::optional<TimePoint>(now) : parse_time_value(from_value);
  if (!base) {
    out.actual = "no time to start from: " + from_text + " is " + from_value.dump();
    return out;
  }
  const TimePoint expected = *base + plus;
  out.expected += " (" + show_instant(expected) + ")";
  const auto actual = parse_time_value(value, format);
  if (!actual) {
    out.actual = value.dump() + " (not a time" +
                 (format == TimeFormat::Auto ? std::string()
                                             : std::string(" as ") + time_format_name(format)) +
                 ")";
    return out;
  }
  const auto off_exact = *actual - expected;
  // Shown to the millisecond under a second, else to the second (the runner's "now" has
  // sub-second noise that would hide a whole day behind "+86399510ms").
  auto off = duration_cast<milliseconds>(off_exact);
  if (off >= 1s || off <= -1s) off = round<seconds>(off_exact);
  out.ok = off_exact <= tolerance && off_exact >= -tolerance;
  out.actual =
      value.dump() + " (" + show_instant(*actual) + ", off by " + format_duration(off) + ")";
  return out;
}

}  // namespace kmsconf::conformance
