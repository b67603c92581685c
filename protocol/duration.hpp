// Durations and latencies as people write them on command lines and in case files: "500ms",
// "20s", "2m", "1h", "7d" for a duration (a whole number and one unit), "0.5ms", "1.25s",
// "800us" for a latency limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kmsconf {

// nullopt for anything else: no unit, a unit it does not know ("us" included: durations are
// whole milliseconds), a sign, a fraction, overflow.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// A latency in milliseconds: a non-negative decimal number (digits, optionally '.' and up to
// 9 more digits) and one unit of us, ms or s, nothing else: "0.5ms" is 0.5, "1.25s" is 1250,
// "800us" is 0.8. The result is the double nearest to the exact decimal value. nullopt for no
// unit, another unit, a sign, an exponent, spaces, or a value beyond 2^53 microseconds.
std::optional<double> parse_latency_ms(std::string_view text);

// A non-negative decimal number written as parse_latency_ms reads one, without a unit, divided
// by `divisor` (> 0): ("0.1", 100) is the double nearest to 0.001, the same double as "0.001"
// gives, so a percentage and the fraction it stands for compare equal. nullopt otherwise.
std::optional<double> parse_decimal(std::string_view text, int64_t divisor = 1);

}  // namespace kmsconf
