// Durations as people write them on command lines and in case files: "500ms", "20s", "2m",
// "1h", "7d" (a whole number and one unit).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace kmsconf {

// nullopt for anything else: no unit, a unit it does not know, a sign, a fraction, overflow.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace kmsconf
