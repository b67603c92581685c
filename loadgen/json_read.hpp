// Reading fields of a result file that may hold anything (a baseline, a shard's file): lookups
// that never throw, giving null, nullopt, 0 or "" where the field is missing or of another type.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace kmsconf::loadgen::json_read {

// j[key] when j is an object holding it; null otherwise.
const nlohmann::json& member(const nlohmann::json& j, const char* key);
// A finite number; nullopt otherwise.
std::optional<double> number(const nlohmann::json& j, const char* key);
// A non-negative integer; 0 otherwise.
uint64_t count(const nlohmann::json& j, const char* key);
// A string; "" otherwise.
std::string text(const nlohmann::json& j, const char* key);

}  // namespace kmsconf::loadgen::json_read
