// parse_duration (duration.hpp).
#include "protocol/duration.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace kmsconf {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 5> kUnits{
      {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
  size_t digits = 0;
  int64_t value = 0;
  constexpr int64_t kMax = int64_t{1} << 40;  // about 35 years in ms: far beyond any use
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    value = value * 10 + (text[digits] - '0');
    if (value > kMax) return std::nullopt;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  std::string_view unit = text.substr(digits);
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) {
      if (value > kMax / factor) return std::nullopt;
      return std::chrono::milliseconds(value * factor);
    }
  }
  return std::nullopt;
}

}  // namespace kmsconf
