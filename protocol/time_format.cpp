#include "protocol/time_format.hpp"

#include <cstdio>

namespace kmsconf {
namespace {

using namespace std::chrono;

struct Civil {
  int year, month, day, hour, minute, second;
};

Civil to_civil(SystemTime t) {
  auto secs = floor<seconds>(t);
  auto day_point = floor<days>(secs);
  year_month_day ymd{day_point};
  hh_mm_ss hms{secs - day_point};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

std::optional<SystemTime> from_civil(const Civil& c) {
  year_month_day ymd{year{c.year}, month{static_cast<unsigned>(c.month)},
                     day{static_cast<unsigned>(c.day)}};
  if (!ymd.ok() || c.hour < 0 || c.hour > 23 || c.minute < 0 || c.minute > 59 || c.second < 0 ||
      c.second > 60) {
    return std::nullopt;
  }
  return sys_days{ymd} + hours{c.hour} + minutes{c.minute} + seconds{c.second};
}

bool digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

int64_t unix_seconds(SystemTime t) {
  return duration_cast<seconds>(t.time_since_epoch()).count();
}
int64_t unix_millis(SystemTime t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}
SystemTime from_unix_seconds(int64_t s) {
  return SystemTime(seconds(s));
}

std::string iso8601_utc(SystemTime t) {
  Civil c = to_civil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string iso8601_utc_millis(SystemTime t) {
  Civil c = to_civil(t);
  const auto millis =
      duration_cast<milliseconds>(t.time_since_epoch() - floor<seconds>(t).time_since_epoch());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, static_cast<long long>(millis.count()));
  return buf;
}

std::optional<SystemTime> parse_iso8601_utc(std::string_view text) {
  Civil c{};
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z' || !digits(text, 0, 4, c.year) ||
      !digits(text, 5, 2, c.month) || !digits(text, 8, 2, c.day) || !digits(text, 11, 2, c.hour) ||
      !digits(text, 14, 2, c.minute) || !digits(text, 17, 2, c.second)) {
    return std::nullopt;
  }
  return from_civil(c);
}

std::string rfc3339_nanos(SystemTime t, int offset_minutes) {
  SystemTime local = t + minutes(offset_minutes);
  Civil c = to_civil(local);
  auto nanos = duration_cast<nanoseconds>(local.time_since_epoch() -
                                          floor<seconds>(local).time_since_epoch())
                   .count();
  char buf[64];
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lld%c%02d:%02d", c.year, c.month,
                c.day, c.hour, c.minute, c.second, static_cast<long long>(nanos),
                offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::optional<SystemTime> parse_wall_time(std::string_view text, int offset_minutes) {
  Civil c{};
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':' || !digits(text, 0, 4, c.year) || !digits(text, 5, 2, c.month) ||
      !digits(text, 8, 2, c.day) || !digits(text, 11, 2, c.hour) ||
      !digits(text, 14, 2, c.minute) || !digits(text, 17, 2, c.second)) {
    return std::nullopt;
  }
  auto t = from_civil(c);
  if (!t) return std::nullopt;
  return *t - minutes(offset_minutes);
}

std::string compact_utc(SystemTime t) {
  Civil c = to_civil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::optional<SystemTime> parse_compact_utc(std::string_view text) {
  Civil c{};
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !digits(text, 0, 4, c.year) ||
      !digits(text, 4, 2, c.month) || !digits(text, 6, 2, c.day) || !digits(text, 9, 2, c.hour) ||
      !digits(text, 11, 2, c.minute) || !digits(text, 13, 2, c.second)) {
    return std::nullopt;
  }
  return from_civil(c);
}

}  // namespace kmsconf
