// The load report page (load_html.hpp): header, summary, checks, operations, shards, config;
// the chart sections are in load_html_charts.cpp.
#include "reports/load_html.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include "loadgen/result.hpp"
#include "loadgen/thresholds.hpp"
#include "reports/html_page.hpp"
#include "reports/load_html_parts.hpp"
#include "reports/svg_chart.hpp"
#include "reports/text.hpp"

namespace kmsconf::reports {

namespace load_html {

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

}  // namespace load_html

namespace {

using namespace load_html;  // NOLINT: the page's own helpers

std::string esc(std::string_view text) {
  return html_escape(text);
}

std::string or_dash(const std::string& value) {
  return value.empty() ? "-" : value;
}

std::string seconds_text(std::optional<double> seconds) {
  return seconds ? format_fixed(*seconds, 2) + " s" : "-";
}

// The rate asked for: a number in open loop, "closed loop" otherwise.
std::string rate_text(const json& config) {
  if (text(config, "mode") == "closed") return "closed loop";
  const auto rate = number(config, "rate");
  return rate ? number_text(*rate) + " req/s" : "-";
}

std::string mode_text(const json& config) {
  const std::string mode = text(config, "mode");
  if (mode == "open") return "open loop";
  if (mode == "closed") return "closed loop";
  return or_dash(mode);
}

// "2/4" for config.shard {"index": 2, "count": 4}; "" when there is none.
std::string shard_text(const json& shard) {
  if (!shard.is_object()) return "";
  return value_text(member(shard, "index")) + "/" + value_text(member(shard, "count"));
}

// ---- header and summary ----------------------------------------------------------------------

std::vector<PageFact> header_facts(const json& result) {
  const json& config = member(result, "config");
  std::vector<PageFact> facts = {
      {"kmsconf", or_dash(text(result, "kmsconf_version"))},
      {"endpoint", or_dash(text(config, "endpoint"))},
  };
  const std::string url = text(config, "endpoint_url");
  if (!url.empty() && url != text(config, "endpoint")) facts.push_back({"requests to", url});
  facts.push_back({"dialect", or_dash(text(config, "dialect"))});
  facts.push_back({"mode", mode_text(config)});
  facts.push_back({"rate", rate_text(config)});
  facts.push_back({"duration", "asked " + seconds_text(number(config, "duration_s")) + ", ran " +
                                   seconds_text(number(member(result, "summary"), "duration_s"))});
  if (const std::string shard = shard_text(member(config, "shard")); !shard.empty()) {
    facts.push_back({"shard", shard});
  }
  return facts;
}

const char* verdict_class(const loadgen::ResultVerdict& verdict) {
  if (!verdict.unjudged.empty()) return "warn";
  return verdict.passed ? "good" : "bad";
}

std::string fact(std::string_view label, const std::string& value) {
  return "<dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd>\n";
}

// "12 (0.1%)": a count and its share of the requests.
std::string count_share(uint64_t n, uint64_t requests) {
  return std::to_string(n) + " (" + percent_text(n, requests) + "%)";
}

std::string rate_metric(const loadgen::MetricLookup& metrics, const std::string& operation,
                        loadgen::Metric metric) {
  const auto value = metrics(operation, metric);
  return value ? loadgen::format_metric_value(metric, *value) : "-";
}

std::string summary_facts(const json& result) {
  const json& summary = member(result, "summary");
  const json& outcomes = member(summary, "outcomes");
  const uint64_t requests = count(summary, "requests");
  const auto metrics = loadgen::metrics_of(result);
  std::string out = "<dl class=\"facts\">\n";
  out += fact("requests", std::to_string(requests) + " in " +
                              seconds_text(number(summary, "duration_s")) + ", " +
                              rate_metric(metrics, "", loadgen::Metric::Rps));
  out += fact("error rate", rate_metric(metrics, "", loadgen::Metric::ErrorRate) +
                                " (errors and unsent among the requests due)");
  out += fact("late", count_share(count(outcomes, "late"), requests));
  out += fact("unsent", std::to_string(count(summary, "unsent")));
  out +=
      fact("connections", std::to_string(count(summary, "connections_opened")) + " opened, " +
                              std::to_string(count(summary, "connection_failures")) + " failed; " +
                              std::to_string(count(summary, "retried")) + " requests retried");
  const std::string reason = text(summary, "stop_reason");
  if (member(summary, "interrupted") == true || !reason.empty()) {
    out += fact("stopped early", reason.empty() ? "interrupted" : reason);
  }
  return out + "</dl>\n";
}

std::string outcome_table(const json& summary) {
  const json& outcomes = member(summary, "outcomes");
  const uint64_t requests = count(summary, "requests");
  std::vector<Share> shares;
  for (loadgen::Outcome o : loadgen::kOutcomes) {
    const std::string name(loadgen::outcome_name(o));
    shares.push_back({name, outcome_color(o), count(outcomes, name.c_str())});
  }
  std::string out = distribution_bar(shares, "outcome distribution") +
                    "<table class=\"outcomes\">\n<thead><tr><th>outcome</th><th>requests</th>"
                    "<th>%</th></tr></thead>\n<tbody>\n";
  for (const Share& share : shares) {
    out += "<tr><td><span class=\"swatch\" style=\"background:" + share.color + "\"></span>" +
           esc(share.label) + "</td><td class=\"num\">" + std::to_string(share.count) +
           "</td><td class=\"num\">" + percent_text(share.count, requests) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

// One latency cell: "-" when there are no values behind the block.
std::string latency_cell(const json& block, const char* key) {
  const std::string cell = count(block, "count") == 0 ? "-" : ms_text(number(block, key));
  return "<td class=\"num\">" + cell + "</td>";
}

constexpr const char* kLatencyKeys[] = {"p50", "p90", "p99", "p999", "max", "mean"};

std::string latency_table(const json& result) {
  std::string out =
      "<table class=\"latency\">\n<thead><tr><th>ms</th><th>p50</th><th>p90</th><th>p99</th>"
      "<th>p99.9</th><th>max</th><th>mean</th><th>values</th></tr></thead>\n<tbody>\n";
  const std::pair<const char*, const char*> rows[] = {
      {"latency (from the intended send)", "latency_ms"},
      {"service time (from the actual send)", "service_time_ms"}};
  for (const auto& [label, key] : rows) {
    const json& block = member(result, key);
    out += "<tr><th>" + esc(label) + "</th>";
    for (const char* field : kLatencyKeys) out += latency_cell(block, field);
    out += "<td class=\"num\">" + std::to_string(count(block, "count")) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string summary_section(const json& result, const loadgen::ResultVerdict& verdict) {
  return "<section id=\"summary\">\n<h2>Summary</h2>\n" +
         verdict_paragraph(verdict_class(verdict), verdict.text()) + summary_facts(result) +
         outcome_table(member(result, "summary")) + latency_table(result) + "</section>\n";
}

// ---- thresholds and baseline -----------------------------------------------------------------

std::string badge(bool passed) {
  return passed ? "<span class=\"badge pass\">passed</span>"
                : "<span class=\"badge fail\">failed</span>";
}

// A gate's value in its metric's unit ("12.40 ms", "0.1%"), or "no value".
std::string metric_value(const json& check, const char* key) {
  const auto value = number(check, key);
  if (!value) return "no value";
  const auto metric = loadgen::metric_from_name(text(check, "metric"));
  return metric ? loadgen::format_metric_value(*metric, *value) : number_text(*value);
}

std::string scope_text(const json& check) {
  const std::string operation = text(check, "operation");
  return operation.empty() ? "whole run" : operation;
}

std::string thresholds_table(const json& thresholds) {
  if (!thresholds.is_array() || thresholds.empty()) {
    return "<p class=\"empty\">No thresholds (--threshold) were given.</p>\n";
  }
  std::string out =
      "<table class=\"thresholds\">\n<thead><tr><th>result</th><th>threshold</th>"
      "<th>scope</th><th>actual</th><th>limit</th><th>message</th></tr></thead>\n<tbody>\n";
  for (const json& t : thresholds) {
    out += "<tr><td>" + badge(member(t, "passed") == true) + "</td><td><code>" +
           esc(text(t, "expression")) + "</code></td><td>" + esc(scope_text(t)) +
           "</td><td class=\"num\">" + esc(metric_value(t, "actual")) + "</td><td class=\"num\">" +
           esc(text(t, "comparison") + " " + metric_value(t, "limit")) + "</td><td>" +
           esc(text(t, "message")) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string baseline_block(const json& baseline) {
  if (!baseline.is_object()) return "";
  std::string out = "<h3>Baseline <code>" + esc(text(baseline, "path")) + "</code></h3>\n";
  const json& regressions = member(baseline, "regressions");
  if (!regressions.is_array() || regressions.empty()) {
    return out + "<p class=\"empty\">No regression checks.</p>\n";
  }
  out +=
      "<table class=\"regressions\">\n<thead><tr><th>result</th><th>scope</th><th>metric</th>"
      "<th>baseline</th><th>this run</th><th>worst allowed</th><th>message</th></tr></thead>\n"
      "<tbody>\n";
  for (const json& r : regressions) {
    out += "<tr><td>" + badge(member(r, "passed") == true) + "</td><td>" + esc(scope_text(r)) +
           "</td><td><code>" + esc(text(r, "metric")) + "</code></td><td class=\"num\">" +
           esc(metric_value(r, "baseline")) + "</td><td class=\"num\">" +
           esc(metric_value(r, "current")) + "</td><td class=\"num\">" +
           esc(metric_value(r, "limit")) + "</td><td>" + esc(text(r, "message")) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string checks_section(const json& result) {
  return "<section id=\"checks\">\n<h2>Thresholds and baseline</h2>\n" +
         thresholds_table(member(result, "thresholds")) +
         baseline_block(member(result, "baseline")) + "</section>\n";
}

// ---- operations ------------------------------------------------------------------------------

// Requests per second as a bare number, for a column whose header names the unit.
std::string rps_text(std::optional<double> rps) {
  return rps ? format_fixed(*rps, 1) : "-";
}

// "client_<wbr>error": a name that may wrap after its underscores in a narrow header.
std::string breakable(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += c;
    if (c == '_') out += "<wbr>";
  }
  return out;
}

std::string operation_row(const std::string& name, const json& op,
                          const loadgen::MetricLookup& metrics) {
  const json& outcomes = member(op, "outcomes");
  const json& latency = member(op, "latency_ms");
  std::string out = "<tr><th><code>" + esc(name) + "</code></th><td class=\"num\">" +
                    std::to_string(count(op, "requests")) + "</td><td class=\"num\">" +
                    rps_text(metrics(name, loadgen::Metric::Rps)) + "</td>";
  for (loadgen::Outcome o : loadgen::kOutcomes) {
    const uint64_t n = count(outcomes, std::string(loadgen::outcome_name(o)).c_str());
    out += std::string("<td class=\"num") + (n == 0 ? " zero" : "") + "\">" + std::to_string(n) +
           "</td>";
  }
  out += "<td class=\"num\">" + std::to_string(count(outcomes, "late")) +
         "</td><td class=\"num\">" + esc(rate_metric(metrics, name, loadgen::Metric::ErrorRate)) +
         "</td>";
  for (const char* key : {"p50", "p99", "p999", "max"}) out += latency_cell(latency, key);
  return out + latency_cell(member(op, "service_time_ms"), "p99") + "</tr>\n";
}

std::string operations_section(const json& result) {
  const json& per_op = member(result, "per_op");
  std::string out = "<section id=\"operations\">\n<h2>Operations</h2>\n";
  if (!per_op.is_object() || per_op.empty()) {
    return out + "<p class=\"empty\">No operations recorded.</p>\n</section>\n";
  }
  out +=
      "<div class=\"wide\"><table class=\"operations\">\n<thead><tr><th>operation</th>"
      "<th>requests</th><th>req/s</th>";
  for (loadgen::Outcome o : loadgen::kOutcomes)
    out += "<th>" + breakable(loadgen::outcome_name(o)) + "</th>";
  out +=
      "<th>late</th><th>error rate</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th>"
      "<th>max ms</th><th>service p99 ms</th></tr></thead>\n<tbody>\n";
  const auto metrics = loadgen::metrics_of(result);
  for (const auto& [name, op] : per_op.items()) out += operation_row(name, op, metrics);
  return out + "</tbody>\n</table></div>\n</section>\n";
}

// ---- shards ----------------------------------------------------------------------------------

std::string shards_section(const json& result) {
  const std::string shard = shard_text(member(member(result, "config"), "shard"));
  const json& merged = member(result, "merged_from");
  if (shard.empty() && !merged.is_array()) return "";
  std::string out = "<section id=\"shards\">\n<h2>Shards</h2>\n";
  if (!shard.empty()) {
    out += "<p>This result is shard <strong>" + esc(shard) +
           "</strong> of a run split over several generators.</p>\n";
  }
  if (merged.is_array()) {
    out += "<p>Merged from " + std::to_string(merged.size()) +
           " result files (their histograms added, so the percentiles are of all of them):</p>\n"
           "<table class=\"merged\">\n<thead><tr><th>file</th><th>shard</th></tr></thead>\n"
           "<tbody>\n";
    for (const json& part : merged) {
      out += "<tr><td><code>" + esc(text(part, "file")) + "</code></td><td>" +
             esc(or_dash(shard_text(member(part, "shard")))) + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  return out + "</section>\n";
}

// ---- config and workload ---------------------------------------------------------------------

std::string config_value(const std::string& key, const json& value) {
  if (looks_secret(key)) return "(withheld: named like a secret)";
  if (key == "workload") return "see the workload below";
  return value_text(value);
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// "4 keys and 64 ciphertexts for Decrypt, made before the clock starts".
std::string setup_text(const json& setup) {
  const uint64_t ciphertexts = count(setup, "ciphertexts");
  return plural(count(setup, "keys"), "key", "keys") +
         (ciphertexts > 0
              ? " and " + plural(ciphertexts, "ciphertext", "ciphertexts") + " for Decrypt"
              : std::string()) +
         ", made before the clock starts";
}

// A workload flag (encryption_context) in words.
std::string flag_text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_boolean()) return value == true ? "yes" : "no";
  return value_text(value);
}

// An Encrypt payload's sizes as words: "256 bytes", "16-4096 bytes", "weighted: 64, 256".
std::string payload_text(const json& payload) {
  if (!payload.is_object()) return "-";
  if (payload.contains("bytes")) return value_text(member(payload, "bytes")) + " bytes";
  if (payload.contains("min_bytes")) {
    return value_text(member(payload, "min_bytes")) + "-" +
           value_text(member(payload, "max_bytes")) + " bytes";
  }
  return value_text(payload);
}

std::string workload_operations(const json& operations) {
  if (!operations.is_array() || operations.empty()) {
    return "<p class=\"empty\">No operations listed.</p>\n";
  }
  double total = 0;
  for (const json& op : operations) total += std::max(0.0, number(op, "weight").value_or(0));
  std::string out =
      "<table class=\"workload\">\n<thead><tr><th>operation</th><th>weight</th><th>share</th>"
      "<th>plaintext</th><th>data key bytes</th><th>encryption context</th></tr></thead>\n"
      "<tbody>\n";
  for (const json& op : operations) {
    const double weight = std::max(0.0, number(op, "weight").value_or(0));
    out += "<tr><td><code>" + esc(text(op, "op")) + "</code></td><td class=\"num\">" +
           esc(number_text(weight)) + "</td><td class=\"num\">" +
           (total > 0 ? format_fixed(100 * weight / total, 1) + "%" : "-") + "</td><td>" +
           esc(payload_text(member(op, "payload"))) + "</td><td>" +
           esc(op.contains("number_of_bytes") ? value_text(member(op, "number_of_bytes")) : "-") +
           "</td><td>" + esc(flag_text(member(op, "encryption_context"))) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string workload_block(const json& workload) {
  std::string out = "<h3>Workload <code>" + esc(or_dash(text(workload, "name"))) + "</code></h3>\n";
  if (!workload.is_object()) return out + "<p class=\"empty\">Not recorded.</p>\n";
  if (const std::string about = text(workload, "description"); !about.empty()) {
    out += "<p>" + esc(about) + "</p>\n";
  }
  const json& setup = member(workload, "setup");
  const json& teardown = member(workload, "teardown");
  out += "<dl class=\"facts\">\n" + fact("setup", setup_text(setup)) +
         fact("teardown", member(teardown, "schedule_deletion") == false
                              ? "the keys stay"
                              : "key deletion scheduled, " +
                                    value_text(member(teardown, "pending_window_days")) +
                                    " days pending") +
         "</dl>\n" + workload_operations(member(workload, "operations"));
  return out + "<details><summary>The workload as JSON</summary><pre>" + esc(value_text(workload)) +
         "</pre></details>\n";
}

std::string config_section(const json& result) {
  const json& config = member(result, "config");
  std::string out = "<section id=\"config\">\n<h2>Configuration</h2>\n";
  if (!config.is_object()) return out + "<p class=\"empty\">No configuration.</p>\n</section>\n";
  out += "<table class=\"config\">\n<tbody>\n";
  for (const auto& [key, value] : config.items()) {
    out += "<tr><th><code>" + esc(key) + "</code></th><td>" + esc(config_value(key, value)) +
           "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n" + workload_block(member(config, "workload")) + "</section>\n";
}

// ---- the page --------------------------------------------------------------------------------

constexpr std::string_view kStyle = R"CSS(
h3 { font-size: 1.05em; margin: 16px 0 4px; }
.badge.pass { background: #2e7d32; } .badge.fail { background: #c62828; }
.wide { overflow-x: auto; }
table.config td { font-family: ui-monospace, monospace; word-break: break-all; }
table.operations { font-size: 0.9em; }
table.operations th { vertical-align: bottom; }
figure.chart-figure { margin: 12px 0; }
.conclusion { font-weight: 600; }
[class^="verdict-"] { font-weight: 600; }
.verdict-held { color: #2e7d32; } .verdict-throttled { color: #b28704; }
.verdict-capacity { color: #c62828; } .verdict-burst { color: #1565c0; }
)CSS";

std::vector<PageFact> nav(const json& result) {
  std::vector<PageFact> links = {{"summary", "Summary"},
                                 {"checks", "Checks"},
                                 {"timeline", "Over time"},
                                 {"percentiles", "Percentiles"},
                                 {"operations", "Operations"}};
  if (member(result, "find_limit").is_object()) links.push_back({"find-limit", "Find limit"});
  if (member(result, "merged_from").is_array() ||
      member(member(result, "config"), "shard").is_object()) {
    links.push_back({"shards", "Shards"});
  }
  links.push_back({"config", "Configuration"});
  return links;
}

}  // namespace

std::string render_load_html(const json& result) {
  const loadgen::ResultVerdict verdict = loadgen::verdict_of(result);
  std::string out = page_start("kmsconf load report: " + verdict.text(),
                               std::string(chart_style()) + std::string(kStyle));
  out += page_header("kmsconf load report", header_facts(result), nav(result));
  out += summary_section(result, verdict);
  out += checks_section(result);
  out += timeline_section(result);
  out += percentiles_section(result);
  out += operations_section(result);
  out += find_limit_section(result);
  out += shards_section(result);
  out += config_section(result);
  out += page_end("Made by kmsconf from a load result file; the run was made by kmsconf " +
                      or_dash(text(result, "kmsconf_version")) +
                      ". No secret is written in a result file.",
                  "");
  return out;
}

void write_load_html(const json& result, const std::string& path) {
  write_text_file(path, render_load_html(result));
}

}  // namespace kmsconf::reports
