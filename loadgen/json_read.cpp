// Lookups into result files that never throw (json_read.hpp).
#include "loadgen/json_read.hpp"

#include <cmath>

namespace kmsconf::loadgen::json_read {
namespace {

using nlohmann::json;

const json& null_json() {
  static const json kNull;
  return kNull;
}

}  // namespace

const json& member(const json& j, const char* key) {
  if (!j.is_object()) return null_json();
  const auto it = j.find(key);
  return it == j.end() ? null_json() : *it;
}

std::optional<double> number(const json& j, const char* key) {
  const json& value = member(j, key);
  if (!value.is_number()) return std::nullopt;
  const double v = value.get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

uint64_t count(const json& j, const char* key) {
  const json& value = member(j, key);
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0)
             ? value.get<uint64_t>()
             : 0;
}

std::string text(const json& j, const char* key) {
  const json& value = member(j, key);
  return value.is_string() ? value.get<std::string>() : "";
}

}  // namespace kmsconf::loadgen::json_read
