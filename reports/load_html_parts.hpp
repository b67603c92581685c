// What the load report's files share: reading and showing result fields, and the chart sections.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "loadgen/json_read.hpp"
#include "loadgen/stats.hpp"

namespace kmsconf::reports::load_html {

using loadgen::json_read::count;
using loadgen::json_read::member;
using loadgen::json_read::number;
using loadgen::json_read::text;
using nlohmann::json;

// Each outcome's colour in bars, charts and legends.
const char* outcome_color(loadgen::Outcome outcome);

// Milliseconds as the page shows them, to the microsecond the histograms hold; "-" for no value.
std::string ms_text(std::optional<double> ms);

// A number as written in the file: integers whole, others to 10 significant digits.
std::string number_text(double value);

// Any JSON value as plain text (not escaped): strings as they are, numbers by number_text,
// objects and arrays as compact JSON with secret-looking members withheld.
std::string value_text(const json& value);

// Whether a member named `key` may hold a secret (secret, token, password, ...): its value is
// never shown.
bool looks_secret(std::string_view key);

// The chart sections (load_html_charts.cpp); each returns "" when the result has nothing for it.
std::string timeline_section(const json& result);
std::string percentiles_section(const json& result);
std::string find_limit_section(const json& result);

}  // namespace kmsconf::reports::load_html
