// What the load report's files share: reading and showing result fields, and each file's sections.
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

// html_escape (reports/text.hpp), short for the many places the page writes file text.
std::string esc(std::string_view text);

// "-" for an empty value.
std::string or_dash(const std::string& value);

// "2/4" for a shard {"index": 2, "count": 4}; "" when `shard` is not an object.
std::string shard_text(const json& shard);

// One <dt>label</dt><dd>value</dd> pair of a <dl class="facts">, both escaped.
std::string fact(std::string_view label, const std::string& value);

// <figure id=ID> holding a chart, its legend and a caption (plain text).
std::string figure(const char* id, const std::string& svg, const std::string& legend_html,
                   const std::string& caption);

// A rate as gate messages write it ("1025.0 req/s"); "-" for no value.
std::string rps_value_text(std::optional<double> rps);

// The sections of load_html_config.cpp: shards ("" for a result that is neither a shard nor a
// merge) and the configuration with the workload.
std::string shards_section(const json& result);
std::string config_section(const json& result);

// The chart sections (load_html_charts.cpp): always there, saying so when there is nothing to
// draw.
std::string timeline_section(const json& result);
std::string percentiles_section(const json& result);

// The search of --find-limit (load_html_find_limit.cpp); "" without a find_limit block.
std::string find_limit_section(const json& result);

}  // namespace kmsconf::reports::load_html
