// Reading and showing a load result's fields for the report page (load_html_parts.hpp).
#include "reports/load_html_parts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "loadgen/thresholds.hpp"
#include "reports/html_page.hpp"
#include "reports/text.hpp"

namespace kmsconf::reports::load_html {

const char* outcome_color(loadgen::Outcome outcome) {
  switch (outcome) {
    case loadgen::Outcome::Ok:
      return "#2e7d32";
    case loadgen::Outcome::Throttled:
      return "#f9a825";
    case loadgen::Outcome::ClientError:
      return "#ef6c00";
    case loadgen::Outcome::ServerError:
      return "#c62828";
    case loadgen::Outcome::TransportError:
      return "#6a1b9a";
    case loadgen::Outcome::Timeout:
      return "#5d4037";
  }
  return "#000000";
}

std::string ms_text(std::optional<double> ms) {
  return ms ? format_fixed(*ms, 3) : "-";
}

std::string number_text(double value) {
  if (!std::isfinite(value)) return "-";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return format_fixed(value, 0);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

bool looks_secret(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word :
       {"secret", "token", "password", "passwd", "passphrase", "private", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

namespace {

constexpr int kDeepest = 32;  // nesting shown; deeper parts of a hostile file are cut

// value with secret-looking members withheld and nesting below kDeepest cut, so neither a
// secret nor a pathological file reaches the page.
json redacted(const json& value, int depth = 0) {
  if (!value.is_structured()) return value;
  if (depth >= kDeepest) return "(nested too deep)";
  json out = value.is_object() ? json::object() : json::array();
  for (const auto& [key, item] : value.items()) {
    if (value.is_array()) {
      out.push_back(redacted(item, depth + 1));
    } else {
      out[key] = looks_secret(key) ? json("(withheld)") : redacted(item, depth + 1);
    }
  }
  return out;
}

std::string dump(const json& value, int indent) {
  return redacted(value).dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return number_text(value.get<double>());
  return dump(value, -1);
}

std::string esc(std::string_view text) {
  return html_escape(text);
}

std::string or_dash(const std::string& value) {
  return value.empty() ? "-" : value;
}

std::string shard_text(const json& shard) {
  if (!shard.is_object()) return "";
  return value_text(member(shard, "index")) + "/" + value_text(member(shard, "count"));
}

std::string figure(const char* id, const std::string& svg, const std::string& legend_html,
                   const std::string& caption) {
  return "<figure class=\"chart-figure\" id=\"" + std::string(id) + "\">\n" + svg + "<figcaption>" +
         legend_html + esc(caption) + "</figcaption>\n</figure>\n";
}

std::string rps_value_text(std::optional<double> rps) {
  return rps ? loadgen::format_metric_value(loadgen::Metric::Rps, *rps) : "-";
}

std::string fact(std::string_view label, const std::string& value) {
  return "<dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd>\n";
}

}  // namespace kmsconf::reports::load_html
