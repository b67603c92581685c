// Run prefixes: making them and finding them (run_prefix.hpp).
#include "client/run_prefix.hpp"

#include <cstdio>
#include <ctime>
#include <regex>

#include "protocol/digest.hpp"

namespace kmsconf::client {

std::string make_run_prefix(std::chrono::system_clock::time_point now, std::uint16_t suffix) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "kc-%02d%02d%02dt%02d%02d-%04x", utc.tm_year % 100,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                static_cast<unsigned>(suffix));
  return buffer;
}

std::string make_run_prefix(std::chrono::system_clock::time_point now) {
  const std::string bytes = random_bytes(2);
  const auto suffix = static_cast<std::uint16_t>((static_cast<unsigned char>(bytes[0]) << 8) |
                                                 static_cast<unsigned char>(bytes[1]));
  return make_run_prefix(now, suffix);
}

namespace {
const std::regex& run_prefix_pattern() {
  static const std::regex kFamily(
      R"((^|[^A-Za-z0-9])kc-([0-9]{2})([0-9]{2})([0-9]{2})t([0-9]{2})([0-9]{2})-[0-9a-f]{4})");
  return kFamily;
}
}  // namespace

bool has_run_prefix(std::string_view text) {
  return run_prefix_time(text).has_value();
}

// Only a prefix holding a real date and time counts: timegm would quietly turn month 13 or
// minute 99 into some other date.
std::optional<std::chrono::system_clock::time_point> run_prefix_time(std::string_view text) {
  using Iterator = std::string_view::const_iterator;
  for (std::regex_iterator<Iterator> it(text.begin(), text.end(), run_prefix_pattern()), end;
       it != end; ++it) {
    const auto& m = *it;
    auto number = [&](size_t group) { return std::stoi(m[group].str()); };
    std::tm utc{};
    utc.tm_year = 100 + number(2);  // years since 1900; make_run_prefix writes yy of 20yy
    utc.tm_mon = number(3) - 1;
    utc.tm_mday = number(4);
    utc.tm_hour = number(5);
    utc.tm_min = number(6);
    if (utc.tm_mon < 0 || utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_mday > 31 ||
        utc.tm_hour > 23 || utc.tm_min > 59) {
      continue;
    }
    return std::chrono::system_clock::from_time_t(timegm(&utc));
  }
  return std::nullopt;
}

}  // namespace kmsconf::client
