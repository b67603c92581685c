// parse_duration, parse_latency_ms and parse_decimal (duration.hpp): one number scanner and one
// unit table for all three.
#include "protocol/duration.hpp"

#include <array>

#include "protocol/ascii.hpp"

namespace kmsconf {
namespace {

// Integers up to 2^53 are exact as doubles, so the quotient of two of them is the double
// nearest to the exact value: "0.1" / 100 becomes the very double "0.001" does. Multiplying a
// parsed 0.1 by a factor instead is off by one bit for about a quarter of such inputs.
constexpr int64_t kMaxExact = int64_t{1} << 53;
constexpr int64_t kMaxDenominator = 1'000'000'000;    // 9 digits after the '.'
constexpr int64_t kMaxDurationMs = int64_t{1} << 40;  // about 35 years: far beyond any use

// Every unit either parser reads, in microseconds so that "us" is whole. Durations count whole
// milliseconds, so they take no "us"; a latency limit is one request's time, at most seconds.
struct Unit {
  std::string_view name;
  int64_t micros;
  bool duration;
  bool latency;
};
constexpr std::array<Unit, 6> kUnits{{{"us", 1, false, true},
                                      {"ms", 1'000, true, true},
                                      {"s", 1'000'000, true, true},
                                      {"m", 60'000'000, true, false},
                                      {"h", 3'600'000'000, true, false},
                                      {"d", 86'400'000'000, true, false}}};

const Unit* find_unit(std::string_view name) {
  for (const Unit& unit : kUnits) {
    if (unit.name == name) return &unit;
  }
  return nullptr;
}

// "1.25ms" scans as 125 / 100 followed by "ms".
struct Scanned {
  int64_t mantissa = 0;
  int64_t denominator = 1;  // 10 to the number of digits after the '.'
  std::string_view rest;
};

// Moves the digits at the front of `text` into s (after the '.' they also grow the
// denominator); false when there is none or the number would no longer be exact.
bool take_digits(std::string_view& text, Scanned& s, bool fraction) {
  size_t n = 0;
  for (; n < text.size() && ascii::is_digit(text[n]); ++n) {
    if (s.mantissa > (kMaxExact - 9) / 10) return false;
    if (fraction && s.denominator == kMaxDenominator) return false;
    s.mantissa = s.mantissa * 10 + (text[n] - '0');
    if (fraction) s.denominator *= 10;
  }
  text.remove_prefix(n);
  return n > 0;
}

// Digits, optionally a '.' and more digits; no sign, no exponent, no spaces.
std::optional<Scanned> scan_decimal(std::string_view text) {
  Scanned s;
  if (!take_digits(text, s, false)) return std::nullopt;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    if (!take_digits(text, s, true)) return std::nullopt;
  }
  s.rest = text;
  return s;
}

// mantissa * multiplier / divisor, the double nearest to it; nullopt when either side would
// leave the exact range.
std::optional<double> exact_quotient(int64_t mantissa, int64_t multiplier, int64_t divisor) {
  if (multiplier <= 0 || divisor <= 0 || divisor > kMaxExact) return std::nullopt;
  if (mantissa > kMaxExact / multiplier) return std::nullopt;
  return static_cast<double>(mantissa * multiplier) / static_cast<double>(divisor);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto number = scan_decimal(text);
  if (!number || number->denominator != 1) return std::nullopt;
  const Unit* unit = find_unit(number->rest);
  if (unit == nullptr || !unit->duration) return std::nullopt;
  const int64_t factor = unit->micros / 1'000;
  if (number->mantissa > kMaxDurationMs / factor) return std::nullopt;
  return std::chrono::milliseconds(number->mantissa * factor);
}

std::optional<double> parse_latency_ms(std::string_view text) {
  auto number = scan_decimal(text);
  if (!number) return std::nullopt;
  const Unit* unit = find_unit(number->rest);
  if (unit == nullptr || !unit->latency) return std::nullopt;
  return exact_quotient(number->mantissa, unit->micros, number->denominator * 1'000);
}

std::optional<double> parse_decimal(std::string_view text, int64_t divisor) {
  auto number = scan_decimal(text);
  if (!number || !number->rest.empty()) return std::nullopt;
  if (divisor <= 0 || divisor > kMaxExact / number->denominator) return std::nullopt;
  return exact_quotient(number->mantissa, 1, number->denominator * divisor);
}

}  // namespace kmsconf
