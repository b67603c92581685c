// Result values as terminal text (result_text.hpp).
#include "loadgen/result_text.hpp"

#include <cstdio>

#include "loadgen/json_read.hpp"

namespace kmsconf::loadgen {

using nlohmann::json;

std::string printf_number(const char* format, double value) {
  char buffer[512];  // holds any finite double in %f
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string printable(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s;
}

std::string shown(const json& value) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return s.empty() ? "(none)" : printable(s);
  }
  if (value.is_number()) return printf_number("%.10g", value.get<double>());
  if (value.is_null()) return "(none)";
  return value.dump();
}

std::string workload_label(const json& config) {
  using json_read::member, json_read::text;
  const std::string name = text(member(config, "workload"), "name");
  const std::string fingerprint = text(config, "workload_fingerprint");
  return (name.empty() ? "(unnamed)" : printable(name)) + " [" +
         (fingerprint.empty() ? "no fingerprint" : printable(fingerprint.substr(0, 12))) + "]";
}

}  // namespace kmsconf::loadgen
