// Values of a result file as one line of terminal text shows them: the console summary and the
// lines saying why two results do not compare.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kmsconf::loadgen {

// One double through snprintf's `format` ("%.2f").
std::string printf_number(const char* format, double value);
// Text from a file printed on a terminal: control characters become '?', so a file cannot forge
// lines or colours.
std::string printable(std::string s);
// A config value: strings printable ("(none)" when empty or null), numbers as %.10g.
std::string shown(const nlohmann::json& value);
// "encrypt-mix [3f2a9c1b0d4e]": a config's workload name to recognise it, and its fingerprint's
// start to tell it apart.
std::string workload_label(const nlohmann::json& config);

}  // namespace kmsconf::loadgen
